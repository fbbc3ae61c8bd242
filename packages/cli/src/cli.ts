#!/usr/bin/env node
import * as nodeModule from 'node:module';
import { isHelpOnly } from './help-route.js';
import { internalErrorLines } from './internal-error.js';

/**
 * The `flareo` executable (`dist/cli.cjs`). This entry turns on Node's on-disk compile cache
 * (Node >= 22.1, `module.enableCompileCache`; Node 20 has none and goes on without it) before
 * the command's code is loaded (and, for `verify-batch`, may raise V8's tier-up budget and
 * starts the first worker: see batch-tiering.ts and batch-prestart.ts), which is why that code
 * is loaded from here rather than imported statically: V8 then reuses the bytecode of the
 * bundled files from the cache instead of compiling them at every start. The cache lives in
 * Node's default directory (`node-compile-cache` in the OS temporary directory), or where
 * `NODE_COMPILE_CACHE` says; `NODE_DISABLE_COMPILE_CACHE=1` turns it off. It only holds
 * compiled code, keyed by the file's content: it cannot change a result.
 */
const { enableCompileCache } = nodeModule as { enableCompileCache?: () => unknown };
try {
  enableCompileCache?.();
} catch {
  // A cache directory that cannot be created only costs the speed-up.
}

// `flareo verify` is the command run once per artifact in CI (and `flareo verify-bundle` once per
// case of the Sigstore conformance suite), `flareo verify-image` the one run once per image,
// `flareo vex apply` the one run on every scan, `flareo verify-batch` the one run over many: each
// has its own bundle with everything it needs in one CommonJS file (`dist/verify-command.cjs` from
// main-verify.ts, for both verify commands, `dist/image-command.cjs` from main-image.ts,
// `dist/vex-command.cjs` from main-vex.ts, `dist/batch-command.cjs` from main-batch.ts; see
// tsup.config.ts), loaded by path here so that this build leaves them alone. This entry and those
// bundles are CommonJS because on Node 20 a process whose code is all CommonJS never starts Node's
// ES module loader: measured, 5 to 10 ms less for each of these commands (and some 6 ms of CPU less
// for each verify-batch worker thread). Help for the whole program (`flareo`, `flareo --help`,
// `flareo help <command>`, `flareo <command> --help`) comes from `dist/help-command.cjs`
// (main-help.ts), every command's definition without the libraries (help-route.ts says which
// command lines it answers). Every other command runs from the ESM build (`dist/main.js` and its
// chunks), imported on demand.
const load = nodeModule.createRequire(import.meta.url);
const VERIFY_COMMAND = './verify-command.cjs';
const IMAGE_COMMAND = './image-command.cjs';
const VEX_COMMAND = './vex-command.cjs';
const BATCH_COMMAND = './batch-command.cjs';
const HELP = './help-command.cjs';
const OTHER_COMMANDS = './main.js';

/** What each command bundle exports: its program, run on `process.argv`. */
interface CommandBundle {
  readonly main: () => Promise<void>;
}

async function start(args: readonly string[]): Promise<void> {
  const command = args[0];
  if (command === 'verify' || command === 'verify-bundle') {
    return (load(VERIFY_COMMAND) as CommandBundle).main();
  }
  if (command === 'verify-image') return (load(IMAGE_COMMAND) as CommandBundle).main();
  if (command === 'vex') return (load(VEX_COMMAND) as CommandBundle).main();
  if (command === 'verify-batch') {
    const { startWorkerEarly, tieringContext, tuneTieringForBatch, wantsEarlyWorker } =
      await import('./batch-prestart.js');
    const context = tieringContext();
    tuneTieringForBatch(context);
    if (wantsEarlyWorker(context)) startWorkerEarly(new URL('./batch-worker.cjs', import.meta.url));
    return (load(BATCH_COMMAND) as CommandBundle).main();
  }
  if (isHelpOnly(args)) return (load(HELP) as CommandBundle).main();
  await import(OTHER_COMMANDS);
}

// The programs handle their own errors (run.ts); what can still fail here is loading one of
// the files. That is said as run.ts says an internal error (internal-error.ts), with the
// documented status for it (2).
start(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(
    internalErrorLines(error)
      .map((line) => `${line}\n`)
      .join(''),
  );
  process.exitCode = 2;
});
