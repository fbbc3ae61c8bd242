import { isAbsolute, join } from 'node:path';
import type {
  BundleVerifier,
  CompiledIdentityPolicy,
  IdentityPolicy,
  VerificationSummary,
} from '@flareo/bundle-verify';
import type { TrustRoot } from '@flareo/trust-root';
import pc from 'picocolors';
import { CliError, type FailureReport, reportOf, usageError } from './errors.js';
import { jsonSyntaxReason } from './io.js';
import { describeFailure, jsonReplacer } from './output.js';
import { shown } from './text.js';
import { loadTrust, type TrustPlan } from './trust.js';
import {
  type ArtifactArg,
  type IdentityFlags,
  identityPolicy,
  isBundleVerifyError,
  isVerificationFailure,
  parseArtifact,
  type RekorPolicyFlag,
  readSignedInput,
  type SignedInput,
  verificationFailure,
  verifierOptions,
} from './verification.js';

// The work of one `verify-batch` manifest line, from its text to the exact output it prints:
// run on the worker threads, so that the main thread only reads the manifest and writes (or,
// for a short manifest, on the main thread itself: see batch-size.ts).

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

export type Outcome = 'verified' | 'failed' | 'invalid';

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
  // Lines are verified on several worker threads at once; standard input can be read once.
  for (const k of ['bundle', 'signature', 'artifact'] as const) {
    if (entry[k] === '-') {
      throw invalidLine(
        `"${k}" names standard input (-), which a manifest line cannot use`,
        'a path or digest',
        '-',
      );
    }
  }
  return entry as unknown as ManifestEntry;
}

interface Prepared {
  readonly signed: SignedInput;
  readonly artifact: ArtifactArg;
  readonly policy: IdentityPolicy | undefined;
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
  // cosign's flag names search, as cosign does; a line's own identityRegexp/issuerRegexp match whole.
  const policy = identityPolicy(flags, own ? 'full' : 'search');
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

/** What every worker of a batch needs, cloned into it once (`workerData`). */
export interface BatchSetup {
  readonly plan: TrustPlan;
  /** The manifest's directory: relative paths in lines are resolved from it. */
  readonly baseDir: string;
  /** The `--certificate-identity…` flags, for lines without identity keys. */
  readonly defaults: IdentityFlags;
  /** `--rekor-policy`, when given; otherwise require-any for bundles, disabled for signatures. */
  readonly rekorPolicy?: RekorPolicyFlag;
  readonly useCurrentTime: boolean;
  /** Print JSON Lines (`--json`) rather than text. */
  readonly json: boolean;
  /** Colour the text output (standard output is a terminal, or FORCE_COLOR). */
  readonly color: boolean;
  /**
   * Positive signature checks each worker remembers (`--signature-cache`); 0 turns the
   * verified-signature cache off. See {@link SIGNATURE_CACHE_DEFAULT}.
   */
  readonly signatureCache: number;
}

/**
 * Default of `--signature-cache`: positive signature checks remembered per worker thread
 * (trust-root's `memoizeBackend`). A check is a pure function of key, scheme, data and
 * signature, so a remembered positive never changes an answer; it saves the public-key
 * operation when a check recurs (one signing certificate over many bundles, the same bundle
 * for many artifacts). About 100 bytes an entry.
 */
export const SIGNATURE_CACHE_DEFAULT = 4096;

/** Distinct identity policies a line verifier keeps compiled (see createLineVerifier). */
const POLICY_CACHE_ENTRIES = 256;

/** One line's outcome and the text printed for it (ending in a newline). */
export interface LineOutput {
  readonly outcome: Outcome;
  readonly text: string;
}

/**
 * A verification failure as a verifier pool on worker threads reported it before: its detail
 * went through JSON (bigints as strings), so values print the same as they always have.
 */
function asCloned(error: unknown): unknown {
  if (!isBundleVerifyError(error)) {
    return new Error(error instanceof Error ? error.message : String(error));
  }
  const detail = JSON.parse(
    JSON.stringify(error.detail ?? null, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)),
  );
  const clone = new Error(error.message) as Error & { code: string; detail: unknown };
  clone.name = 'BundleVerifyError';
  clone.code = error.code;
  clone.detail = detail;
  return clone;
}

/** The text of one result: a JSON line, or the human lines. */
export function formatResult(r: BatchResult, json: boolean, c: Colors): string {
  if (json) return `${JSON.stringify(r, jsonReplacer)}\n`;
  const what = `line ${r.line}${(r.bundle ?? r.signature) ? ` ${r.bundle ?? r.signature}` : ''}`;
  if (r.outcome === 'verified') return `${c.green('✓')} ${what}\n`;
  const e = r.error as FailureReport;
  let text = `${c.red('✗')} ${what}: ${c.red(e.code)}${r.outcome === 'invalid' ? c.dim(' (invalid line)') : ''}\n`;
  for (const l of describeFailure(e)) text += `    ${l}\n`;
  if (e.hint) text += `    ${c.yellow('hint:')} ${e.hint}\n`;
  return text;
}

type Colors = ReturnType<typeof pc.createColors>;

/**
 * The line verifier of one thread: parses the trust material once (or takes `loaded`, the
 * trust root this thread has already parsed from `setup.plan`), creates a verifier per Rekor
 * policy on first use, and turns a manifest line into its printed outcome. Never throws for a
 * line: every problem is that line's `failed` or `invalid` result.
 */
export async function createLineVerifier(
  setup: BatchSetup,
  loaded?: TrustRoot,
): Promise<(text: string, line: number) => LineOutput> {
  const { compileIdentityPolicy, createVerifier, summarizeResult } = await import(
    '@flareo/bundle-verify'
  );
  const { memoizeBackend, platformCrypto } = await import('@flareo/trust-root');
  const trust = loaded ?? (await loadTrust(setup.plan));
  // One cache for the thread, shared by the verifiers of every Rekor policy.
  const cryptoBackend =
    setup.signatureCache > 0
      ? memoizeBackend(platformCrypto.sync, { maxEntries: setup.signatureCache })
      : undefined;
  const verifiers = new Map<RekorPolicyFlag, BundleVerifier>();
  const verifierFor = (policy: RekorPolicyFlag): BundleVerifier => {
    let v = verifiers.get(policy);
    if (!v) {
      v = createVerifier(trust, {
        ...verifierOptions(policy, setup.useCurrentTime),
        ...(cryptoBackend === undefined ? {} : { cryptoBackend }),
      });
      verifiers.set(policy, v);
    }
    return v;
  };
  // Lines of a manifest mostly share their identity policy (one release workflow signs them
  // all): each distinct policy is compiled once, not once a line (with an identity regexp,
  // compiling is the dearest part of a line after the signature checks). Bounded: a manifest
  // of many distinct identities starts over every POLICY_CACHE_ENTRIES of them.
  const policies = new Map<string, CompiledIdentityPolicy>();
  const compiled = (policy: IdentityPolicy | undefined): CompiledIdentityPolicy => {
    const key = policy === undefined ? '' : JSON.stringify(policy);
    let found = policies.get(key);
    if (found === undefined) {
      found = compileIdentityPolicy(policy ?? {});
      if (policies.size >= POLICY_CACHE_ENTRIES) policies.clear();
      policies.set(key, found);
    }
    return found;
  };
  const colors = pc.createColors(setup.color);
  return (lineText, line) => {
    let entry: ManifestEntry | undefined;
    const base = (): Partial<BatchResult> => ({
      ...(entry?.bundle === undefined ? {} : { bundle: entry.bundle }),
      ...(entry?.signature === undefined ? {} : { signature: entry.signature }),
      ...(entry?.artifact === undefined ? {} : { artifact: entry.artifact }),
    });
    let result: BatchResult;
    try {
      entry = parseEntry(lineText, line);
      const job = prepare(entry, setup.baseDir, setup.defaults, setup.plan);
      const verifier = verifierFor(
        setup.rekorPolicy ?? (entry.signature !== undefined ? 'disabled' : 'require-any'),
      );
      let summary: VerificationSummary;
      try {
        summary = summarizeResult(
          job.signed.kind === 'bundle'
            ? verifier.verifyBundle(job.signed.value, job.artifact.input, compiled(job.policy))
            : verifier.verifySignature(job.signed.value as string, job.artifact.input),
        );
      } catch (error) {
        throw asCloned(error);
      }
      result = {
        type: 'result',
        line,
        outcome: 'verified',
        verified: true,
        ...base(),
        artifact: job.artifact.label,
        result: summary,
      };
    } catch (error) {
      result = {
        type: 'result',
        line,
        outcome: isVerificationFailure(error) ? 'failed' : 'invalid',
        verified: false,
        ...base(),
        error: isVerificationFailure(error)
          ? verificationFailure(error, setup.plan)
          : reportOf(error),
      };
    }
    return { outcome: result.outcome, text: formatResult(result, setup.json, colors) };
  };
}
