import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import {
  manifestArgument,
  onMainThreadByDefault,
  peekLineCount,
  workersFor,
} from './batch-size.js';

// When V8 optimizes a function with TurboFan, it compiles it on background threads. A
// verify-batch process is short (900 lines take about 1.5 s on one core), and in that time V8's
// default tier-up budget sends some hundred functions to TurboFan (measured: ~390 ms of
// compiler time per verifying thread on 900 lines, Node 20), most of which run too few more
// times to win that back. While a core is idle, that compile time is free; when the batch keeps
// every core verifying, the compiler threads take their time from the verifying threads, and
// the more workers, the more they take (each worker is an isolate of its own, which compiles
// the same functions again).
//
// So when every core will verify (as many workers as cores: asked for with `--concurrency`, or
// the default for a manifest long enough, see batch-size.ts), and only on Node 20 (V8 11.3,
// whose only optimizing tier is TurboFan), verify-batch raises V8's interrupt budget, the
// bytecode executed between tier-up checks, before it starts its first worker: fewer
// functions are optimized (43 instead of 105 on those 900 lines, ~93 ms of compiler time
// instead of ~390), the hot ones still are. Node 22 and later tier up through Maglev first, a
// cheaper compiler, and gain little from it (measured with their own tier-up counts raised:
// within 5%); they are left as they are. A budget given on Node's own command line wins. Speed
// only: the flag changes when code is optimized, never what it computes. Only the `flareo`
// process sets it (its entry, cli.ts); the libraries never touch V8's flags.

/** The budget set (bytes of bytecode; V8 11's default is 67,584). */
export const BATCH_INTERRUPT_BUDGET = 200_000;

/** What {@link batchTiering} looks at; the defaults are this process's. */
export interface TieringContext {
  /** The command's arguments (`process.argv` without Node and the script). */
  readonly argv: readonly string[];
  /** Options given to Node itself (`process.execArgv`). */
  readonly execArgv: readonly string[];
  /** V8's version (`process.versions.v8`). */
  readonly v8: string;
  /** Cores this process may use (`os.availableParallelism()`). */
  readonly cores: number;
  /**
   * Non-blank lines of the manifest, when it is a regular file short enough to count before
   * the batch starts (`peekLineCount`); `undefined` when not known (standard input, a pipe, a
   * long file): then it is taken to be long.
   */
  readonly manifestLines?: number | undefined;
}

/** The value of `--concurrency` on a command line, if given (the last one wins, as in commander). */
export function requestedConcurrency(argv: readonly string[]): number | undefined {
  let found: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') break;
    let value: string | undefined;
    if (arg === '--concurrency') value = argv[++i];
    else if (arg.startsWith('--concurrency=')) value = arg.slice('--concurrency='.length);
    else continue;
    // Not a positive integer: the command refuses it; the tuning does not matter then.
    found = value !== undefined && /^[1-9][0-9]*$/.test(value) ? Number(value) : undefined;
  }
  return found;
}

/**
 * The V8 flag verify-batch sets for this batch (see above), or `undefined` when it sets none:
 * another V8 than Node 20's (11.3), an interrupt budget given to Node already, or fewer
 * workers than there are cores (fewer asked for, or a manifest short enough for fewer: on
 * such a one, measured, the raised budget made one worker slower).
 */
export function batchTiering(context: TieringContext): string | undefined {
  if (!context.v8.startsWith('11.3.')) return undefined;
  const given = (a: string) =>
    a.startsWith('--interrupt-budget') || a.startsWith('--interrupt_budget');
  if (context.execArgv.some(given)) return undefined;
  const lines = context.manifestLines ?? Number.POSITIVE_INFINITY;
  const asked = requestedConcurrency(context.argv);
  if (onMainThreadByDefault(asked, lines)) return undefined; // no worker
  if (workersFor(asked, lines, context.cores) < context.cores) return undefined;
  return `--interrupt-budget=${BATCH_INTERRUPT_BUDGET}`;
}

/**
 * Whether the entry should start verify-batch's first worker before loading the command (see
 * batch-prestart.ts): always, unless the manifest was counted and is short enough to be
 * verified on the main thread (no `--concurrency`, at most MAIN_THREAD_LINES lines).
 */
export function wantsEarlyWorker(context: TieringContext): boolean {
  return !onMainThreadByDefault(
    requestedConcurrency(context.argv),
    context.manifestLines ?? Number.POSITIVE_INFINITY,
  );
}

/** This process's {@link TieringContext}: its arguments, Node's options, V8, cores, manifest. */
export function tieringContext(): TieringContext {
  const argv = process.argv.slice(2);
  const manifest = manifestArgument(argv);
  return {
    argv,
    execArgv: process.execArgv,
    v8: process.versions.v8,
    cores: availableParallelism(),
    manifestLines: manifest === undefined ? undefined : peekLineCount(manifest),
  };
}

/** Apply {@link batchTiering} to this process, before any worker thread starts. */
export function tuneTieringForBatch(
  context: TieringContext = tieringContext(),
  set: (flags: string) => void = setFlagsFromString,
): string | undefined {
  const flag = batchTiering(context);
  if (flag !== undefined) set(flag);
  return flag;
}
