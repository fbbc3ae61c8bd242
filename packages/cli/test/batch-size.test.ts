import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  defaultWorkers,
  LINES_PER_WORKER,
  manifestArgument,
  PEEK_BYTES,
  peekLineCount,
} from '../src/batch-size.js';
import { registerVerifyBatch, workerCount } from '../src/commands/verify-batch.js';
import { Output } from '../src/output.js';
import { buildProgram } from '../src/program.js';

// How many workers verify-batch starts by default, and how the entry guesses it before the
// command is loaded (see src/batch-size.ts). What the rule buys is measured by
// bench/whole-process.mjs (the `small` rows).

const dir = mkdtempSync(join(tmpdir(), 'flareo-batch-size-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('defaultWorkers', () => {
  it.each([
    [1, 2, 1],
    [LINES_PER_WORKER, 2, 1],
    [LINES_PER_WORKER + 1, 2, 2],
    [1000, 2, 2],
    [Number.POSITIVE_INFINITY, 2, 2],
    [Number.POSITIVE_INFINITY, 1, 1],
    [3 * LINES_PER_WORKER, 8, 3],
    [3 * LINES_PER_WORKER + 1, 8, 4],
    [Number.POSITIVE_INFINITY, 8, 8],
    [0, 4, 1],
  ])('%d lines on %d cores → %d workers', (lines, cores, workers) => {
    expect(defaultWorkers(lines, cores)).toBe(workers);
  });
});

/** An Output that keeps what is said on standard error. */
function quietOutput(): { out: Output; notes: string[] } {
  const notes: string[] = [];
  const out = new Output();
  out.note = (text: string) => {
    notes.push(text);
  };
  return { out, notes };
}

describe('workerCount', () => {
  it.each([
    // requested, lines, cores → workers, noted
    [undefined, 3, 2, 1, false],
    [undefined, LINES_PER_WORKER + 1, 2, 2, false],
    [undefined, Number.POSITIVE_INFINITY, 2, 2, false],
    [undefined, 100, 8, 3, false],
    [2, 3, 2, 2, false], // asked for: as many as asked, even for few lines
    [1, 1000, 2, 1, false],
    [4, 1000, 2, 2, true], // more than the cores: capped, said
    [4, 3, 8, 3, true], // more than the lines: capped, said
  ] as const)('--concurrency %s, %d lines, %d cores → %d', (requested, lines, cores, n, noted) => {
    const { out, notes } = quietOutput();
    expect(workerCount(requested, lines, out, cores)).toBe(n);
    expect(notes.length > 0).toBe(noted);
  });
});

describe('manifestArgument', () => {
  it.each([
    [['verify-batch', 'm.jsonl'], 'm.jsonl'],
    [['verify-batch', '--key', 'k.pub', 'm.jsonl'], 'm.jsonl'],
    [['verify-batch', '--key=k.pub', 'm.jsonl'], 'm.jsonl'],
    [['verify-batch', '--json', '--no-progress', 'm.jsonl', '--concurrency', '2'], 'm.jsonl'],
    [['verify-batch', '--certificate-identity', 'a@b', '--rekor-policy', 'disabled', 'm'], 'm'],
    [['verify-batch', '-', '--json'], '-'],
    [['verify-batch', '--', '-weird.jsonl'], '-weird.jsonl'],
    [['verify-batch', '--json'], undefined],
    [['verify-batch'], undefined],
  ] as const)('%j → %s', (argv, expected) => {
    expect(manifestArgument(argv)).toBe(expected);
  });

  it("knows every option of verify-batch's that takes a value", () => {
    // The guess skips the value after such an option: an option added to the command with a
    // value must be added to batch-size.ts too, or its value would be taken for the manifest.
    const program = buildProgram([registerVerifyBatch], new Output());
    const command = program.commands.find((c) => c.name() === 'verify-batch');
    expect(command).toBeDefined();
    for (const option of command?.options ?? []) {
      if (!option.long) continue;
      const argv = ['verify-batch', option.long, 'value', 'm.jsonl'];
      expect(manifestArgument(argv), option.long).toBe(
        option.required || option.optional ? 'm.jsonl' : 'value',
      );
    }
  });
});

describe('peekLineCount', () => {
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('counts the non-blank lines of a short regular file', () => {
    expect(peekLineCount(write('three.jsonl', '{"a":1}\n\n  \n{"b":2}\r\n{"c":3}'))).toBe(3);
    expect(peekLineCount(write('empty.jsonl', ''))).toBe(0);
  });

  it('gives no count for a long file, a missing one, a directory or standard input', () => {
    const long = write('long.jsonl', `${'{"x":1}\n'.repeat(PEEK_BYTES / 8 + 1)}`);
    expect(peekLineCount(long)).toBeUndefined();
    expect(peekLineCount(long, 1 << 20)).toBe(PEEK_BYTES / 8 + 1);
    expect(peekLineCount(join(dir, 'missing.jsonl'))).toBeUndefined();
    expect(peekLineCount(dir)).toBeUndefined();
    expect(peekLineCount('-')).toBeUndefined();
  });

  it.skipIf(process.platform === 'win32')(
    'never opens a named pipe: its writer still waits for the command',
    async () => {
      const fifo = join(dir, 'fifo');
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      // The writer blocks in open() until a reader opens the pipe.
      const writer = spawn('sh', ['-c', `printf '{"a":1}\\n' > "${fifo}"`]);
      const exited = once(writer, 'exit');
      await new Promise((r) => setTimeout(r, 150));
      expect(peekLineCount(fifo)).toBeUndefined();
      // Had the pipe been opened and closed, the writer would have been let through and then
      // cut off (SIGPIPE), and would have ended by now.
      await new Promise((r) => setTimeout(r, 150));
      expect(writer.exitCode).toBeNull();
      // Read in a child, with a time limit: a reader of a pipe no writer holds would wait.
      const read = spawnSync('cat', [fifo], { encoding: 'utf8', timeout: 5000 });
      expect(read.stdout).toBe('{"a":1}\n');
      const [code] = await exited;
      expect(code).toBe(0);
    },
  );
});
