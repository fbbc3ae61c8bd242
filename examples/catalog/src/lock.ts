import { setTimeout as sleep } from 'node:timers/promises';
import { lock } from 'proper-lockfile';
import { CatalogError } from './errors.js';

/**
 * The data directory's write lock.
 *
 * Every process that writes into a data directory (an ingest placing a module, a start-up
 * removing what crashed ingests left in `.staging/`) holds this lock while it does. It is
 * `proper-lockfile`: a directory created with `mkdir` (atomic on local and network file
 * systems) whose mtime the holder refreshes while it holds it; a lock whose mtime is older
 * than the lease is stale (its holder died) and is taken over. A SIGKILLed holder therefore
 * delays the next writer by at most one lease, and never blocks it for good.
 */
export interface WriteLock {
  /** Throws `STORE_IO` (reason `LOCK_LOST`) when the lock was lost while held (lease overrun). */
  assertHeld(): void;
  /** Release the lock; a lock already lost is not an error here. */
  release(): Promise<void>;
}

/** Options of {@link acquireWriteLock}. */
export interface WriteLockOptions {
  /** Lease in milliseconds (at least 2000). */
  readonly staleMs: number;
  /** How long to wait for a busy lock; `0` tries once and returns `undefined` when busy. */
  readonly waitMs: number;
}

/** Default lease of the write lock, in milliseconds. */
export const DEFAULT_LOCK_STALE_MS = 10_000;
/** The smallest lease `proper-lockfile` accepts. */
export const MIN_LOCK_STALE_MS = 2_000;

/**
 * Take the write lock of `dataDir` (the lock is the directory `lockPath`). Resolves to the
 * held lock, to `undefined` when `waitMs` is 0 and the lock is busy, or rejects with
 * `STORE_IO` (reason `LOCKED`) when the lock stayed busy for `waitMs`.
 */
export async function acquireWriteLock(
  dataDir: string,
  lockPath: string,
  options: WriteLockOptions,
): Promise<WriteLock | undefined> {
  const deadline = Date.now() + options.waitMs;
  let lost: Error | undefined;
  for (;;) {
    try {
      const release = await lock(dataDir, {
        lockfilePath: lockPath,
        realpath: false,
        stale: Math.max(options.staleMs, MIN_LOCK_STALE_MS),
        retries: 0,
        // The default throws from a timer (an uncaught exception); record it instead, so the
        // holder refuses to publish.
        onCompromised: (error) => {
          lost = error;
        },
      });
      return {
        assertHeld() {
          if (lost) {
            throw new CatalogError(
              'STORE_IO',
              `lost the write lock of ${dataDir}: ${lost.message}`,
              { reason: 'LOCK_LOST', file: lockPath },
              { cause: lost },
            );
          }
        },
        async release() {
          try {
            await release();
          } catch {
            // Already released or taken over: nothing of ours is left to remove.
          }
        },
      };
    } catch (error) {
      if ((error as { code?: string }).code !== 'ELOCKED') {
        throw new CatalogError(
          'STORE_IO',
          `cannot take the write lock of ${dataDir}: ${(error as Error).message}`,
          { reason: 'LOCK_FAILED', file: lockPath },
          { cause: error },
        );
      }
      if (options.waitMs <= 0) return undefined;
      if (Date.now() >= deadline) {
        throw new CatalogError(
          'STORE_IO',
          `the data directory ${dataDir} stayed locked by another process for ${options.waitMs} ms`,
          { reason: 'LOCKED', file: lockPath },
          { cause: error },
        );
      }
      // Jitter, so that waiting processes do not retry in step.
      await sleep(40 + Math.floor(Math.random() * 120));
    }
  }
}

/** True when a process with this pid exists on this host (EPERM: it exists, not ours). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}
