import { registerVerify } from './commands/verify.js';
import { buildProgram } from './program.js';
import { run } from './run.js';

// `flareo verify …` (see cli.ts and tsup.config.ts): built as one CommonJS file with
// everything the command needs, so its start-up loads one module rather than some twenty
// chunks.

/** Run the program on `process.argv` (cli.ts calls this once it has loaded the bundle). */
export function main(): Promise<void> {
  return run(async () => buildProgram([registerVerify]));
}
