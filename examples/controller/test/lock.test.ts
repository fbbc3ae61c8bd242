import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ControllerError } from '../src/errors.js';
import {
  DirectoryLock,
  type LockOwner,
  ownerAlive,
  pidAlive,
  processStartTime,
} from '../src/lock.js';
import { isLeftover, LOCK_FILE, ModuleStore } from '../src/store.js';
import { cleanupDirs, setupDir } from './support/harness.js';

afterAll(cleanupDirs);

/** The pid of a process that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  if (r.pid === undefined || pidAlive(r.pid)) throw new Error('could not get a dead pid');
  return r.pid;
}

const ownerRecord = (owner: Partial<LockOwner>): string =>
  `${JSON.stringify({
    pid: process.pid,
    startTime: processStartTime(process.pid) ?? null,
    hostname: hostname(),
    acquiredAt: '2026-01-01T00:00:00.000Z',
    ...owner,
  })}\n`;

function refusal(fn: () => unknown): ControllerError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ControllerError) return error;
    throw error;
  }
  throw new Error('expected a ControllerError');
}

describe('DirectoryLock', () => {
  it('is exclusive: a second acquire names the live owner (STORE_LOCKED); release frees it', () => {
    const path = join(setupDir(), 'x.lock');
    const { lock, replaced } = DirectoryLock.acquire(path);
    expect(replaced).toBeUndefined();
    const written = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    expect(written).toMatchObject({ pid: process.pid, hostname: hostname() });
    const error = refusal(() => DirectoryLock.acquire(path));
    expect(error.code).toBe('STORE_LOCKED');
    expect(error.message).toContain(`pid ${process.pid}`);
    expect(error.detail.actual).toMatchObject({ pid: process.pid });
    lock.release();
    expect(existsSync(path)).toBe(false);
    DirectoryLock.acquire(path).lock.release();
  });

  it('takes over the lock of a dead owner and reports it', () => {
    const path = join(setupDir(), 'x.lock');
    const pid = deadPid();
    writeFileSync(path, ownerRecord({ pid, startTime: '1' }));
    const { lock, replaced } = DirectoryLock.acquire(path);
    expect(replaced?.pid).toBe(pid);
    expect((JSON.parse(readFileSync(path, 'utf8')) as LockOwner).pid).toBe(process.pid);
    lock.release();
  });

  it.runIf(processStartTime(process.pid) !== undefined)(
    'a live pid with another start time is a reused pid: the lock is stale',
    () => {
      const path = join(setupDir(), 'x.lock');
      writeFileSync(path, ownerRecord({ startTime: '1' }));
      expect(ownerAlive(JSON.parse(readFileSync(path, 'utf8')) as LockOwner)).toBe(false);
      const { lock, replaced } = DirectoryLock.acquire(path);
      expect(replaced?.startTime).toBe('1');
      lock.release();
    },
  );

  it('a live owner of another process, or on another host, is never broken', () => {
    const dir = setupDir();
    const parent = join(dir, 'parent.lock');
    writeFileSync(
      parent,
      ownerRecord({ pid: process.ppid, startTime: processStartTime(process.ppid) ?? null }),
    );
    expect(refusal(() => DirectoryLock.acquire(parent)).code).toBe('STORE_LOCKED');
    const remote = join(dir, 'remote.lock');
    writeFileSync(remote, ownerRecord({ pid: deadPid(), hostname: 'elsewhere.example' }));
    expect(refusal(() => DirectoryLock.acquire(remote)).message).toContain('on elsewhere.example');
  });

  it('an old empty lock file (its writer died before writing) is taken over', () => {
    const path = join(setupDir(), 'x.lock');
    writeFileSync(path, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old);
    const { lock } = DirectoryLock.acquire(path);
    expect((JSON.parse(readFileSync(path, 'utf8')) as LockOwner).pid).toBe(process.pid);
    lock.release();
  });

  it('a breaker marker left by a dead process does not block the take-over', () => {
    const path = join(setupDir(), 'x.lock');
    writeFileSync(path, ownerRecord({ pid: deadPid() }));
    writeFileSync(`${path}.break`, JSON.stringify({ pid: deadPid(), hostname: hostname() }));
    const { lock } = DirectoryLock.acquire(path);
    expect(existsSync(`${path}.break`)).toBe(false);
    lock.release();
  });

  it('release leaves alone a lock file that is no longer its own', () => {
    const path = join(setupDir(), 'x.lock');
    const { lock } = DirectoryLock.acquire(path);
    writeFileSync(path, ownerRecord({ acquiredAt: 'someone else' }));
    lock.release();
    expect(readFileSync(path, 'utf8')).toContain('someone else');
  });
});

describe('ModuleStore and the lock', () => {
  it('one store per directory: a second open is STORE_LOCKED until the first closes', async () => {
    const dir = join(setupDir(), 'modules');
    const { store } = await ModuleStore.open(dir);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    const error = await ModuleStore.open(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ControllerError);
    expect((error as ControllerError).code).toBe('STORE_LOCKED');
    store.close();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    (await ModuleStore.open(dir)).store.close();
  });

  it('deletes staging and trash of dead owners only, never those of a live process', async () => {
    const dir = join(setupDir(), 'modules');
    const dead = deadPid();
    const entries = {
      deadStaging: `.staging-${dead}-00aa`,
      deadTrash: `.trash-${dead}-00bb`,
      legacy: '.staging-0123456789abcdef',
      liveStaging: `.staging-${process.ppid}-00cc`,
    };
    for (const e of Object.values(entries)) mkdirSync(join(dir, e, 'inner'), { recursive: true });
    expect(isLeftover(entries.liveStaging)).toBe(false);
    expect(isLeftover(`.staging-${process.pid}-00dd`)).toBe(true);
    const { store, cleaned } = await ModuleStore.open(dir);
    expect(cleaned.sort()).toEqual([entries.deadStaging, entries.deadTrash, entries.legacy].sort());
    expect(readdirSync(dir).sort()).toEqual([LOCK_FILE, entries.liveStaging].sort());
    store.close();
  });

  it('MODULES_DIR_UNUSABLE for a modules directory that is a file', async () => {
    const dir = setupDir({ modules: 'not a directory' });
    const error = await ModuleStore.open(join(dir, 'modules')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as ControllerError).code).toBe('MODULES_DIR_UNUSABLE');
  });
});
