import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MAIN_THREAD_LINES } from '../src/batch-size.js';
import {
  BATCH_INTERRUPT_BUDGET,
  batchTiering,
  requestedConcurrency,
  type TieringContext,
  tuneTieringForBatch,
  wantsEarlyWorker,
} from '../src/batch-tiering.js';

// verify-batch raises V8's tier-up budget on Node 20 when every core will verify (see
// src/batch-tiering.ts). What it decides is tested here; what it buys is measured by
// bench/whole-process.mjs.

const FLAG = `--interrupt-budget=${BATCH_INTERRUPT_BUDGET}`;
const node20: TieringContext = {
  argv: ['verify-batch', 'm.jsonl'],
  execArgv: [],
  v8: '11.3.244.8-node.33',
  cores: 2,
};

describe('requestedConcurrency', () => {
  it.each([
    [['verify-batch', 'm.jsonl'], undefined],
    [['verify-batch', '--concurrency', '1', 'm.jsonl'], 1],
    [['verify-batch', 'm.jsonl', '--concurrency=4'], 4],
    [['verify-batch', '--concurrency', '2', '--concurrency', '1'], 1],
    [['verify-batch', '--concurrency', '0'], undefined],
    [['verify-batch', '--concurrency', 'x'], undefined],
    [['verify-batch', '--concurrency'], undefined],
    [['verify-batch', '--', '--concurrency', '1'], undefined],
    [['verify-batch', '--concurrency-x', '1'], undefined],
  ] as const)('%j → %s', (argv, expected) => {
    expect(requestedConcurrency(argv)).toBe(expected);
  });
});

describe('batchTiering', () => {
  it.each([
    ['Node 20, default concurrency (one worker per core)', node20, FLAG],
    ['Node 20, one core', { ...node20, cores: 1 }, FLAG],
    [
      'Node 20, as many workers as cores',
      { ...node20, argv: ['verify-batch', '--concurrency', '2', 'm'] },
      FLAG,
    ],
    [
      'Node 20, more workers asked than cores',
      { ...node20, argv: ['verify-batch', '--concurrency=8', 'm'] },
      FLAG,
    ],
    [
      'Node 20, fewer workers than cores (idle cores compile for free)',
      { ...node20, argv: ['verify-batch', '--concurrency', '1', 'm'] },
      undefined,
    ],
    [
      'Node 20, a budget given to Node',
      { ...node20, execArgv: ['--interrupt-budget=67584'] },
      undefined,
    ],
    ['Node 21 (V8 11.8)', { ...node20, v8: '11.8.172.17-node.18' }, undefined],
    ['Node 22 (V8 12)', { ...node20, v8: '12.4.254.21-node.33' }, undefined],
    ['Node 24 (V8 13)', { ...node20, v8: '13.6.233.10-node.24' }, undefined],
  ] as const)('%s', (_label, context, expected) => {
    expect(batchTiering(context)).toBe(expected);
  });

  it('sets the flag it decides on, once, and nothing when it decides on none', () => {
    const set: string[] = [];
    expect(tuneTieringForBatch(node20, (f) => set.push(f))).toBe(FLAG);
    expect(tuneTieringForBatch({ ...node20, v8: '12.4.254.21' }, (f) => set.push(f))).toBe(
      undefined,
    );
    expect(set).toEqual([FLAG]);
  });

  it('names a flag this Node knows, wherever it sets one', () => {
    const flag = batchTiering({ ...node20, v8: process.versions.v8 });
    if (flag === undefined) {
      expect(process.versions.v8.startsWith('11.3.')).toBe(false);
      return;
    }
    // V8 prints "unrecognized flag" on standard error for a flag it does not know.
    const r = spawnSync(
      process.execPath,
      ['-e', `require('node:v8').setFlagsFromString(${JSON.stringify(flag)})`],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });
});

describe('batchTiering with the manifest counted', () => {
  it.each([
    ['a short manifest (the main thread verifies)', { ...node20, manifestLines: 10 }, undefined],
    [
      'the longest manifest the main thread verifies',
      { ...node20, manifestLines: MAIN_THREAD_LINES },
      undefined,
    ],
    [
      'a manifest long enough for a worker per core',
      { ...node20, manifestLines: MAIN_THREAD_LINES + 1 },
      FLAG,
    ],
    [
      'a manifest long enough for a worker, on eight cores',
      { ...node20, cores: 8, manifestLines: MAIN_THREAD_LINES + 1 },
      undefined,
    ],
    ['a manifest not counted (long, or a pipe)', { ...node20, manifestLines: undefined }, FLAG],
    [
      'a short manifest with as many workers asked as cores',
      { ...node20, manifestLines: 10, argv: ['verify-batch', '--concurrency', '2', 'm'] },
      FLAG,
    ],
    [
      'one line, two workers asked (one runs)',
      { ...node20, manifestLines: 1, argv: ['verify-batch', '--concurrency', '2', 'm'] },
      undefined,
    ],
    ['a short manifest on one core', { ...node20, cores: 1, manifestLines: 3 }, undefined],
    ['a long manifest on one core', { ...node20, cores: 1, manifestLines: 500 }, FLAG],
  ] as const)('%s', (_label, context, expected) => {
    expect(batchTiering(context)).toBe(expected);
  });
});

describe('wantsEarlyWorker', () => {
  const context: TieringContext = {
    argv: ['verify-batch', 'm.jsonl'],
    execArgv: [],
    v8: process.versions.v8,
    cores: 2,
  };
  it.each([
    ['a manifest not counted (standard input, a pipe, a long file)', context, true],
    ['a counted manifest of one line', { ...context, manifestLines: 1 }, false],
    [
      'the longest the main thread verifies',
      { ...context, manifestLines: MAIN_THREAD_LINES },
      false,
    ],
    ['one line more', { ...context, manifestLines: MAIN_THREAD_LINES + 1 }, true],
    [
      'a short manifest with --concurrency 1 (a worker asked for)',
      { ...context, manifestLines: 3, argv: ['verify-batch', '--concurrency', '1', 'm'] },
      true,
    ],
  ] as const)('%s → %s', (_label, c, expected) => {
    expect(wantsEarlyWorker(c)).toBe(expected);
  });
});
