import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { TrustRoot } from '@flareo/trust-root';
import { type Command, Option } from 'commander';
import {
  type BatchSetup,
  createLineVerifier,
  formatResult,
  type LineOutput,
  type Outcome,
  SIGNATURE_CACHE_DEFAULT,
} from '../batch.js';
import { earlyWorkerStarted, type SetupMessage, takeEarlyWorker } from '../batch-prestart.js';
import {
  LINES_PER_WORKER,
  MAIN_THREAD_LINES,
  onMainThreadByDefault,
  workersFor,
} from '../batch-size.js';
import type { BatchChunk, BatchReply } from '../batch-worker.js';
import { collect, decided, examples, helpText, jsonOption, run } from '../command.js';
import { CliError, EXIT, usageError } from '../errors.js';
import { isFile, readLines, STDIN, type TextLine } from '../io.js';
import { integerOption, urlOption } from '../options.js';
import { colorEnabled, type Output } from '../output.js';
import { loadTrust, planTrust } from '../trust.js';
import {
  checkIdentityRegexps,
  type IdentityFlags,
  identityPolicy,
  REKOR_POLICIES,
  type TrustFlags,
} from '../verification.js';

export { type BatchResult, type ManifestEntry, parseEntry } from '../batch.js';

interface BatchFlags extends TrustFlags {
  readonly concurrency?: number;
  readonly signatureCache?: number;
  readonly progress: boolean;
}

/** A progress bar on standard error (a terminal only), redrawn in place. */
class Progress {
  #drawn = false;
  #last = 0;
  constructor(
    private readonly out: Output,
    private readonly total: number | undefined,
    private readonly enabled: boolean,
  ) {}

  clear(): void {
    if (this.#drawn) this.out.stderr.write('\r\x1b[K');
    this.#drawn = false;
  }

  draw(done: number, failed: number, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.#last < 50 && (this.total === undefined || done < this.total)) {
      return;
    }
    this.#last = now;
    const c = this.out.err;
    // A manifest read from a pipe has no known length: the count alone is shown.
    let bar = '';
    if (this.total !== undefined) {
      const width = 30;
      const filled = this.total === 0 ? width : Math.round((done / this.total) * width);
      bar = `${c.green('█'.repeat(filled))}${c.dim('░'.repeat(width - filled))} `;
    }
    this.out.stderr.write(
      `\r\x1b[K${bar}${done}${this.total === undefined ? '' : `/${this.total}`}${failed ? c.red(` ${failed} failed`) : ''}`,
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
      `worker threads, at most one per core and per line (default: none for up to ${MAIN_THREAD_LINES} lines, which the main thread verifies, else one per ${LINES_PER_WORKER} lines, up to the number of cores, ${availableParallelism()} here)`,
      integerOption({ min: 1 }),
    )
    .option(
      '--signature-cache <n>',
      `positive signature checks each worker remembers, so a check that recurs in the batch is done once (0: off; default ${SIGNATURE_CACHE_DEFAULT})`,
      integerOption({ min: 0, max: 1_000_000 }),
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
      const baseDir = manifest === STDIN ? process.cwd() : dirname(manifest);
      // The manifest is streamed: at most a window of lines is held, whatever its length.
      const source = readLines(manifest, 'manifest');
      const queue: TextLine[] = [];
      let ended = false;
      const refill = (want: number) => {
        while (!ended && queue.length < want) {
          const next = source.next();
          if (next.done) ended = true;
          else queue.push(next.value);
        }
      };
      try {
        // Enough lines to know whether the manifest needs fewer workers than there are cores
        // (fewer lines than cores with --concurrency; by default, fewer than LINES_PER_WORKER a
        // core) or none (by default, at most MAIN_THREAD_LINES lines: see batch-size.ts).
        const cores = availableParallelism();
        refill(
          flags.concurrency === undefined
            ? Math.max(MAIN_THREAD_LINES, cores * LINES_PER_WORKER) + 1
            : cores,
        );
        if (queue.length === 0) {
          throw usageError(`manifest ${manifest} has no entries`, 'one JSON object a line');
        }
        const plan = await planTrust(flags);
        // Fail fast (exit 2) on unusable trust material, before starting workers. The embedded
        // public-good root alone is part of this build (its parse is tested), so the workers
        // load it without the main thread loading it first (a short manifest verified here
        // loads it below).
        const loaded = plan.inputs.every((input) => input.kind === 'public-good')
          ? undefined
          : await loadTrust(plan);
        const defaults = identityPolicyFlags(flags);
        identityPolicy(defaults); // validates the default flags once
        await checkIdentityRegexps(defaults, out);
        const known = ended ? queue.length : Number.POSITIVE_INFINITY;
        const here = onMainThread(flags.concurrency, known);
        // On the main thread, one thread verifies: the summary says 1.
        const concurrency = here ? 1 : workerCount(flags.concurrency, known, out, cores);
        const showProgress = flags.progress && out.stderr.isTTY === true;
        const progress = new Progress(
          out,
          showProgress ? (ended ? queue.length : countLines(manifest)) : undefined,
          showProgress,
        );
        const setup: BatchSetup & { stdinIsManifest: boolean } = {
          plan,
          baseDir,
          defaults,
          ...(flags.rekorPolicy === undefined ? {} : { rekorPolicy: flags.rekorPolicy }),
          useCurrentTime: flags.useCurrentTime === true,
          json: flags.json === true,
          color: colorEnabled(out.stdout),
          signatureCache: flags.signatureCache ?? SIGNATURE_CACHE_DEFAULT,
          stdinIsManifest: manifest === STDIN,
        };
        const counts: Record<Outcome, number> = { verified: 0, failed: 0, invalid: 0 };
        progress.draw(0, 0, true);
        const emit = (r: LineOutput): boolean => {
          counts[r.outcome]++;
          if (r.outcome !== 'verified') decided(r.outcome === 'invalid' ? EXIT.usage : EXIT.failed);
          progress.clear();
          const flowing = out.stdout.write(r.text);
          progress.draw(
            counts.verified + counts.failed + counts.invalid,
            counts.failed + counts.invalid,
          );
          return flowing;
        };
        try {
          if (here) {
            await verifyOnMainThread(setup, loaded ?? (await loadTrust(plan)), queue, emit);
          } else {
            await runBatch(setup, concurrency, queue, refill, () => ended, emit, out);
          }
        } finally {
          progress.clear();
        }
        const total = counts.verified + counts.failed + counts.invalid;
        const summary = {
          type: 'summary' as const,
          total,
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
            `${c.bold(`${summary.verified}/${summary.total} verified`)}${summary.failed ? c.red(`, ${summary.failed} failed`) : ''}${summary.invalid ? c.red(`, ${summary.invalid} invalid`) : ''} ${c.dim(`(${here ? 'main thread' : `${concurrency} worker${concurrency === 1 ? '' : 's'}`}, ${summary.durationMs} ms)`)}`,
          );
        }
        return counts.invalid > 0 ? EXIT.usage : counts.failed > 0 ? EXIT.failed : EXIT.ok;
      } finally {
        source.return();
      }
    }),
  );
}

/** Non-blank lines of a manifest that is a regular file (for the progress bar), else unknown. */
function countLines(manifest: string): number | undefined {
  if (manifest === STDIN || !isFile(manifest)) return undefined;
  try {
    let n = 0;
    for (const _ of readLines(manifest, 'manifest')) n++;
    return n;
  } catch {
    return undefined;
  }
}

/**
 * Whether the batch runs on the main thread, without a worker: the default for a short
 * manifest (batch-size.ts), unless the entry started a worker anyway (it could not count the
 * manifest: standard input, a pipe), which is then used.
 */
function onMainThread(requested: number | undefined, lines: number): boolean {
  return onMainThreadByDefault(requested, lines) && !earlyWorkerStarted();
}

/** Verify `lines` here, in order, with the line verifier the workers use, on `trust`. */
async function verifyOnMainThread(
  setup: BatchSetup,
  trust: TrustRoot,
  lines: TextLine[],
  emit: (r: LineOutput) => boolean,
): Promise<void> {
  const verify = await createLineVerifier(setup, trust);
  for (const l of lines.splice(0)) emit(verify(l.text, l.line));
}

/** Lines per message to a worker, at most; and chunks a worker may hold at once. */
const CHUNK_LINES = 16;
const CHUNKS_PER_WORKER = 3;

/**
 * Verify the manifest's lines on `size` worker threads, handing out chunks of lines and
 * writing each line's output (through `emit`) in manifest order. At most
 * `size × CHUNKS_PER_WORKER` chunks are out at once, and none is handed out while standard
 * output is full (`emit` returned false), so memory stays flat for any manifest length.
 */
function runBatch(
  setup: BatchSetup,
  size: number,
  queue: TextLine[],
  refill: (want: number) => void,
  ended: () => boolean,
  emit: (r: LineOutput) => boolean,
  out: Output,
): Promise<void> {
  const workerUrl = new URL('./batch-worker.cjs', import.meta.url);
  interface Slot {
    readonly worker: Worker;
    readonly chunks: Set<number>;
    alive: boolean;
  }
  const slots: Slot[] = [];
  const sent = new Map<number, readonly TextLine[]>();
  const finished = new Map<number, readonly LineOutput[]>();
  let nextSeq = 0;
  let nextOut = 0;
  let waitingForDrain = false;
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const stop = (error?: unknown) => {
      if (settled) return;
      settled = true;
      void Promise.all(slots.map((s) => s.worker.terminate())).then(
        () => (error === undefined ? resolve() : reject(error)),
        reject,
      );
    };
    /** A chunk its worker could not answer: each of its lines is an INTERNAL error. */
    const lost = (seq: number, message: string) => {
      const lines = sent.get(seq) ?? [];
      finished.set(
        seq,
        lines.map((l) => ({
          outcome: 'invalid' as const,
          text: formatResult(
            {
              type: 'result',
              line: l.line,
              outcome: 'invalid',
              verified: false,
              error: { code: 'INTERNAL', message },
            },
            setup.json,
            out.out,
          ),
        })),
      );
    };
    const pump = () => {
      if (settled) return;
      try {
        while (finished.has(nextOut)) {
          const results = finished.get(nextOut) as readonly LineOutput[];
          finished.delete(nextOut);
          sent.delete(nextOut);
          nextOut++;
          for (const r of results) if (!emit(r)) waitingForDrain = true;
        }
        if (waitingForDrain) {
          const stream = out.stdout as { once?: (event: string, f: () => void) => void };
          if (typeof stream.once === 'function') {
            stream.once('drain', () => {
              waitingForDrain = false;
              pump();
            });
            return;
          }
          waitingForDrain = false;
        }
        const alive = slots.filter((s) => s.alive);
        for (;;) {
          refill(size * CHUNK_LINES * 2);
          if (queue.length === 0) break;
          if (alive.length === 0) {
            // Every worker is gone: the remaining lines cannot be verified.
            const seq = nextSeq++;
            sent.set(seq, queue.splice(0, CHUNK_LINES));
            lost(seq, 'every verify-batch worker thread stopped');
            continue;
          }
          const slot = alive.reduce((a, b) => (b.chunks.size < a.chunks.size ? b : a));
          if (slot.chunks.size >= CHUNKS_PER_WORKER) break;
          const n = Math.max(1, Math.min(CHUNK_LINES, Math.ceil(queue.length / (size * 2))));
          const lines = queue.splice(0, n);
          const seq = nextSeq++;
          sent.set(seq, lines);
          slot.chunks.add(seq);
          slot.worker.postMessage({ seq, lines } satisfies BatchChunk);
        }
        if (finished.has(nextOut)) {
          pump();
          return;
        }
        if (ended() && queue.length === 0 && sent.size === 0) stop();
      } catch (error) {
        stop(error);
      }
    };
    // The first worker may have been started by the entry already (batch-prestart.ts).
    const early = takeEarlyWorker();
    early?.postMessage({ type: 'setup', setup } satisfies SetupMessage<BatchSetup>);
    for (let i = 0; i < size; i++) {
      const slot: Slot = {
        worker: i === 0 && early ? early : new Worker(workerUrl, { workerData: setup }),
        chunks: new Set(),
        alive: true,
      };
      const fail = (message: string) => {
        if (!slot.alive) return;
        slot.alive = false;
        for (const seq of slot.chunks) lost(seq, message);
        slot.chunks.clear();
        pump();
      };
      slot.worker.on('message', (reply: BatchReply) => {
        if (reply.type === 'results') {
          slot.chunks.delete(reply.seq);
          finished.set(reply.seq, reply.results);
          pump();
        } else if (reply.type === 'fatal') {
          stop(new CliError(reply.report));
        }
      });
      slot.worker.on('error', (error) =>
        fail(`verify-batch worker thread failed: ${error.message}`),
      );
      slot.worker.on('exit', (code) => fail(`verify-batch worker thread exited (${code})`));
      slots.push(slot);
    }
    pump();
  });
}

/**
 * Worker threads for a batch of `lines` lines (`Infinity` while the end is not known):
 * batch-size.ts's `workersFor` (never more than the cores: verification is CPU-bound, more
 * workers only cost memory, some 25 MB each), saying on stderr when it caps an explicit
 * --concurrency.
 */
export function workerCount(
  requested: number | undefined,
  lines: number,
  out: Output,
  cores = availableParallelism(),
): number {
  const n = workersFor(requested, lines, cores);
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
