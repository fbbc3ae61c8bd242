#!/usr/bin/env node
import { CommanderError } from 'commander';
import { EXIT } from './errors.js';
import { createProgram } from './program.js';

try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  // --help and --version end with 0; every parse error (unknown option, missing argument,
  // invalid choice) is bad usage.
  process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
}
