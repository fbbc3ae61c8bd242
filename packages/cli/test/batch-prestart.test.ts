import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AWAIT_SETUP, startWorkerEarly, takeEarlyWorker } from '../src/batch-prestart.js';
import { flareo, Scratch } from './helpers.js';

// The entry starts verify-batch's first worker before the command is loaded: the batch takes
// it once, a worker that died before that is not taken, and one never taken does not keep the
// process alive.

const dir = mkdtempSync(join(tmpdir(), 'flareo-prestart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const echo = join(dir, 'echo.mjs');
writeFileSync(
  echo,
  `import { parentPort, workerData } from 'node:worker_threads';
parentPort.on('message', (m) => parentPort.postMessage({ workerData, m }));
if (process.env.FLAREO_TEST_DIE) process.exit(3);`,
);

describe('batch-prestart', () => {
  it('hands the early worker over once, waiting for its set-up', async () => {
    startWorkerEarly(pathToFileURL(echo));
    const worker = takeEarlyWorker();
    expect(worker).toBeDefined();
    expect(takeEarlyWorker()).toBeUndefined();
    worker?.postMessage({ type: 'setup', setup: 42 });
    const [reply] = (await once(worker as NonNullable<typeof worker>, 'message')) as [unknown];
    expect(reply).toEqual({ workerData: AWAIT_SETUP, m: { type: 'setup', setup: 42 } });
    await worker?.terminate();
  });

  it('does not hand over a worker that has already exited', async () => {
    process.env.FLAREO_TEST_DIE = '1';
    try {
      startWorkerEarly(pathToFileURL(echo));
      // Wait until it has gone (the slot notices its exit).
      for (let i = 0; i < 200; i++) {
        await new Promise((r) => setTimeout(r, 10));
        const probe = (globalThis as Record<symbol, { gone: boolean } | undefined>)[
          Symbol.for('flareo.verify-batch.early-worker')
        ];
        if (probe?.gone) break;
      }
      expect(takeEarlyWorker()).toBeUndefined();
    } finally {
      delete process.env.FLAREO_TEST_DIE;
    }
  });
});

describe('verify-batch with the early worker', () => {
  const scratch = new Scratch();
  afterAll(() => scratch.remove());
  // The entry starts a worker for each of these; none takes it, and each process must end by
  // itself (a worker kept referenced would hold it until the test times out).
  it('ends by itself when the batch never starts (usage errors, help, an empty manifest)', async () => {
    const empty = scratch.write('empty.jsonl', '\n');
    for (const args of [
      ['verify-batch', empty],
      ['verify-batch', '--help'],
      ['verify-batch', '--concurrency', '0', empty],
      ['verify-batch', join(scratch.dir, 'absent.jsonl')],
    ]) {
      const r = await flareo(args);
      expect([0, 2], args.join(' ')).toContain(r.code);
    }
  });
});
