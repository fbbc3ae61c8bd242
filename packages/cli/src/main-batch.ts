import { registerVerifyBatch } from './commands/verify-batch.js';
import { buildProgram } from './program.js';
import { run } from './run.js';

// `flareo verify-batch …` (see cli.ts and tsup.config.ts): built as one file with everything
// the command needs, so its start-up loads one module rather than about twenty chunks (its
// worker threads load `batch-worker.js`, also one file).
await run(async () => buildProgram([registerVerifyBatch]));
