import type { Command } from 'commander';
import { Output } from './output.js';
import { buildProgram, type Register } from './program.js';

/**
 * The commands a run with these arguments (`process.argv`) needs: all of them (one module,
 * `commands/all.ts`, loaded on demand), except for `flareo --version` alone, which needs
 * none. (`flareo verify` does not come here: it has its own bundle, see cli.ts.) One module
 * rather than one per command: on Node 20 each extra module costs about half a millisecond,
 * more than the definitions of the other commands cost to read.
 */
async function commandsFor(argv: readonly string[]): Promise<readonly Register[]> {
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) return [];
  return (await import('./commands/all.js')).ALL_COMMANDS.map(([, register]) => register);
}

/** The `flareo` program with the commands that `argv` (default `process.argv`) needs. */
export async function createProgram(
  out: Output = new Output(),
  argv: readonly string[] = process.argv,
): Promise<Command> {
  return buildProgram(await commandsFor(argv), out);
}
