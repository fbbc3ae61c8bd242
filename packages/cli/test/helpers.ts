import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built command, exactly what `bin` points at. */
export const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.cjs');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly input?: string | Uint8Array;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /**
   * Read nothing of standard output for this many milliseconds, as a slow reader would: what
   * the program writes meanwhile beyond the pipe's buffer waits in the program. Default 0.
   */
  readonly readStdoutAfterMs?: number;
}

/**
 * Run a program to its end, collecting both outputs. FORCE_COLOR is removed, not emptied:
 * Node 22+ warns on stderr when both are set; NO_COLOR is set unless the caller overrides it.
 */
export function run(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<CliRun> {
  const { FORCE_COLOR: _forced, ...inherited } = process.env;
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? process.cwd(),
      env: { ...inherited, NO_COLOR: '1', ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    if (options.readStdoutAfterMs) {
      // Paused before anything is read; a paused stream stays paused until resumed.
      child.stdout?.pause();
      setTimeout(() => child.stdout?.resume(), options.readStdoutAfterMs);
    }
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', fail);
    child.on('close', (code) =>
      done({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    // A command that ends before reading its standard input (a usage error, an unreadable file
    // named on the command line) closes the pipe: EPIPE on the write is that, not a failure.
    child.stdin?.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') fail(error);
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/**
 * Run the built `flareo` as a user would: a child `node` process, no colour (NO_COLOR) unless
 * the caller sets the environment, optional standard input (empty when not given).
 */
export function flareo(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  return run(process.execPath, [CLI, ...args], { ...options, input: options.input ?? '' });
}

/** Parse stdout as one JSON value, with the run in the message when it is not JSON. */
export function json(run: CliRun): Record<string, unknown> {
  try {
    return JSON.parse(run.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

/** A scratch directory with helpers to write files into it. */
export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'flareo-cli-'));

  path(name: string): string {
    return join(this.dir, name);
  }

  write(name: string, content: string | Uint8Array | object): string {
    const p = this.path(name);
    writeFileSync(
      p,
      typeof content === 'string' || content instanceof Uint8Array
        ? content
        : `${JSON.stringify(content, null, 2)}\n`,
    );
    return p;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
