import type { Command } from 'commander';
import type { Output } from '../output.js';
import { registerPolicy } from './policy.js';
import { registerScore } from './score.js';
import { registerTrustRoot } from './trust-root.js';
import { registerVerify, registerVerifyBundle } from './verify.js';
import { registerVerifyBatch } from './verify-batch.js';
import { registerVerifyImage } from './verify-image.js';
import { registerVex } from './vex.js';

/**
 * Every top-level command, in the order `--help` lists them: one module, so that a run that
 * needs them all (help, a misspelt command) loads one file, not one per command.
 */
export const ALL_COMMANDS: readonly (readonly [
  name: string,
  register: (program: Command, out: Output) => void,
])[] = [
  ['verify', registerVerify],
  ['verify-bundle', registerVerifyBundle],
  ['verify-batch', registerVerifyBatch],
  ['verify-image', registerVerifyImage],
  ['vex', registerVex],
  ['score', registerScore],
  ['policy', registerPolicy],
  ['trust-root', registerTrustRoot],
];
