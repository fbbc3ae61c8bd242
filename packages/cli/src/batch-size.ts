import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';

// How many worker threads `flareo verify-batch` starts when `--concurrency` is not given, and
// when it starts none. A worker costs a fixed price before it verifies anything: a Node
// environment, the bundled code, the trust material, and V8 warming that code up again in its
// own isolate; on a two-core machine a second one also competes with the first and the main
// thread while they start. Measured with whole processes (Node 20, 2 cores, best of 9 to 11
// runs each, the same build):
// - verifying on the main thread beats one worker at every length tried up to 64 lines, by
//   15 to 40 ms (3 lines: 119 against 136 ms; 64 distinct bundles: 231 against 261 ms);
// - it beats two workers up to about 100 lines of distinct bundles (64 lines: 231 against
//   293 ms; 100 lines: 288 against 294 ms; 200 lines: 434 against 374 ms), and up to more than
//   200 on a manifest that repeats nine bundles, where the signature cache makes lines cheap;
// - two workers beat one from about 64 lines of distinct bundles (80 lines: 302 against
//   341 ms; 200 lines: 403 against 503 ms).
// So a manifest of at most MAIN_THREAD_LINES lines is verified on the main thread, and a longer
// one gets a worker for every LINES_PER_WORKER lines, up to one per core: the distinct case
// sets the figures, since one bundle per artifact is the usual manifest. A manifest too long to
// count before the batch starts gets one worker per core, as every manifest did before.
//
// The entry (cli.ts, through batch-tiering.ts) applies the same rule before it loads the
// command, to decide whether to start the first worker early and V8's tier-up budget, so this
// module imports nothing but node:fs.

/** Lines of a manifest per worker thread started by default (see above). */
export const LINES_PER_WORKER = 48;

/** By default, a manifest of at most this many lines is verified on the main thread (see above). */
export const MAIN_THREAD_LINES = 96;

/**
 * Worker threads for a manifest of `lines` non-blank lines (`Infinity`: not known yet) when
 * `--concurrency` is not given: one per {@link LINES_PER_WORKER} lines, at least one, at most
 * `cores`.
 */
export function defaultWorkers(lines: number, cores: number): number {
  return Math.max(1, Math.min(cores, Math.ceil(lines / LINES_PER_WORKER)));
}

/**
 * Whether a batch runs on the main thread, without a worker: only by default (`requested`, the
 * `--concurrency` asked for, is `undefined`), for a manifest of at most
 * {@link MAIN_THREAD_LINES} lines (`Infinity`: not known yet).
 */
export function onMainThreadByDefault(requested: number | undefined, lines: number): boolean {
  return requested === undefined && lines <= MAIN_THREAD_LINES;
}

/**
 * Worker threads for a batch of `lines` lines (`Infinity`: not known yet) on `cores` cores:
 * `requested` (`--concurrency`), else {@link defaultWorkers}; never more than the cores nor
 * the lines, at least one.
 */
export function workersFor(requested: number | undefined, lines: number, cores: number): number {
  return Math.max(1, Math.min(requested ?? defaultWorkers(lines, cores), cores, lines));
}

/** Options of `flareo verify-batch` that take a value (so the word after them is not the manifest). */
const VALUE_OPTIONS = new Set([
  '--key',
  '--trust-root',
  '--rekor-key',
  '--rekor-url',
  '--certificate-identity',
  '--certificate-identity-regexp',
  '--certificate-oidc-issuer',
  '--certificate-oidc-issuer-regexp',
  '--rekor-policy',
  '--concurrency',
  '--signature-cache',
]);

/**
 * The manifest argument of a `verify-batch` command line (`process.argv` without Node and the
 * script, the command first), or `undefined` when there is none. Only a guess for tuning: the
 * command itself parses its arguments with commander and reports any mistake.
 */
export function manifestArgument(argv: readonly string[]): string | undefined {
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') return argv[i + 1];
    if (arg.startsWith('-') && arg !== '-') {
      if (VALUE_OPTIONS.has(arg)) i++;
      continue;
    }
    return arg;
  }
  return undefined;
}

/** How much of a manifest {@link peekLineCount} reads at most. */
export const PEEK_BYTES = 64 * 1024;

/**
 * The non-blank lines of the regular file at `path` when it is at most `maxBytes` long;
 * `undefined` for anything else (standard input, a pipe, a longer or unreadable file). Anything
 * but a regular file is never opened: opening a named pipe would let its writer start, and
 * closing it then would cut the writer off before the command reads it.
 */
export function peekLineCount(path: string, maxBytes = PEEK_BYTES): number | undefined {
  if (path === '-') return undefined;
  let fd: number | undefined;
  try {
    if (!statSync(path).isFile()) return undefined;
    // Without blocking, in case the file was replaced by something else since.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > maxBytes) return undefined;
    const bytes = Buffer.allocUnsafe(stat.size + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, bytes, n, bytes.length - n, null);
      if (got === 0) break;
      n += got;
      if (n > stat.size) return undefined; // it grew while read: not a count to trust
    }
    let lines = 0;
    for (const line of bytes.toString('utf8', 0, n).split('\n')) {
      if (line.trim() !== '') lines++;
    }
    return lines;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
