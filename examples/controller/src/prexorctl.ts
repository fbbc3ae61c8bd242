#!/usr/bin/env node
import { runPrexorctl } from './client.js';

runPrexorctl(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`prexorctl: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
