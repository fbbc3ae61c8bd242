import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { RuntimeBundle } from './bundle.js';
import type { CaseResult } from './cases.js';
import { RuntimeTestError } from './errors.js';
import { parseResults } from './results.js';

/** The workerd binary shipped by the npm `workerd` package, and the newest date it supports. */
export interface WorkerdBinary {
  /** Path of the executable. */
  readonly path: string;
  /** The package's version, e.g. `1.20261123.1`. */
  readonly version: string;
  /** The newest compatibility date this binary supports. */
  readonly compatibilityDate: string;
}

/**
 * Locate the workerd binary of the npm `workerd` package (its platform build comes in
 * `@cloudflare/workerd-<os>-<arch>`, a registry package: nothing is downloaded at run time).
 * Returns `undefined` when the package or its platform build is not installed.
 */
export function findWorkerd(): WorkerdBinary | undefined {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require('workerd') as {
      default: string;
      version: string;
      compatibilityDate: string;
    };
    accessSync(pkg.default, constants.X_OK);
    return { path: pkg.default, version: pkg.version, compatibilityDate: pkg.compatibilityDate };
  } catch {
    return undefined;
  }
}

/** Options of {@link runInWorkerd}. */
export interface WorkerdRunOptions {
  /** The binary. Defaults to {@link findWorkerd}'s. */
  readonly binary?: WorkerdBinary | undefined;
  /**
   * The worker's compatibility date. Defaults to `2025-09-01`: a fixed date, so that a workerd
   * upgrade does not silently change the behaviour under test.
   */
  readonly compatibilityDate?: string | undefined;
  /** How long workerd may take to start and answer. Defaults to 30,000 ms. */
  readonly timeoutMs?: number | undefined;
}

/**
 * The whole workerd configuration: one worker made of one ES module, no compatibility flags
 * (in particular no `nodejs_compat`: the code must run on the Workers platform alone), served
 * over HTTP on a loopback port that workerd chooses and reports on the control fd.
 */
function config(compatibilityDate: string): string {
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .testWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);

const testWorker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = ${JSON.stringify(compatibilityDate)},
);
`;
}

function readPort(control: Readable): Promise<number> {
  return new Promise((ok, fail) => {
    let text = '';
    control.setEncoding('utf8');
    control.on('data', (chunk: string) => {
      text += chunk;
      for (const line of text.split('\n')) {
        try {
          const event = JSON.parse(line) as { event?: string; socket?: string; port?: number };
          if (
            event.event === 'listen' &&
            event.socket === 'http' &&
            typeof event.port === 'number'
          ) {
            ok(event.port);
          }
        } catch {
          // a partial line: wait for the rest
        }
      }
    });
    control.on('error', fail);
  });
}

/**
 * Run a `workerd` bundle of a case module in workerd: write the module and a config to a
 * temporary directory, start `workerd serve`, fetch the results over loopback HTTP, stop it.
 * @throws {RuntimeTestError} `TOOL_MISSING` without the binary, `RUNTIME_FAILED` when the
 *   worker does not start or answers with an error, `RUNTIME_TIMEOUT`, `RESULTS_INVALID`.
 */
export async function runInWorkerd(
  bundle: RuntimeBundle,
  options: WorkerdRunOptions = {},
): Promise<CaseResult[]> {
  const binary = options.binary ?? findWorkerd();
  if (!binary) {
    throw new RuntimeTestError(
      'TOOL_MISSING',
      'workerd is not installed: add the npm `workerd` package (its platform build comes with it)',
      { target: 'workerd' },
    );
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  const dir = await mkdtemp(join(tmpdir(), 'flareo-runtime-workerd-'));
  await writeFile(join(dir, 'worker.js'), bundle.code);
  await writeFile(join(dir, 'config.capnp'), config(options.compatibilityDate ?? '2025-09-01'));
  let stderr = '';
  const child = spawn(binary.path, ['serve', join(dir, 'config.capnp'), '--control-fd=3'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<never>((_ok, fail) => {
    child.once('error', (error) =>
      fail(
        new RuntimeTestError('RUNTIME_FAILED', `workerd did not start: ${error.message}`, {
          target: 'workerd',
        }),
      ),
    );
    child.once('exit', (code, signal) =>
      fail(
        new RuntimeTestError(
          'RUNTIME_FAILED',
          `workerd exited (${signal ?? `code ${code}`}) before answering: ${stderr.trim()}`,
          { target: 'workerd', actual: stderr },
        ),
      ),
    );
  });
  exited.catch(() => undefined);
  child.stdout?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_ok, fail) => {
    timer = setTimeout(
      () =>
        fail(
          new RuntimeTestError(
            'RUNTIME_TIMEOUT',
            `workerd gave no results within ${timeoutMs} ms`,
            {
              target: 'workerd',
              actual: stderr,
            },
          ),
        ),
      timeoutMs,
    );
  });
  try {
    const work = (async () => {
      const port = await readPort(child.stdio[3] as Readable);
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: abort.signal });
      const text = await res.text();
      if (res.status !== 200) {
        throw new RuntimeTestError(
          'RUNTIME_FAILED',
          `the worker answered ${res.status}: ${text.slice(0, 500)} ${stderr.trim()}`,
          { target: 'workerd', actual: { status: res.status, body: text, stderr } },
        );
      }
      return JSON.parse(text) as unknown;
    })();
    // Once the race is lost (timeout, crash) the work's own failure is of no interest.
    work.catch(() => undefined);
    const results = await Promise.race([work, exited, timeout]);
    return parseResults(results, 'workerd');
  } finally {
    clearTimeout(timer);
    abort.abort();
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((ok) => child.once('exit', () => ok()));
      // SIGKILL: on SIGTERM workerd drains requests in flight, which a hung case never ends.
      // The process holds nothing worth a clean shutdown.
      child.kill('SIGKILL');
      await gone;
    }
    await rm(dir, { recursive: true, force: true });
  }
}
