import { createProgram } from './commands.js';
import { run } from './run.js';

// Every run the entry does not hand to a command's own bundle (see cli.ts), built as ESM with
// shared chunks (`dist/main.js`): the program with the commands the arguments need.
await run(() => createProgram());
