import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { CliError, EXIT } from './errors.js';

/** `-` reads standard input. */
export const STDIN = '-';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/**
 * The largest input of each kind, in bytes. Reading stops one byte past the limit, for
 * regular files, devices, pipes and standard input alike (see docs/cli.md, "Input limits").
 * `bundle` is `@flareo/bundle-verify`'s own `maxBundleBytes`; the CLI parses bundles itself
 * and hands the verifier an object, so the limit is applied here, at the read.
 */
export const INPUT_LIMITS = Object.freeze({
  bundle: 16 * MiB,
  signature: 1 * MiB,
  timestamp: 1 * MiB,
  key: 1 * MiB,
  certificate: 1 * MiB,
  'CA certificates': 16 * MiB,
  'Rekor key': 1 * MiB,
  'trust root': 16 * MiB,
  artifact: 1 * GiB,
  manifest: 64 * MiB,
  'VEX document': 64 * MiB,
  report: 256 * MiB,
  'signals file': 16 * MiB,
  input: 16 * MiB,
  config: 16 * MiB,
});

/** What an input is: it names the input in messages and selects its limit. */
export type InputKind = keyof typeof INPUT_LIMITS;

/** A byte count for people: `16 MiB`, `1 GiB`, `1000 bytes`. */
export function formatBytes(n: number): string {
  for (const [unit, size] of [
    ['GiB', GiB],
    ['MiB', MiB],
    ['KiB', KiB],
  ] as const) {
    if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  }
  return `${n} bytes`;
}

/** What standard input was read for, once it has been. */
let stdinReadAs: string | undefined;

/**
 * Record that standard input was already read as `kind` (by another thread of this process:
 * `verify-batch` reads a `-` manifest on the main thread, its lines on worker threads).
 */
export function markStdinRead(kind: InputKind): void {
  stdinReadAs ??= kind;
}

function tooLarge(label: string, path: string, limit: number, known?: bigint): CliError {
  const where = path === STDIN ? 'standard input' : path;
  return new CliError({
    code: 'INPUT_TOO_LARGE',
    message: `${label} ${where} is larger than the ${formatBytes(limit)} limit`,
    expected: `at most ${limit} bytes`,
    actual: known === undefined ? `more than ${limit} bytes` : `${known} bytes`,
    ...(label === 'artifact'
      ? { hint: 'give the artifact’s digest instead of the file: sha256:<hex> (sha256sum FILE)' }
      : {}),
  });
}

/**
 * Read `fd` to its end, keeping at most `limit` bytes: one byte past the limit is refused.
 * A regular file (`sizeHint`, its size) is read into one buffer of that size; anything else
 * (a pipe, a device, standard input) into 1 MiB chunks filled one after the other, so what
 * is held never exceeds the limit plus one chunk. Non-blocking descriptors (a terminal on
 * standard input) are waited on, 10 ms at a time.
 */
function readLimited(
  fd: number,
  limit: number,
  sizeHint: number | undefined,
  fail: () => CliError,
): Uint8Array {
  const chunkSize = Math.min(limit + 1, sizeHint === undefined ? MiB : sizeHint + 1);
  const chunks: Buffer[] = [];
  let chunk = Buffer.allocUnsafe(chunkSize);
  let filled = 0;
  let total = 0;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    if (filled === chunk.length) {
      chunks.push(chunk);
      chunk = Buffer.allocUnsafe(Math.min(MiB, limit + 1 - total));
      filled = 0;
    }
    let n: number;
    try {
      n = readSync(fd, chunk, filled, chunk.length - filled, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 10);
        continue;
      }
      if (code === 'EOF') break;
      throw error;
    }
    if (n === 0) break;
    filled += n;
    total += n;
    if (total > limit) throw fail();
  }
  chunks.push(chunk.subarray(0, filled));
  const whole = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
  return new Uint8Array(whole.buffer, whole.byteOffset, total);
}

function unreadable(kind: string, path: string, error: unknown): CliError {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new CliError(
    {
      code: 'INPUT_UNREADABLE',
      message: `cannot read ${kind} ${path}: ${reason === 'ENOENT' ? 'no such file' : reason}`,
      expected: `a readable ${kind}`,
      actual: reason,
    },
    EXIT.usage,
    { cause: error },
  );
}

/**
 * Read a file (or standard input for `-`) as bytes, at most the limit of its kind;
 * unreadable or oversized input is exit 2. Standard input can be read once per run.
 *
 * Only `bigint` stats are taken here. Node keeps the result of every plain `stat` call in
 * one process-wide buffer that `fs.realpathSync` also reads; after a `stat` of a pipe (a
 * `<(…)` process substitution, `/dev/stdin`, fd 0), the module resolver stops following
 * pnpm's symlinks and a later `import()` fails with ERR_MODULE_NOT_FOUND
 * (nodejs/node#51142). `bigint` stats use a separate buffer.
 */
export function readBytes(path: string, kind: InputKind, limit = INPUT_LIMITS[kind]): Uint8Array {
  if (path === STDIN) {
    if (stdinReadAs !== undefined) {
      throw new CliError({
        code: 'USAGE',
        message: `standard input (-) is named twice: it was read as the ${stdinReadAs}, and cannot also be the ${kind}`,
        expected: 'standard input named once',
        actual: `the ${stdinReadAs} and the ${kind}`,
      });
    }
    stdinReadAs = kind;
    try {
      return readLimited(0, limit, undefined, () => tooLarge(kind, path, limit));
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw unreadable(kind, 'standard input', error);
    }
  }
  const { fd, size } = openInput(path, kind, limit);
  try {
    return readLimited(fd, limit, size, () => tooLarge(kind, path, limit));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw unreadable(kind, path, error);
  } finally {
    closeSync(fd);
  }
}

/**
 * Open a named input for reading: a directory is refused, and so is a regular file over
 * `limit` before a byte of it is read. `size` is the regular file's size (undefined for
 * pipes and devices, whose end is only known by reading). Only a `bigint` stat is taken
 * (see {@link readBytes}).
 */
function openInput(
  path: string,
  kind: InputKind,
  limit: number,
): { readonly fd: number; readonly size: number | undefined } {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const stats = fstatSync(fd, { bigint: true });
    if (stats.isDirectory()) {
      throw new CliError({
        code: 'INPUT_UNREADABLE',
        message: `${kind} ${path} is a directory`,
        expected: 'a file',
        actual: 'a directory',
      });
    }
    if (stats.isFile() && stats.size > BigInt(limit)) {
      throw tooLarge(kind, path, limit, stats.size);
    }
    return { fd, size: stats.isFile() ? Number(stats.size) : undefined };
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    if (error instanceof CliError) throw error;
    throw unreadable(kind, path, error);
  }
}

/** Read a UTF-8 text file (or standard input). */
export function readText(path: string, what: InputKind): string {
  const bytes = readBytes(path, what);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new CliError(
      {
        code: 'INPUT_INVALID',
        message: `${what} ${path} is not UTF-8 text`,
        expected: 'UTF-8 text',
        actual: 'binary data',
      },
      EXIT.usage,
      { cause },
    );
  }
}

/**
 * Why `text` is not JSON, in words that quote none of it: V8's messages can echo the start
 * of the input (`Unexpected token 'r', "root:x:0:0:"... is not valid JSON`), and a file
 * given by mistake may hold secrets. The position is given as line and column.
 */
export function jsonSyntaxReason(cause: unknown, text: string): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  if (/^Unexpected end of JSON input/.test(message)) return 'unexpected end of input';
  const at = / at position (\d+)/.exec(message);
  let position = at ? Number(at[1]) : undefined;
  let phrase = at ? message.slice(0, at.index).replace(/ in JSON$/, '') : '';
  if (phrase === '' || phrase.includes('"') || /^Unexpected token/.test(phrase)) {
    phrase = 'unexpected character';
    if (position === undefined) {
      const first = /\S/.exec(text);
      if (first && !/[{["\-0-9tfn]/.test(first[0])) position = first.index;
    }
  } else {
    phrase = phrase.charAt(0).toLowerCase() + phrase.slice(1);
  }
  if (position === undefined) return phrase;
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `${phrase} at line ${line} column ${column}`;
}

/** Parse JSON text, reporting the file and position of a syntax error (exit 2). */
export function parseJson(text: string, path: string, what: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (cause) {
    throw new CliError(
      {
        code: 'JSON_INVALID',
        message: `${what} ${path} is not valid JSON: ${jsonSyntaxReason(cause, body)}`,
        expected: 'JSON',
        actual: body.trim().length === 0 ? 'an empty file' : 'text that is not JSON',
      },
      EXIT.usage,
      { cause },
    );
  }
}

/** Read and parse a JSON file (or standard input). */
export function readJson(path: string, what: InputKind): unknown {
  return parseJson(readText(path, what), path, what);
}

/** Read a JSON file whose top level must be an object. */
export function readJsonObject(path: string, what: InputKind): Record<string, unknown> {
  const value = readJson(path, what);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError({
      code: 'INPUT_INVALID',
      message: `${what} ${path} must hold a JSON object`,
      expected: 'a JSON object',
      actual: Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value,
    });
  }
  return value as Record<string, unknown>;
}

/** True when `path` names an existing regular file (`bigint` stats: see {@link readBytes}). */
export function isFile(path: string): boolean {
  try {
    // A missing path answers undefined rather than throwing: verify-batch asks this for every
    // line whose artifact is a digest, and building an ENOENT error costs more than the stat.
    return statSync(path, { bigint: true, throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false;
  }
}

/** One non-blank line of a text input, trimmed, with its 1-based line number. */
export interface TextLine {
  readonly line: number;
  readonly text: string;
}

/**
 * Read a UTF-8 text file (or standard input) line by line, in 1 MiB chunks: what is held at
 * any time is one chunk and the lines not yet taken, whatever the input's size. The input's
 * limit is that of {@link readBytes}: a regular file over it is refused before it is read,
 * anything else when the limit is passed. Blank lines are skipped (their numbers count);
 * lines end at `\n`, and are trimmed (so `\r\n` works).
 */
export function* readLines(path: string, kind: InputKind): Generator<TextLine, void, undefined> {
  const limit = INPUT_LIMITS[kind];
  const fail = () => tooLarge(kind, path, limit);
  let fd: number | undefined;
  if (path === STDIN) {
    if (stdinReadAs !== undefined) readBytes(path, kind); // throws: named twice
    stdinReadAs = kind;
    fd = 0;
  } else {
    fd = openInput(path, kind, limit).fd;
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const decode = (bytes?: Uint8Array): string => {
    try {
      return bytes === undefined ? decoder.decode() : decoder.decode(bytes, { stream: true });
    } catch (cause) {
      throw new CliError(
        {
          code: 'INPUT_INVALID',
          message: `${kind} ${path} is not UTF-8 text`,
          expected: 'UTF-8 text',
          actual: 'binary data',
        },
        EXIT.usage,
        { cause },
      );
    }
  };
  const chunk = Buffer.allocUnsafe(MiB);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  let total = 0;
  let rest = '';
  let line = 0;
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          Atomics.wait(pause, 0, 0, 10);
          continue;
        }
        if (code !== 'EOF') throw unreadable(kind, path === STDIN ? 'standard input' : path, error);
        n = 0;
      }
      total += n;
      if (total > limit) throw fail();
      const text = rest + decode(n === 0 ? undefined : chunk.subarray(0, n));
      const parts = text.split('\n');
      rest = n === 0 ? '' : (parts.pop() as string);
      for (const part of parts) {
        line++;
        const trimmed = part.trim();
        if (trimmed !== '') yield { line, text: trimmed };
      }
      if (n === 0) return;
    }
  } finally {
    if (fd !== 0) closeSync(fd);
  }
}
