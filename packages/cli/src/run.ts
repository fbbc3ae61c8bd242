import { type Command, CommanderError } from 'commander';
import { EXIT } from './errors.js';
import { internalErrorLines } from './internal-error.js';
import { commanderErrorLine } from './options.js';

/**
 * How a `flareo` process runs (see {@link run}). Whatever happens, `flareo` ends with a documented exit status and at most
 * a one-line message for anything unexpected (the stack trace only with FLAREO_DEBUG set):
 * - commander's usage errors (bad option value, unknown option, missing argument): 2;
 * - a reader that closes our standard output early (`flareo … | head -1`): the process
 *   ends quietly with the status decided so far (0 unless a failure was already known);
 * - any other error that escapes a command: 2, `flareo: internal error: …`.
 */

/** Write to stderr without ever throwing (stderr may be closed too). */
function say(text: string): void {
  try {
    process.stderr.write(`${text}\n`);
  } catch {
    // nowhere left to report
  }
}

function internalError(error: unknown): never {
  for (const line of internalErrorLines(error)) say(line);
  process.exit(EXIT.usage);
}

function streamError(name: 'stdout' | 'stderr', error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') {
    // The reader is gone (`| head -1`): nothing more can be shown, so stop now, keeping the
    // exit status a command has already decided (a known failure stays a failure).
    process.exit(process.exitCode ?? EXIT.ok);
  }
  if (name === 'stdout')
    say(`flareo: cannot write to standard output: ${error.code ?? error.message}`);
  process.exit(EXIT.usage);
}

/** True when `--json` was given (before a `--` that ends the options). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/**
 * Run the program that `create` builds on `process.argv`, with the handlers above: the one
 * way both entries (`main.ts`, every command; `main-verify.ts`, `flareo verify`) run.
 */
export async function run(create: () => Promise<Command>): Promise<void> {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => streamError('stdout', error));
  process.stderr.on('error', (error: NodeJS.ErrnoException) => streamError('stderr', error));
  process.on('uncaughtException', internalError);
  process.on('unhandledRejection', internalError);
  try {
    await (await create()).parseAsync(process.argv);
  } catch (error) {
    if (!(error instanceof CommanderError)) internalError(error);
    // --help and --version end with 0; every parse error (unknown option, missing argument,
    // invalid option value or choice) is bad usage. Commander has printed the message.
    if (error.exitCode === 0) process.exitCode = EXIT.ok;
    else {
      process.exitCode = EXIT.usage;
      if (wantsJson(process.argv.slice(2))) {
        const message = commanderErrorLine(error.message).replace(/^error: /, '');
        process.stdout.write(`${JSON.stringify({ error: { code: 'USAGE', message } }, null, 2)}\n`);
      }
    }
  }
}
