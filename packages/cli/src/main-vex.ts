import { registerVex } from './commands/vex.js';
import { buildProgram } from './program.js';
import { run } from './run.js';

// `flareo vex …` (see cli.ts and tsup.config.ts): built as one file with everything the
// commands need, so their start-up loads one module rather than about ten chunks.
await run(async () => buildProgram([registerVex]));
