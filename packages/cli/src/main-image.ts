import { registerVerifyImage } from './commands/verify-image.js';
import { buildProgram } from './program.js';
import { run } from './run.js';

// `flareo verify-image …` (see cli.ts and tsup.config.ts): built as one CommonJS file with
// everything the command needs but undici (loaded from `dist/vendor/` when a registry is
// read), so its start-up loads one module rather than some twenty chunks and no ES module
// loader.

/** Run the program on `process.argv` (cli.ts calls this once it has loaded the bundle). */
export function main(): Promise<void> {
  return run(async () => buildProgram([registerVerifyImage]));
}
