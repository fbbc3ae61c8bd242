import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config.js';
import { type Controller, createController } from '../../src/controller.js';
import type { ModuleStoreOptions } from '../../src/store.js';

export const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CONTROLLER_BIN = join(PACKAGE_DIR, 'dist/main.js');
export const PREXORCTL_BIN = join(PACKAGE_DIR, 'dist/prexorctl.js');

const made: string[] = [];

/** A fresh temporary directory holding `files` (relative names); removed by {@link cleanupDirs}. */
export function setupDir(files: Record<string, string | Uint8Array> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'flareo-controller-'));
  made.push(dir);
  writeFiles(dir, files);
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
}

export function cleanupDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Entries of the modules directory (including hidden staging directories, not the lock). */
export function modulesOnDisk(dir: string): string[] {
  try {
    return readdirSync(join(dir, 'modules'))
      .filter((e) => e !== '.controller.lock')
      .sort();
  } catch {
    return [];
  }
}

/** Lines of the audit log as objects. */
export function auditLines(dir: string): Record<string, unknown>[] {
  try {
    return readFileSync(join(dir, 'audit.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch {
    return [];
  }
}

/** The YAML of a controller config listening on 127.0.0.1:0, with the given signing block. */
export function controllerYaml(profile: 'development' | 'production', signing: string): string {
  return `runtime:
  profile: ${profile}
controller:
  listen:
    host: 127.0.0.1
    port: 0
modules:
  signing:
${signing
  .trim()
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
`;
}

/** A controller started in this process from `dir/controller.yml`. */
export interface InProcess {
  readonly controller: Controller;
  readonly url: string;
  close(): Promise<void>;
}

export async function startInProcess(
  dir: string,
  store: ModuleStoreOptions = {},
): Promise<InProcess> {
  const controller = await createController(loadConfig(join(dir, 'controller.yml')), { store });
  const url = await controller.listen({ host: '127.0.0.1', port: 0 });
  return { controller, url, close: () => controller.close() };
}

/** Response of {@link install}. */
export interface Reply {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies freely
  readonly body: any;
}

/** POST a module (and its bundle or signature) to a controller. */
export async function install(
  url: string,
  module: { name: string; bytes: Uint8Array },
  signature?: { part: 'bundle' | 'signature'; name: string; bytes: Uint8Array | string },
  extra: { name?: string } = {},
): Promise<Reply> {
  const form = new FormData();
  if (extra.name !== undefined) form.append('name', extra.name);
  form.append('module', new Blob([module.bytes]), module.name);
  if (signature) form.append(signature.part, new Blob([signature.bytes]), signature.name);
  return request(url, '/api/v1/modules', { method: 'POST', body: form });
}

export async function request(url: string, path: string, init: RequestInit = {}): Promise<Reply> {
  const response = await fetch(new URL(path, url), init);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** A controller running as a child process from the built dist. */
export interface ChildController {
  readonly url: string;
  readonly child: ChildProcess;
  /** Standard output so far; complete once {@link ChildController.closed} has resolved. */
  readonly stdout: () => string;
  readonly stderr: () => string;
  /**
   * Resolves to the exit code once the process has exited AND its stdout and stderr pipes
   * are drained ('close', not 'exit': after 'exit' the last log lines may still be unread).
   */
  readonly closed: Promise<number | null>;
  /** Send `signal` (default SIGTERM) unless it already exited; then wait for {@link closed}. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** How long a child controller may take to start listening before the test gives up. */
const START_TIMEOUT_MS = 30_000;

/**
 * Start `flareo-controller --config dir/controller.yml` and wait for its readiness line
 * (`controller listening`, logged after the signal handlers are installed and the port is
 * open). Only complete lines are parsed: a chunk may end in the middle of a line.
 */
export function startChild(dir: string, args: string[] = []): Promise<ChildController> {
  const child = spawn(
    process.execPath,
    [CONTROLLER_BIN, '--config', join(dir, 'controller.yml'), ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  let scanned = 0;
  let url: string | undefined;
  const closed = new Promise<number | null>((res) => child.once('close', (code) => res(code)));
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`controller did not listen within ${START_TIMEOUT_MS} ms:\n${out}\n${err}`));
    }, START_TIMEOUT_MS);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (url !== undefined) return;
      const end = out.lastIndexOf('\n');
      if (end < scanned) return;
      const lines = out.slice(scanned, end).split('\n');
      scanned = end + 1;
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'controller listening' && entry.url) {
          url = entry.url;
          clearTimeout(timer);
          resolvePromise({
            url,
            child,
            stdout: () => out,
            stderr: () => err,
            closed,
            async stop(signal: NodeJS.Signals = 'SIGTERM') {
              if (child.exitCode === null && child.signalCode === null) child.kill(signal);
              return closed;
            },
          });
          return;
        }
      }
    });
    void closed.then((code) => {
      clearTimeout(timer);
      if (url === undefined)
        reject(new Error(`controller exited with ${code} before listening:\n${out}\n${err}`));
    });
  });
}

/** Run a built bin to completion. */
export function runBin(
  bin: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [bin, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PREXORCTL_CONTROLLER: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.once('close', (code) => res({ code, stdout, stderr }));
  });
}
