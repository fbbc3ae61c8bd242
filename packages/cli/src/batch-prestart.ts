import { Worker } from 'node:worker_threads';

export { tieringContext, tuneTieringForBatch, wantsEarlyWorker } from './batch-tiering.js';

// `flareo verify-batch` starts its first worker thread from the entry (cli.ts), before the
// command's own bundle is even loaded: a worker takes some 60 ms to start a Node environment
// and load its code, and the main thread takes some 40 ms to load the command, parse the
// arguments and read the first lines. Started early, the two overlap. The worker waits for its
// set-up (the first message) and is unreferenced until the batch takes it, so a usage error,
// `--help` or any other early end exits as before. The entry and the command are separate
// bundles that share no module state: the worker is handed over through a global slot.

/** `workerData` of a worker started early: its set-up arrives as the first message. */
export const AWAIT_SETUP = 'flareo:await-setup';

/** The first message to an early-started worker. */
export interface SetupMessage<T> {
  readonly type: 'setup';
  readonly setup: T;
}

const SLOT = Symbol.for('flareo.verify-batch.early-worker');

interface Early {
  readonly worker: Worker;
  gone: boolean;
}

type Slots = Record<symbol, Early | undefined>;

/** Start the first verify-batch worker thread now (see above). */
export function startWorkerEarly(url: URL): void {
  const early: Early = { worker: new Worker(url, { workerData: AWAIT_SETUP }), gone: false };
  early.worker.unref();
  // Until the batch takes it, an error or an exit only means the batch starts its own worker.
  early.worker.once('error', () => {
    early.gone = true;
  });
  early.worker.once('exit', () => {
    early.gone = true;
  });
  (globalThis as Slots)[SLOT] = early;
}

/** Whether the entry started a worker early that no batch has taken yet. */
export function earlyWorkerStarted(): boolean {
  return (globalThis as Slots)[SLOT] !== undefined;
}

/**
 * The worker started early, if any and still running, referenced again (the process now waits
 * for it); `undefined` otherwise. A worker is taken at most once.
 */
export function takeEarlyWorker(): Worker | undefined {
  const slots = globalThis as Slots;
  const early = slots[SLOT];
  delete slots[SLOT];
  if (early === undefined) return undefined;
  if (early.gone) {
    void early.worker.terminate();
    return undefined;
  }
  early.worker.ref();
  return early.worker;
}
