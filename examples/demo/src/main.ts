#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readInputs, runDemo } from './report.js';

// Usage: flareo-demo [file | file+file+... ...]   (files joined by + form one PEM bundle)
// With no arguments: the real public-good PEM files of the repository's interop fixtures
// (fixtures/vectors), concatenated into one bundle as an operator would, plus
// trusted_root.json.
function defaultArgs(): string[] {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const dir = join(repo, 'fixtures', 'vectors', 'sigstore', 'public-good');
  if (!existsSync(dir)) return [];
  const pem = ['fulcio_v1.crt.pem', 'fulcio_intermediate_v1.crt.pem', 'rekor.pub', 'ctfe.pub'];
  return [pem.map((f) => join(dir, f)).join('+'), join(dir, 'trusted_root.json')];
}

const args = process.argv.slice(2);
const { output, exitCode } = runDemo(readInputs(args.length ? args : defaultArgs()));
console.log(output);
process.exitCode = exitCode;
