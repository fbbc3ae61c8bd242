import { registerVerifyBatch } from './commands/verify-batch.js';
import { buildProgram } from './program.js';
import { run } from './run.js';

// `flareo verify-batch …` (see cli.ts and tsup.config.ts): built as one CommonJS file with
// everything the command needs, so its start-up loads one module rather than about twenty
// chunks (its worker threads load `batch-worker.cjs`, also one file).

/** Run the program on `process.argv` (cli.ts calls this once it has loaded the bundle). */
export function main(): Promise<void> {
  return run(async () => buildProgram([registerVerifyBatch]));
}
