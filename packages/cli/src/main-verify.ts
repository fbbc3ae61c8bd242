import { registerVerify, registerVerifyBundle } from './commands/verify.js';
import { buildProgram } from './program.js';
import { run } from './run.js';

// `flareo verify …` and `flareo verify-bundle …` (the Sigstore conformance suite's client
// protocol, one process per case; see cli.ts and tsup.config.ts): built as one CommonJS file
// with everything the two commands need (one module, commands/verify.ts, defines both), so
// their start-up loads one module rather than some twenty chunks.

/** Run the program on `process.argv` (cli.ts calls this once it has loaded the bundle). */
export function main(): Promise<void> {
  return run(async () => buildProgram([registerVerify, registerVerifyBundle]));
}
