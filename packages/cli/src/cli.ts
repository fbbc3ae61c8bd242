#!/usr/bin/env node
import * as nodeModule from 'node:module';

/**
 * The `flareo` executable. This entry turns on Node's on-disk compile cache (Node >= 22.1,
 * `module.enableCompileCache`; Node 20 has none and goes on without it) before the command's
 * code is loaded (and, for `verify-batch`, may raise V8's tier-up budget and starts the first
 * worker: see batch-tiering.ts and batch-prestart.ts), which is why that code is imported from
 * here rather than statically: V8 then reuses the bytecode of the bundled files from the
 * cache instead of compiling them at every start. The cache lives in Node's default directory
 * (`node-compile-cache` in the OS temporary directory), or where `NODE_COMPILE_CACHE` says;
 * `NODE_DISABLE_COMPILE_CACHE=1` turns it off. It only holds compiled code, keyed by the
 * file's content: it cannot change a result.
 */
const { enableCompileCache } = nodeModule as { enableCompileCache?: () => unknown };
try {
  enableCompileCache?.();
} catch {
  // A cache directory that cannot be created only costs the speed-up.
}

// `flareo verify` is the command run once per artifact in CI, `flareo vex apply` the one run
// on every scan, `flareo verify-batch` the one run over many: each has its own bundle with
// everything it needs in one file (`dist/verify-command.js` from main-verify.ts,
// `dist/vex-command.js` from main-vex.ts, `dist/batch-command.js` from main-batch.ts; see
// tsup.config.ts), not imported by name here so that this build leaves them alone.
const VERIFY_COMMAND = './verify-command.js';
const VEX_COMMAND = './vex-command.js';
const BATCH_COMMAND = './batch-command.js';
const command = process.argv[2];
if (command === 'verify') await import(VERIFY_COMMAND);
else if (command === 'vex') await import(VEX_COMMAND);
else if (command === 'verify-batch') {
  const { startWorkerEarly, tuneTieringForBatch } = await import('./batch-prestart.js');
  tuneTieringForBatch();
  startWorkerEarly(new URL('./batch-worker.js', import.meta.url));
  await import(BATCH_COMMAND);
} else await import('./main.js');
