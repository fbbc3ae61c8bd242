import { ALL_COMMANDS } from './commands/all.js';
import { buildProgram } from './program.js';
import { run } from './run.js';

// Help for the whole program (`flareo`, `flareo --help`, `flareo help <command>`, `flareo
// <command> --help`: see help-route.ts and cli.ts), built as one CommonJS file with every
// command's definition and none of the libraries, so that printing help never starts Node's
// ES module loader.

/** Run the program on `process.argv` (cli.ts calls this once it has loaded the bundle). */
export function main(): Promise<void> {
  return run(async () => buildProgram(ALL_COMMANDS.map(([, register]) => register)));
}
