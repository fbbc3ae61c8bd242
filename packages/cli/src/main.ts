import { createProgram } from './commands.js';
import { run } from './run.js';

// Every command but `verify` (see cli.ts): the program with the commands the arguments need.
await run(() => createProgram());
