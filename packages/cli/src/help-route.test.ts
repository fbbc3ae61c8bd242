import { describe, expect, it } from 'vitest';
import { isHelpOnly } from './help-route.js';

describe('isHelpOnly', () => {
  it.each([
    [[], true],
    [['--help'], true],
    [['-h'], true],
    [['help'], true],
    [['help', 'score'], true],
    [['help', 'no-such-command'], true],
    [['score', '--help'], true],
    [['trust-root', '-h'], true],
    [['no-such-command', '--help'], true],
  ])('%j: help only', (args, expected) => {
    expect(isHelpOnly(args)).toBe(expected);
  });

  it.each([
    // A command that may run.
    [['score']],
    [['score', 'input.json']],
    [['--version']],
    [['-V']],
    [['policy', 'eval', '--help']],
    [['help', 'trust-root', 'inspect']],
    // An option first: commander reads it as the program's, which help-route does not judge.
    [['--no-color', '--help']],
    [['-x', '-h']],
    // Help asked for after an argument, or a flag that only looks like help.
    [['score', 'input.json', '--help']],
    [['score', '--helps']],
    [['score', '-H']],
    [['--HELP']],
    [['']],
  ])('%j: left to the build that runs commands', (args) => {
    expect(isHelpOnly(args)).toBe(false);
  });
});
