import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { DEFAULT_LIMITS } from '@flareo/bundle-verify/input';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError } from '../src/errors.js';
import { formatBytes, INPUT_LIMITS, jsonSyntaxReason, parseJson, readBytes } from '../src/io.js';
import { Scratch } from './helpers.js';

const scratch = new Scratch();
afterAll(() => scratch.remove());

/** The CliError a read throws, or the bytes it returns. */
function read(path: string, limit: number): Uint8Array | CliError {
  try {
    return readBytes(path, 'report', limit);
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
}

const hasMkfifo = spawnSync('mkfifo', ['--version']).status === 0;
let fifos = 0;

/** A named pipe fed `bytes` by a separate writer process (so the read below can block). */
function fifoWith(bytes: number): string {
  const path = scratch.path(`fifo-${fifos++}`);
  expect(spawnSync('mkfifo', [path]).status).toBe(0);
  // `head -c N /dev/zero > FIFO`: the writer gets EPIPE (and ends) when the reader stops early.
  spawn('sh', ['-c', `head -c ${bytes} /dev/zero > '${path}'`], { stdio: 'ignore' });
  return path;
}

describe('the bounded reader', () => {
  it('the bundle limit is bundle-verify’s own', () => {
    expect(INPUT_LIMITS.bundle).toBe(DEFAULT_LIMITS.maxBundleBytes);
    expect(formatBytes(INPUT_LIMITS.bundle)).toBe('16 MiB');
    expect(formatBytes(INPUT_LIMITS.artifact)).toBe('1 GiB');
    expect(formatBytes(1000)).toBe('1000 bytes');
  });

  it('property: a regular file is returned whole up to the limit and refused past it', () => {
    let n = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 70_000 }),
        fc.integer({ min: -3, max: 3 }),
        (limit, delta) => {
          const size = Math.max(0, limit + delta);
          const bytes = new Uint8Array(size).map((_, i) => i % 251);
          const path = scratch.write(`file-${n++}`, bytes);
          const r = read(path, limit);
          if (size <= limit) {
            expect(r).toBeInstanceOf(Uint8Array);
            expect(Buffer.compare(Buffer.from(r as Uint8Array), Buffer.from(bytes))).toBe(0);
          } else {
            expect(r).toBeInstanceOf(CliError);
            expect((r as CliError).report).toMatchObject({
              code: 'INPUT_TOO_LARGE',
              expected: `at most ${limit} bytes`,
              actual: `${size} bytes`,
            });
            expect((r as CliError).report.message).toContain(path);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a device without end (/dev/zero) is refused at the limit, for any kind', () => {
    for (const limit of [0, 1, 65_535, 65_536, 1_000_000]) {
      const r = read('/dev/zero', limit);
      expect(r).toBeInstanceOf(CliError);
      expect((r as CliError).report).toMatchObject({
        code: 'INPUT_TOO_LARGE',
        actual: `more than ${limit} bytes`,
      });
    }
    // The artifact limit (1 GiB) through the same reader, scaled down.
    const artifact = (() => {
      try {
        return readBytes('/dev/zero', 'artifact', 4096);
      } catch (error) {
        return error as CliError;
      }
    })();
    expect((artifact as CliError).report).toMatchObject({
      code: 'INPUT_TOO_LARGE',
      message: 'artifact /dev/zero is larger than the 4 KiB limit',
    });
    expect((artifact as CliError).report.hint).toContain('sha256:');
  });

  it.skipIf(!hasMkfifo)(
    'property: a named pipe is read to its end under the limit and cut at limit + 1 past it',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 200_000 }),
          fc.integer({ min: -2, max: 2 }),
          async (limit, delta) => {
            const size = Math.max(0, limit + delta);
            const r = read(fifoWith(size), limit);
            if (size <= limit) expect((r as Uint8Array).length).toBe(size);
            else expect((r as CliError).report.code).toBe('INPUT_TOO_LARGE');
          },
        ),
        { numRuns: 12 },
      );
      // A writer that never ends is cut off too.
      const path = scratch.path('endless');
      expect(spawnSync('mkfifo', [path]).status).toBe(0);
      const writer = spawn('sh', ['-c', `cat /dev/zero > '${path}'`], { stdio: 'ignore' });
      const r = read(path, 300_000);
      expect((r as CliError).report.code).toBe('INPUT_TOO_LARGE');
      writer.kill();
    },
  );

  it('a directory and a missing file are unreadable input', () => {
    mkdirSync(scratch.path('dir'));
    expect((read(scratch.path('dir'), 10) as CliError).report.code).toBe('INPUT_UNREADABLE');
    expect((read(scratch.path('missing'), 10) as CliError).report).toMatchObject({
      code: 'INPUT_UNREADABLE',
      message: `cannot read report ${scratch.path('missing')}: no such file`,
    });
    expect(read(scratch.write('empty', ''), 0)).toEqual(new Uint8Array(0));
  });
});

describe('JSON errors quote nothing of the input', () => {
  it('says where, not what', () => {
    const reason = (text: string) => {
      try {
        JSON.parse(text);
      } catch (cause) {
        return jsonSyntaxReason(cause, text);
      }
      throw new Error('parsed');
    };
    expect(reason('root:x:0:0:root:/root:/bin/bash')).toBe(
      'unexpected character at line 1 column 1',
    );
    expect(reason('')).toBe('unexpected end of input');
    expect(reason('{"a": 1')).toBe("expected ',' or '}' after property value at line 1 column 8");
    expect(reason('{"a": 1}\n{"b": 2}')).toMatch(
      /^unexpected non-whitespace character after JSON at line 2 column 1$/i,
    );
    expect(() => parseJson('password=hunter2', '/etc/app.conf', 'config')).toThrow(
      /config \/etc\/app\.conf is not valid JSON: unexpected character at line 1 column 1$/,
    );
  });

  it('property: a secret in text that is not JSON never appears in the reason', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        fc.stringMatching(/^[A-Za-z0-9]{4,16}$/),
        fc.string({ maxLength: 20 }),
        (before, secret, after) => {
          const text = `${before}${secret}${after}`;
          let parsed = true;
          try {
            JSON.parse(text);
          } catch (cause) {
            parsed = false;
            const reason = jsonSyntaxReason(cause, text);
            expect(reason).not.toContain(secret);
            expect(reason).not.toContain('"');
          }
          fc.pre(!parsed);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
