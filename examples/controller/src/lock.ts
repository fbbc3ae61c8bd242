import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { ControllerError } from './errors.js';

/*
 * Why this is hand-written: the lock libraries on npm (proper-lockfile and its kin) lock with
 * a `mkdir` and keep the lock alive by touching its mtime, and they record no owner. The
 * controller wants an owner in the lock (pid and process start time) so that a second
 * controller can say who holds the directory, and so that the lock of a controller killed
 * with SIGKILL is recognised as stale at once (its pid is gone, or now belongs to a process
 * that started later), without a heartbeat or a staleness timeout. That fits in this one short file.
 */

/** Who holds a directory lock, as written (JSON) in the lock file. */
export interface LockOwner {
  readonly pid: number;
  /**
   * Start time of the owner process, in clock ticks since boot (`/proc/<pid>/stat`, field
   * 22); `null` where `/proc` is not available. With it, a pid reused by a later process
   * is not mistaken for the owner.
   */
  readonly startTime: string | null;
  readonly hostname: string;
  /** When the lock was taken (ISO 8601). */
  readonly acquiredAt: string;
}

/** Start time of a process (`/proc/<pid>/stat` field 22), or `undefined` if unknown. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the name start at field 3, so field 22 is index 19.
    return fields[19];
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists (a process of another user counts as alive). */
export function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the owner recorded in a lock still runs. An owner on another host (a shared
 * filesystem) cannot be checked and counts as alive: the lock is never broken blindly.
 */
export function ownerAlive(owner: LockOwner): boolean {
  if (owner.hostname !== hostname()) return true;
  if (!pidAlive(owner.pid)) return false;
  if (owner.startTime === null) return true;
  const now = processStartTime(owner.pid);
  return now === undefined || now === owner.startTime;
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (
      typeof value.pid === 'number' &&
      typeof value.hostname === 'string' &&
      (typeof value.startTime === 'string' || value.startTime === null)
    ) {
      return value as LockOwner;
    }
  } catch {
    // fall through: not (yet) a complete lock record
  }
  return undefined;
}

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** How long a lock file may stay empty or half-written before it counts as abandoned. */
const UNFINISHED_LOCK_MS = 2_000;
/** Attempts (50 ms apart) before giving up on a lock that keeps changing hands. */
const MAX_ATTEMPTS = 100;

/** Create `path` exclusively with `text`, fsynced. @returns false if it already exists */
function createExclusive(path: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * An exclusive lock on a directory: the file `<dir>/<name>` created with `O_EXCL`, holding
 * the owner's pid, process start time and host. A lock whose owner is dead (or whose pid now
 * belongs to a younger process) is stale and is taken over; breaking it is serialised by a
 * second `O_EXCL` file (`<name>.break`), so two processes that both found the same stale lock
 * cannot both end up holding it: only the holder of `.break` deletes the lock, and only after
 * reading it again and finding the same stale owner.
 */
export class DirectoryLock {
  readonly path: string;
  readonly owner: LockOwner;
  readonly #text: string;
  #released = false;

  private constructor(path: string, owner: LockOwner, text: string) {
    this.path = path;
    this.owner = owner;
    this.#text = text;
  }

  /**
   * Take the lock.
   * @returns the lock and the stale owner it replaced, if any
   * @throws ControllerError `STORE_LOCKED` while a live process holds it
   */
  static acquire(path: string): { lock: DirectoryLock; replaced?: LockOwner } {
    const owner: LockOwner = {
      pid: process.pid,
      startTime: processStartTime(process.pid) ?? null,
      hostname: hostname(),
      acquiredAt: new Date().toISOString(),
    };
    const text = `${JSON.stringify(owner)}\n`;
    let replaced: LockOwner | undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (createExclusive(path, text)) {
        const lock = new DirectoryLock(path, owner, text);
        return replaced ? { lock, replaced } : { lock };
      }
      const current = readText(path);
      if (current === undefined) continue; // released meanwhile: try again at once
      const holder = parseOwner(current);
      if (holder === undefined) {
        // Being written right now, or left empty by a process that died in between.
        if (!olderThan(path, UNFINISHED_LOCK_MS)) {
          sleep(50);
          continue;
        }
      } else if (ownerAlive(holder)) {
        throw lockedError(path, holder);
      }
      if (breakStale(path, current)) replaced = holder;
      else sleep(50);
    }
    throw new ControllerError(
      'STORE_LOCKED',
      `could not take the lock ${path}: it kept changing hands`,
      { path },
    );
  }

  /** Release the lock (once); a lock file that is no longer ours is left alone. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    if (readText(this.path) === this.#text) unlinkSync(this.path);
  }
}

function olderThan(path: string, ms: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > ms;
  } catch {
    return false;
  }
}

/** Delete the lock if it still holds `staleText`, under the `.break` lock. @returns whether done */
function breakStale(path: string, staleText: string): boolean {
  const breaker = `${path}.break`;
  const mine = `${JSON.stringify({ pid: process.pid, hostname: hostname() })}\n`;
  if (!createExclusive(breaker, mine)) {
    // Another process is breaking it; if that process died meanwhile, clear its marker.
    const other = readText(breaker);
    const pid = other === undefined ? undefined : (parseOwnerPid(other) ?? undefined);
    if (pid !== undefined && !pidAlive(pid) && readText(breaker) === other) unlinkSync(breaker);
    else if (other !== undefined && pid === undefined && olderThan(breaker, UNFINISHED_LOCK_MS))
      unlinkSync(breaker);
    return false;
  }
  try {
    if (readText(path) !== staleText) return false;
    unlinkSync(path);
    return true;
  } finally {
    unlinkSync(breaker);
  }
}

function parseOwnerPid(text: string): number | undefined {
  try {
    const pid = (JSON.parse(text) as { pid?: unknown }).pid;
    return typeof pid === 'number' ? pid : undefined;
  } catch {
    return undefined;
  }
}

function lockedError(path: string, holder: LockOwner): ControllerError {
  return new ControllerError(
    'STORE_LOCKED',
    `another controller (pid ${holder.pid} on ${holder.hostname}, since ${holder.acquiredAt}) is using this modules directory; stop it first, or give this one another controller.modulesDir (lock file ${path})`,
    { path, actual: holder, expected: 'no other live controller on the modules directory' },
  );
}
