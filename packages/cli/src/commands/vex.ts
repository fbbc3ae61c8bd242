import type { Command } from 'commander';
import type { Output } from '../output.js';
import { registerApply } from './vex-apply.js';
import { registerMerge } from './vex-merge.js';
import { registerValidate } from './vex-validate.js';

/** `flareo vex validate|merge|apply`. */
export function registerVex(program: Command, out: Output): void {
  const vex = program
    .command('vex')
    .summary('validate, merge and apply OpenVEX documents')
    .description('Validate, merge and apply OpenVEX 0.2.0 documents.');
  registerValidate(vex, out);
  registerMerge(vex, out);
  registerApply(vex, out);
}
