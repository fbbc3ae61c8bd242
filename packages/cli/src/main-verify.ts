import { registerVerify } from './commands/verify.js';
import { buildProgram } from './program.js';
import { run } from './run.js';

// `flareo verify …` (see cli.ts and tsup.config.ts): built as one file with everything the
// command needs, so its start-up loads one module rather than some twenty chunks.
await run(async () => buildProgram([registerVerify]));
