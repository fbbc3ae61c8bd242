import { parentPort, workerData } from 'node:worker_threads';
import { type BatchSetup, createLineVerifier, type LineOutput } from './batch.js';
import { AWAIT_SETUP, type SetupMessage } from './batch-prestart.js';
import { reportOf } from './errors.js';
import { markStdinRead } from './io.js';

/**
 * A `verify-batch` worker thread. It receives chunks of manifest lines, reads the files they
 * name itself, verifies them and answers with each line's outcome and the exact text to
 * print, so that the main thread only writes. Messages:
 *   in:  { type: 'setup', setup } first when the entry started the worker early (its
 *        `workerData` is then AWAIT_SETUP), then { seq, lines: [{ line, text }] } per chunk
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

type Setup = BatchSetup & { readonly stdinIsManifest: boolean };

const port = parentPort;
if (port) {
  // Chunks that arrive while the trust material is being loaded wait here, in order.
  const waiting: BatchChunk[] = [];
  let verifyLine: ((text: string, line: number) => LineOutput) | undefined;
  const answer = (chunk: BatchChunk) => {
    const verify = verifyLine as (text: string, line: number) => LineOutput;
    const results = chunk.lines.map((l) => verify(l.text, l.line));
    port.postMessage({ type: 'results', seq: chunk.seq, results } satisfies BatchReply);
  };
  const begin = async (setup: Setup) => {
    // Standard input was the manifest: a line naming `-` gets the same "named twice" error.
    if (setup.stdinIsManifest) markStdinRead('manifest');
    try {
      verifyLine = await createLineVerifier(setup);
      for (const chunk of waiting.splice(0)) answer(chunk);
      port.postMessage({ type: 'ready' } satisfies BatchReply);
    } catch (error) {
      port.postMessage({ type: 'fatal', report: reportOf(error) } satisfies BatchReply);
    }
  };
  port.on('message', (message: BatchChunk | SetupMessage<Setup>) => {
    if ('type' in message) void begin(message.setup);
    else if (verifyLine) answer(message);
    else waiting.push(message);
  });
  // Started early by the entry (batch-prestart.ts), the set-up comes as the first message.
  if (workerData !== AWAIT_SETUP) void begin(workerData as Setup);
}
