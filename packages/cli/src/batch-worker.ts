import { parentPort, workerData } from 'node:worker_threads';
import { type BatchSetup, createLineVerifier, type LineOutput } from './batch.js';
import { reportOf } from './errors.js';
import { markStdinRead } from './io.js';

/**
 * A `verify-batch` worker thread. It receives chunks of manifest lines, reads the files they
 * name itself, verifies them and answers with each line's outcome and the exact text to
 * print, so that the main thread only writes. Messages:
 *   in:  { seq, lines: [{ line, text }] }
 *   out: { type: 'ready' } once, then { seq, results: [{ outcome, text }] } per chunk,
 *        or { type: 'fatal', report } when the trust material cannot be loaded.
 */
export interface BatchChunk {
  readonly seq: number;
  readonly lines: readonly { readonly line: number; readonly text: string }[];
}
export type BatchReply =
  | { readonly type: 'ready' }
  | { readonly type: 'fatal'; readonly report: ReturnType<typeof reportOf> }
  | { readonly type: 'results'; readonly seq: number; readonly results: readonly LineOutput[] };

const setup = workerData as BatchSetup & { readonly stdinIsManifest: boolean };
const port = parentPort;
if (port) {
  // Standard input was the manifest: a line naming `-` gets the same "named twice" error.
  if (setup.stdinIsManifest) markStdinRead('manifest');
  try {
    const verifyLine = await createLineVerifier(setup);
    port.on('message', (chunk: BatchChunk) => {
      const results = chunk.lines.map((l) => verifyLine(l.text, l.line));
      port.postMessage({ type: 'results', seq: chunk.seq, results } satisfies BatchReply);
    });
    port.postMessage({ type: 'ready' } satisfies BatchReply);
  } catch (error) {
    port.postMessage({ type: 'fatal', report: reportOf(error) } satisfies BatchReply);
  }
}
