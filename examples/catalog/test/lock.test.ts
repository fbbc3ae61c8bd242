import { mkdir, rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireWriteLock, processAlive } from '../src/lock.js';
import { createSeedKit, writeModuleDir } from '../src/seed.js';
import { CatalogStore } from '../src/store.js';
import { extraSpec, NOW, now, rejects, seededDataDir, storedState, tempDir } from './support.js';

// The data directory's write lock, in one process (the multi-process test drives real ones).

let data: { dir: string; remove: () => Promise<void> };
let work: { dir: string; remove: () => Promise<void> };
const kit = createSeedKit({ now: NOW });
const lockPath = () => join(data.dir, '.lock');

beforeAll(async () => {
  data = await seededDataDir();
  work = await tempDir('flareo-catalog-lock-');
});
afterAll(async () => {
  await data.remove();
  await work.remove();
});

async function moduleDir(slug: string): Promise<string> {
  const dir = join(work.dir, slug);
  await writeModuleDir(dir, kit.mintModule(extraSpec({ slug, name: slug })));
  return dir;
}

describe('the write lock', () => {
  it('is exclusive: a second taker gets nothing at once, or STORE_IO LOCKED after waiting', async () => {
    const held = await acquireWriteLock(data.dir, lockPath(), { staleMs: 2000, waitMs: 0 });
    expect(held).toBeDefined();
    try {
      expect(
        await acquireWriteLock(data.dir, lockPath(), { staleMs: 2000, waitMs: 0 }),
      ).toBeUndefined();
      const error = await rejects(
        () => acquireWriteLock(data.dir, lockPath(), { staleMs: 2000, waitMs: 300 }),
        'STORE_IO',
      );
      expect(error.detail).toMatchObject({ reason: 'LOCKED', file: lockPath() });
    } finally {
      await held?.release();
    }
    const again = await acquireWriteLock(data.dir, lockPath(), { staleMs: 2000, waitMs: 0 });
    expect(again).toBeDefined();
    await again?.release();
  });

  it('reports a lock lost while held (its directory removed under it) as STORE_IO LOCK_LOST', async () => {
    const held = await acquireWriteLock(data.dir, lockPath(), { staleMs: 2000, waitMs: 0 });
    if (!held) throw new Error('lock not taken');
    held.assertHeld();
    await rm(lockPath(), { recursive: true });
    // The holder notices at its next lease refresh (every 1 s with a 2 s lease).
    await new Promise((r) => setTimeout(r, 1600));
    const error = await rejects(async () => held.assertHeld(), 'STORE_IO');
    expect(error.detail.reason).toBe('LOCK_LOST');
    await held.release();
  });

  it('fails with STORE_IO LOCK_FAILED when the lock cannot be created at all', async () => {
    const error = await rejects(
      () =>
        acquireWriteLock(data.dir, join(data.dir, 'no', 'such', 'dir', '.lock'), {
          staleMs: 2000,
          waitMs: 0,
        }),
      'STORE_IO',
    );
    expect(error.detail.reason).toBe('LOCK_FAILED');
  });

  it('takes over a stale lock left by a dead holder', async () => {
    await mkdir(lockPath());
    const old = new Date(Date.now() - 60_000);
    await utimes(lockPath(), old, old);
    const store = await CatalogStore.open(data.dir, { now, lockStaleMs: 2000 });
    const began = Date.now();
    await store.ingest(await moduleDir('after-stale'));
    expect(Date.now() - began).toBeLessThan(2000);
    expect(store.get('after-stale').module.slug).toBe('after-stale');
  });

  it('makes start-up leave the staging area alone and an ingest wait while another holds it', async () => {
    const leftover = join(data.dir, '.staging', 'dead.999999999.0123456789ab');
    await mkdir(join(leftover, 'vex'), { recursive: true });
    const held = await acquireWriteLock(data.dir, lockPath(), { staleMs: 2000, waitMs: 0 });
    if (!held) throw new Error('lock not taken');
    let released = 0;
    try {
      const store = await CatalogStore.open(data.dir, { now, lockStaleMs: 2000 });
      // The clean-up is deferred: the leftover is still there.
      expect((await storedState(data.dir)).staging).toEqual(['dead.999999999.0123456789ab']);
      const dir = await moduleDir('waited');
      const ingest = store.ingest(dir).then((entry) => ({ entry, at: Date.now() }));
      await new Promise((r) => setTimeout(r, 700));
      expect((await storedState(data.dir)).modules).not.toContain('waited');
      released = Date.now();
      await held.release();
      const { entry, at } = await ingest;
      expect(entry.module.slug).toBe('waited');
      expect(at).toBeGreaterThanOrEqual(released);
    } finally {
      if (!released) await held.release();
    }
    // The next start-up holds the lock and removes the dead process's leftover.
    await CatalogStore.open(data.dir, { now, lockStaleMs: 2000 });
    expect((await storedState(data.dir)).staging).toEqual([]);
  });

  it('tells live processes from dead ones', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(999_999_999)).toBe(false);
    expect(processAlive(0)).toBe(false);
    expect(processAlive(-1)).toBe(false);
    expect(processAlive(Number.NaN)).toBe(false);
  });
});
