import { registerVex } from './commands/vex.js';
import { buildProgram } from './program.js';
import { run } from './run.js';

// `flareo vex …` (see cli.ts and tsup.config.ts): built as one CommonJS file with everything
// the commands need, so their start-up loads one module rather than about ten chunks.

/** Run the program on `process.argv` (cli.ts calls this once it has loaded the bundle). */
export function main(): Promise<void> {
  return run(async () => buildProgram([registerVex]));
}
