import { readFileSync, readSync, statSync } from 'node:fs';
import { CliError, EXIT } from './errors.js';

/** `-` reads standard input. */
export const STDIN = '-';

let stdinCache: Buffer | undefined;

/**
 * Read all of standard input with `readSync` in a loop. Not `readFileSync(0)`: on Node 20,
 * after `readFileSync(0)` drains a pipe, later dynamic `import()`s of packages resolved
 * through pnpm's symlinks fail with ERR_MODULE_NOT_FOUND (reproduced with a two-line script).
 */
function readStdin(): Buffer {
  if (stdinCache) return stdinCache;
  const parts: Buffer[] = [];
  const chunk = Buffer.alloc(1 << 16);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    let n: number;
    try {
      n = readSync(0, chunk, 0, chunk.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 10); // non-blocking stdin (a terminal): wait for input
        continue;
      }
      if (code === 'EOF') break;
      throw error;
    }
    if (n === 0) break;
    parts.push(Buffer.from(chunk.subarray(0, n)));
  }
  stdinCache = Buffer.concat(parts);
  return stdinCache;
}

/** Read a file (or standard input for `-`) as bytes; unreadable input is exit 2. */
export function readBytes(path: string, what = 'file'): Uint8Array {
  try {
    if (path === STDIN) return new Uint8Array(readStdin());
    if (statSync(path).isDirectory()) {
      throw new CliError({
        code: 'INPUT_UNREADABLE',
        message: `${what} ${path} is a directory`,
        expected: 'a file',
        actual: 'a directory',
      });
    }
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    if (error instanceof CliError) throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new CliError(
      {
        code: 'INPUT_UNREADABLE',
        message: `cannot read ${what} ${path}: ${reason === 'ENOENT' ? 'no such file' : reason}`,
        expected: `a readable ${what}`,
        actual: reason,
      },
      EXIT.usage,
      { cause: error },
    );
  }
}

/** Read a UTF-8 text file (or standard input). */
export function readText(path: string, what = 'file'): string {
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

/** Parse JSON text, reporting the file and position of a syntax error (exit 2). */
export function parseJson(text: string, path: string, what = 'file'): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (cause) {
    throw new CliError(
      {
        code: 'JSON_INVALID',
        message: `${what} ${path} is not valid JSON: ${(cause as Error).message}`,
        expected: 'JSON',
        actual: text.length === 0 ? 'an empty file' : `${JSON.stringify(text.slice(0, 40))}…`,
      },
      EXIT.usage,
      { cause },
    );
  }
}

/** Read and parse a JSON file (or standard input). */
export function readJson(path: string, what = 'file'): unknown {
  return parseJson(readText(path, what), path, what);
}

/** Read a JSON file whose top level must be an object. */
export function readJsonObject(path: string, what = 'file'): Record<string, unknown> {
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

/** True when `path` names an existing file (not a directory). */
export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
