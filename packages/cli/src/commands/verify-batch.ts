import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import type { IdentityPolicy, VerificationSummary, VerifierPool } from '@flareo/bundle-verify';
import { type Command, Option } from 'commander';
import { collect, decided, examples, helpText, jsonOption, run } from '../command.js';
import { CliError, EXIT, type FailureReport, reportOf, usageError } from '../errors.js';
import { jsonSyntaxReason, readText, STDIN } from '../io.js';
import { integerOption, shown, urlOption } from '../options.js';
import { describeFailure, type Output } from '../output.js';
import { loadTrust, planTrust, type TrustPlan } from '../trust.js';
import {
  type ArtifactArg,
  type IdentityFlags,
  identityPolicy,
  isVerificationFailure,
  parseArtifact,
  REKOR_POLICIES,
  type RekorPolicyFlag,
  readSignedInput,
  type SignedInput,
  type TrustFlags,
  verificationFailure,
  verifierOptions,
} from '../verification.js';

/** One manifest line. */
export interface ManifestEntry {
  readonly bundle?: string;
  readonly signature?: string;
  readonly artifact: string;
  readonly identity?: string;
  readonly identityRegexp?: string;
  readonly issuer?: string;
  readonly issuerRegexp?: string;
}

type Outcome = 'verified' | 'failed' | 'invalid';

/** One line of `verify-batch --json` output (`type: "result"`). */
export interface BatchResult {
  readonly type: 'result';
  readonly line: number;
  readonly outcome: Outcome;
  readonly verified: boolean;
  readonly bundle?: string;
  readonly signature?: string;
  readonly artifact?: string;
  readonly result?: VerificationSummary;
  readonly error?: FailureReport;
}

const ENTRY_KEYS = new Set([
  'bundle',
  'signature',
  'artifact',
  'identity',
  'identityRegexp',
  'issuer',
  'issuerRegexp',
]);

/** What a JSON value is, without showing it. */
const kindOf = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : v === '' ? 'an empty string' : typeof v;

/**
 * Check one manifest line's shape. Messages name the line and say what is wrong without
 * quoting the line: a file given by mistake (`/etc/passwd`) must not end up in a CI log.
 */
export function parseEntry(text: string, line: number): ManifestEntry {
  const invalidLine = (message: string, expected?: unknown, actual?: unknown): CliError =>
    new CliError({
      code: 'MANIFEST_INVALID',
      message: `line ${line}: ${message}`,
      ...(expected === undefined ? {} : { expected }),
      ...(actual === undefined ? {} : { actual }),
    });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw invalidLine(`not JSON (${jsonSyntaxReason(cause, text)})`, 'one JSON object a line');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidLine('not a JSON object', 'one JSON object a line', kindOf(value));
  }
  const entry = value as Record<string, unknown>;
  for (const [k, v] of Object.entries(entry)) {
    if (!ENTRY_KEYS.has(k)) {
      throw invalidLine(`unknown key "${shown(k, 40)}"`, [...ENTRY_KEYS].join(', '));
    }
    if (typeof v !== 'string' || v === '') {
      throw invalidLine(`"${k}" must be a non-empty string`, 'a non-empty string', kindOf(v));
    }
  }
  if ((entry.bundle === undefined) === (entry.signature === undefined)) {
    throw invalidLine('give exactly one of "bundle" or "signature"', '"bundle" or "signature"');
  }
  if (entry.artifact === undefined) throw invalidLine('"artifact" is missing', 'a path or digest');
  return entry as unknown as ManifestEntry;
}

interface Prepared {
  readonly signed: SignedInput;
  readonly artifact: ArtifactArg;
  readonly policy: IdentityPolicy | undefined;
}

interface BatchFlags extends TrustFlags {
  readonly concurrency?: number;
  readonly progress: boolean;
}

function prepare(
  entry: ManifestEntry,
  baseDir: string,
  defaults: IdentityFlags,
  plan: TrustPlan,
): Prepared {
  const resolve = (p: string) => (isAbsolute(p) ? p : join(baseDir, p));
  const signed =
    entry.bundle !== undefined
      ? readSignedInput('bundle', resolve(entry.bundle))
      : readSignedInput('signature', resolve(entry.signature as string));
  const own = [entry.identity, entry.identityRegexp, entry.issuer, entry.issuerRegexp].some(
    (v) => v !== undefined,
  );
  const flags: IdentityFlags = own
    ? {
        ...(entry.identity === undefined ? {} : { certificateIdentity: entry.identity }),
        ...(entry.identityRegexp === undefined
          ? {}
          : { certificateIdentityRegexp: entry.identityRegexp }),
        ...(entry.issuer === undefined ? {} : { certificateOidcIssuer: entry.issuer }),
        ...(entry.issuerRegexp === undefined
          ? {}
          : { certificateOidcIssuerRegexp: entry.issuerRegexp }),
      }
    : defaults;
  const policy = identityPolicy(flags);
  if (signed.kind === 'bundle' && plan.publicGood) {
    if (policy?.subjectAlternativeName === undefined || policy.issuer === undefined) {
      throw usageError(
        'keyless verification against the public-good root needs "identity" (or "identityRegexp") and "issuer" (or "issuerRegexp")',
        'add them to the line, or give --certificate-identity and --certificate-oidc-issuer for every line',
      );
    }
  }
  if (signed.kind === 'signature' && !plan.keyed) {
    throw usageError('a "signature" line needs --key', 'pass the signer’s public key with --key');
  }
  return { signed, artifact: parseArtifact(entry.artifact, baseDir), policy };
}

/** A progress bar on standard error (a terminal only), redrawn in place. */
class Progress {
  #drawn = false;
  #last = 0;
  constructor(
    private readonly out: Output,
    private readonly total: number,
    private readonly enabled: boolean,
  ) {}

  clear(): void {
    if (this.#drawn) this.out.stderr.write('\r\x1b[K');
    this.#drawn = false;
  }

  draw(done: number, failed: number, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.#last < 50 && done < this.total) return;
    this.#last = now;
    const width = 30;
    const filled = this.total === 0 ? width : Math.round((done / this.total) * width);
    const c = this.out.err;
    const bar = `${c.green('█'.repeat(filled))}${c.dim('░'.repeat(width - filled))}`;
    this.out.stderr.write(
      `\r\x1b[K${bar} ${done}/${this.total}${failed ? c.red(` ${failed} failed`) : ''}`,
    );
    this.#drawn = true;
  }
}

/** `flareo verify-batch MANIFEST.jsonl`. */
export function registerVerifyBatch(program: Command, out: Output): void {
  const command = program
    .command('verify-batch')
    .summary('verify many bundles from a JSON Lines manifest, in parallel')
    .description(
      helpText([
        'Verify every line of a JSON Lines manifest on worker threads. Each line is an object:',
        '  {"bundle": "a.sigstore.json", "artifact": "a.tgz" | "sha256:<hex>",',
        '   "identity": "…" | "identityRegexp": "…", "issuer": "…" | "issuerRegexp": "…"}',
        '("signature" instead of "bundle" for a raw .sig with --key). Paths are relative to the',
        'manifest’s directory. Lines without an identity use --certificate-identity… flags.',
        'Trust and Rekor flags are those of `flareo verify`.',
        'Exit status: 0 all verified, 1 some failed, 2 a line or the manifest is unusable.',
      ]),
    )
    .argument('<manifest>', 'JSON Lines manifest (- for standard input)')
    .option('--key <file>', 'PEM public key(s) (KEYED trust); repeatable', collect)
    .option('--trust-root <file>', 'PEM bundle or trusted_root.json; repeatable', collect)
    .option('--rekor-key <file>', 'Rekor public key (PEM) trusted as a log; repeatable', collect)
    .option('--rekor-url <url>', 'base URL of the log(s) given with --rekor-key', urlOption())
    .option('--certificate-identity <san>', 'default SAN for lines without one')
    .option('--certificate-identity-regexp <regexp>', 'default SAN regular expression (anchored)')
    .option('--certificate-oidc-issuer <url>', 'default OIDC issuer for lines without one')
    .option(
      '--certificate-oidc-issuer-regexp <regexp>',
      'default issuer regular expression (anchored)',
    )
    .addOption(
      new Option(
        '--rekor-policy <policy>',
        'transparency-log evidence required (default: require-any; disabled for signatures)',
      ).choices(REKOR_POLICIES),
    )
    .option('--use-current-time', 'also check certificates at the current time')
    .option(
      '--concurrency <n>',
      `worker threads, at most one per core and per line (default: the number of cores, ${availableParallelism()} here)`,
      integerOption({ min: 1 }),
    )
    .option('--no-progress', 'no progress bar, even on a terminal')
    .addOption(jsonOption());
  examples(command, [
    'flareo verify-batch manifest.jsonl',
    'flareo verify-batch --concurrency 4 --json manifest.jsonl > results.jsonl',
    'flareo verify-batch --key cosign.pub modules.jsonl',
  ]);
  command.action((manifest: string, flags: BatchFlags) =>
    run(out, flags.json, async () => {
      const started = Date.now();
      const text = readText(manifest, 'manifest');
      const baseDir = manifest === STDIN ? process.cwd() : dirname(manifest);
      const lines = text
        .split(/\r?\n/)
        .map((t, i) => ({ text: t.trim(), line: i + 1 }))
        .filter((l) => l.text !== '');
      if (lines.length === 0) {
        throw usageError(`manifest ${manifest} has no entries`, 'one JSON object a line');
      }
      const { createVerifierPool } = await import('@flareo/bundle-verify');
      const plan = await planTrust(flags);
      await loadTrust(plan); // fail fast (exit 2) on unusable trust material, before starting workers
      const defaults = identityPolicyFlags(flags);
      identityPolicy(defaults); // validates the default flags once
      const concurrency = workerCount(flags.concurrency, lines.length, out);
      const signatureLines = (e: ManifestEntry) => e.signature !== undefined;
      const pools = new Map<RekorPolicyFlag, VerifierPool>();
      const poolFor = (policy: RekorPolicyFlag): VerifierPool => {
        let pool = pools.get(policy);
        if (!pool) {
          pool = createVerifierPool({
            trust: plan.inputs,
            verifier: verifierOptions(policy, flags.useCurrentTime === true),
            size: concurrency,
          });
          pools.set(policy, pool);
        }
        return pool;
      };
      const progress = new Progress(out, lines.length, flags.progress && out.stderr.isTTY === true);
      const counts: Record<Outcome, number> = { verified: 0, failed: 0, invalid: 0 };
      const results: (BatchResult | undefined)[] = new Array(lines.length);
      let next = 0;
      const emit = (r: BatchResult) => {
        progress.clear();
        if (flags.json) out.jsonLine(r);
        else {
          const c = out.out;
          const what = `line ${r.line}${(r.bundle ?? r.signature) ? ` ${r.bundle ?? r.signature}` : ''}`;
          if (r.outcome === 'verified') out.line(`${c.green('✓')} ${what}`);
          else {
            const e = r.error as FailureReport;
            out.line(
              `${c.red('✗')} ${what}: ${c.red(e.code)}${r.outcome === 'invalid' ? c.dim(' (invalid line)') : ''}`,
            );
            for (const l of describeFailure(e)) out.line(`    ${l}`);
            if (e.hint) out.line(`    ${c.yellow('hint:')} ${e.hint}`);
          }
        }
      };
      const settle = (index: number, r: BatchResult) => {
        results[index] = r;
        counts[r.outcome]++;
        if (r.outcome !== 'verified') decided(r.outcome === 'invalid' ? EXIT.usage : EXIT.failed);
        while (next < results.length && results[next] !== undefined) {
          emit(results[next] as BatchResult);
          next++;
        }
        progress.draw(
          counts.verified + counts.failed + counts.invalid,
          counts.failed + counts.invalid,
        );
      };
      const verifyLine = async (index: number): Promise<void> => {
        const { text: lineText, line } = lines[index] as { text: string; line: number };
        let entry: ManifestEntry | undefined;
        const base = (): Partial<BatchResult> => ({
          ...(entry?.bundle === undefined ? {} : { bundle: entry.bundle }),
          ...(entry?.signature === undefined ? {} : { signature: entry.signature }),
          ...(entry?.artifact === undefined ? {} : { artifact: entry.artifact }),
        });
        try {
          entry = parseEntry(lineText, line);
          const job = prepare(entry, baseDir, defaults, plan);
          const rekorPolicy =
            flags.rekorPolicy ?? (signatureLines(entry) ? 'disabled' : 'require-any');
          const pool = poolFor(rekorPolicy);
          const summary =
            job.signed.kind === 'bundle'
              ? await pool.verifyBundle(job.signed.value, job.artifact.input, job.policy ?? {})
              : await pool.verifySignature(job.signed.value as string, job.artifact.input);
          settle(index, {
            type: 'result',
            line,
            outcome: 'verified',
            verified: true,
            ...base(),
            artifact: job.artifact.label,
            result: summary,
          });
        } catch (error) {
          settle(index, {
            type: 'result',
            line,
            outcome: isVerificationFailure(error) ? 'failed' : 'invalid',
            verified: false,
            ...base(),
            error: isVerificationFailure(error)
              ? verificationFailure(error, plan)
              : reportOf(error),
          });
        }
      };
      const window = Math.max(concurrency * 4, 8);
      const inFlight = new Set<Promise<void>>();
      progress.draw(0, 0, true);
      try {
        for (let i = 0; i < lines.length; i++) {
          const p = verifyLine(i);
          inFlight.add(p);
          void p.then(() => inFlight.delete(p));
          if (inFlight.size >= window) await Promise.race(inFlight);
        }
        await Promise.all(inFlight);
      } finally {
        progress.clear();
        await Promise.all([...pools.values()].map((p) => p.close()));
      }
      const summary = {
        type: 'summary' as const,
        total: lines.length,
        verified: counts.verified,
        failed: counts.failed,
        invalid: counts.invalid,
        concurrency,
        durationMs: Date.now() - started,
      };
      if (flags.json) out.jsonLine(summary);
      else {
        const c = out.out;
        out.line(
          `${c.bold(`${summary.verified}/${summary.total} verified`)}${summary.failed ? c.red(`, ${summary.failed} failed`) : ''}${summary.invalid ? c.red(`, ${summary.invalid} invalid`) : ''} ${c.dim(`(${concurrency} worker${concurrency === 1 ? '' : 's'}, ${summary.durationMs} ms)`)}`,
        );
      }
      return counts.invalid > 0 ? EXIT.usage : counts.failed > 0 ? EXIT.failed : EXIT.ok;
    }),
  );
}

/**
 * Worker threads for a batch: what --concurrency asks (default: one per core), but never
 * more than the cores (verification is CPU-bound: more workers only cost memory, some 25 MB
 * each) nor than the lines. Capping an explicit --concurrency is said on stderr.
 */
export function workerCount(
  requested: number | undefined,
  lines: number,
  out: Output,
  cores = availableParallelism(),
): number {
  const n = Math.max(1, Math.min(requested ?? cores, cores, lines));
  if (requested !== undefined && n < requested) {
    const why =
      n === lines && lines < cores
        ? `${lines} line${lines === 1 ? '' : 's'}`
        : `${cores} core${cores === 1 ? '' : 's'}`;
    out.note(`note: --concurrency ${requested} capped to ${n} (${why})`);
  }
  return n;
}

function identityPolicyFlags(flags: IdentityFlags): IdentityFlags {
  return {
    ...(flags.certificateIdentity === undefined
      ? {}
      : { certificateIdentity: flags.certificateIdentity }),
    ...(flags.certificateIdentityRegexp === undefined
      ? {}
      : { certificateIdentityRegexp: flags.certificateIdentityRegexp }),
    ...(flags.certificateOidcIssuer === undefined
      ? {}
      : { certificateOidcIssuer: flags.certificateOidcIssuer }),
    ...(flags.certificateOidcIssuerRegexp === undefined
      ? {}
      : { certificateOidcIssuerRegexp: flags.certificateOidcIssuerRegexp }),
  };
}
