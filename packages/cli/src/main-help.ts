import { createProgram } from './commands.js';
import { run } from './run.js';

// Help for the whole program (`flareo`, `flareo --help`, `flareo help <command>`, `flareo
// <command> --help`: see help-route.ts and cli.ts): the program of the ESM build's main.ts,
// every command's definition, built as one CommonJS file without the libraries, so that
// printing help never starts Node's ES module loader.

/** Run the program on `process.argv` (cli.ts calls this once it has loaded the bundle). */
export function main(): Promise<void> {
  return run(() => createProgram());
}
