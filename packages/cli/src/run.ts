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

/**
 * End the process as soon as what the command wrote has been handed to the system. Left to
 * end by itself, Node first tears down the whole JavaScript heap, which nothing here needs:
 * some 5 ms of a `flareo vex apply` on a 10,000-finding report (see the CLI's README). A write
 * of nothing calls back once every write before it is done, so output still queued for a slow
 * reader (writes to pipes are asynchronous on POSIX, to terminals on Windows) is never cut
 * short. A stream that failed calls back with its error: the process is then left to
 * `streamError`, which ends it with the status that failure has. Otherwise the status is the
 * one decided so far (`process.exitCode`, 0 when none was set).
 */
function endOnceWritten(): void {
  let open = 2;
  const written = (error?: Error | null) => {
    if (error) return;
    open -= 1;
    if (open === 0) process.exit();
  };
  process.stdout.write('', written);
  process.stderr.write('', written);
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
  endOnceWritten();
}
