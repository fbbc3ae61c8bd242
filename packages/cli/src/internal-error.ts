import { oneLine } from './text.js';

// How `flareo` reports an error nothing expected, the same from the program (run.ts) and from
// the entry that loads it (cli.ts). Its own module without commander, so the entry stays small.

/**
 * The lines printed for an unexpected error: `flareo: internal error: …` on one line, then its
 * stack trace when FLAREO_DEBUG is set (not empty), else how to get it.
 */
export function internalErrorLines(error: unknown, env = process.env): readonly string[] {
  const message = error instanceof Error ? error.message : String(error);
  const debug = env.FLAREO_DEBUG !== undefined && env.FLAREO_DEBUG !== '';
  const stack = error instanceof Error ? error.stack : undefined;
  return [
    `flareo: internal error: ${oneLine(message)}`,
    debug && stack ? stack : '(set FLAREO_DEBUG=1 for the stack trace)',
  ];
}
