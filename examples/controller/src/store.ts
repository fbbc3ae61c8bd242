import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ControllerError } from './errors.js';
import { DirectoryLock, type LockOwner, pidAlive } from './lock.js';

/**
 * Module names: a letter or digit, then letters, digits, `.`, `_` or `-`, at most 128
 * characters. No separators, no leading dot: a name can never leave the modules directory
 * or collide with the store's own `.staging-*` and `.trash-*` entries.
 */
export const MODULE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Check a module name. @throws ControllerError `MODULE_NAME_INVALID` */
export function checkModuleName(name: string): string {
  if (!MODULE_NAME.test(name) || name.includes('..')) {
    throw new ControllerError(
      'MODULE_NAME_INVALID',
      `invalid module name ${JSON.stringify(name)}`,
      {
        expected: MODULE_NAME.source,
        actual: name,
      },
    );
  }
  return name;
}

/** The metadata kept beside an installed module (`module.json`). */
export interface InstalledModule {
  readonly name: string;
  /** File name of the module as uploaded. */
  readonly fileName: string;
  readonly size: number;
  readonly sha256: string;
  readonly installedAt: string;
  /** The signature outcome (verified, unsigned, unverified) and what verification proved. */
  readonly signature: unknown;
}

/** Steps of an installation, in order; a hook may run (or fail) after each. */
export type InstallStep =
  | 'staging-created'
  | 'module-written'
  | 'signature-written'
  | 'metadata-written'
  | 'staging-synced'
  | 'renamed';

/** Options of {@link ModuleStore}. */
export interface ModuleStoreOptions {
  /**
   * Called after each install step; throwing aborts the install (tests use it to simulate a
   * failure, or never resolve to simulate a crash). Default none.
   */
  readonly afterStep?: (step: InstallStep, stagingDir: string) => void | Promise<void>;
}

/** A file to install with the module. */
export interface StoredFile {
  readonly fileName: string;
  readonly bytes: Uint8Array;
}

const METADATA = 'module.json';
const STAGING = '.staging-';
const TRASH = '.trash-';
/** The lock file a running controller holds in its modules directory. */
export const LOCK_FILE = '.controller.lock';
/** `.staging-<pid>-<random>` / `.trash-<pid>-<random>`: the pid of the process that made it. */
const OWNED = /^\.(?:staging|trash)-(\d+)-[0-9a-f]+$/;
/** Names of versions before the owner pid was part of them. */
const UNOWNED = /^\.(?:staging|trash)-[0-9a-f]+$/;

/**
 * Whether a staging or trash entry is a leftover that may be deleted: its owner process is
 * dead, or is this very process (which has made none yet when the store opens: a restart
 * that got the same pid, as in a container), or the name predates owner pids.
 */
export function isLeftover(entry: string): boolean {
  const owned = OWNED.exec(entry);
  if (owned) {
    const pid = Number(owned[1]);
    return pid === process.pid || !pidAlive(pid);
  }
  return UNOWNED.test(entry);
}

const entryName = (prefix: string) => `${prefix}${process.pid}-${randomBytes(8).toString('hex')}`;

async function writeSynced(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDir(path: string): Promise<void> {
  const handle = await open(path, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Keep only the last path segment of an uploaded file name, and only safe characters. */
export function safeFileName(name: string, fallback: string): string {
  const last = name.split(/[\\/]/).pop() ?? '';
  const cleaned = last.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  return cleaned === '' || cleaned === METADATA ? fallback : cleaned.slice(0, 200);
}

/**
 * Installed modules on disk: `<modulesDir>/<name>/` holds the module file, its signature file
 * and `module.json`. An install is staged in `<modulesDir>/.staging-<pid>-<random>/` (same
 * filesystem), every file and the directory are fsynced, then the directory is renamed into
 * place and the parent fsynced: a module is either wholly there or not at all. A removal
 * renames the directory to `.trash-<pid>-<random>` before deleting it.
 *
 * The store holds an exclusive lock on the directory ({@link LOCK_FILE}) while it is open:
 * one controller per modules directory. {@link open} deletes only the staging and trash
 * directories whose owner process is dead, never those of a live process.
 */
export class ModuleStore {
  readonly dir: string;
  readonly #options: ModuleStoreOptions;
  readonly #lock: DirectoryLock;

  private constructor(dir: string, options: ModuleStoreOptions, lock: DirectoryLock) {
    this.dir = dir;
    this.#options = options;
    this.#lock = lock;
  }

  /**
   * Open (and create) the modules directory, take its lock, and delete the leftovers of
   * interrupted operations of dead processes.
   * @returns the store, the leftovers deleted, and the stale lock owner replaced (if any)
   * @throws ControllerError `MODULES_DIR_UNUSABLE`, `STORE_LOCKED`
   */
  static async open(
    dir: string,
    options: ModuleStoreOptions = {},
  ): Promise<{ store: ModuleStore; cleaned: string[]; staleLock?: LockOwner }> {
    try {
      await mkdir(dir, { recursive: true });
      const kind = await stat(dir);
      if (!kind.isDirectory())
        throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    } catch (error) {
      throw new ControllerError(
        'MODULES_DIR_UNUSABLE',
        `controller.modulesDir ${dir} cannot be used: ${(error as Error).message}`,
        { path: dir, expected: 'a writable directory' },
        { cause: error },
      );
    }
    const { lock, replaced } = DirectoryLock.acquire(join(dir, LOCK_FILE));
    try {
      const cleaned: string[] = [];
      for (const entry of await readdir(dir)) {
        if ((entry.startsWith(STAGING) || entry.startsWith(TRASH)) && isLeftover(entry)) {
          await rm(join(dir, entry), { recursive: true, force: true });
          cleaned.push(entry);
        }
      }
      if (cleaned.length) await syncDir(dir);
      const store = new ModuleStore(dir, options, lock);
      return replaced ? { store, cleaned, staleLock: replaced } : { store, cleaned };
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /** Release the directory lock. Installs still running may finish; nothing else is done. */
  close(): void {
    this.#lock.release();
  }

  async #step(step: InstallStep, staging: string): Promise<void> {
    await this.#options.afterStep?.(step, staging);
  }

  /**
   * Install a module atomically.
   * @throws ControllerError `MODULE_NAME_INVALID`, `MODULE_EXISTS`, `INSTALL_FAILED`
   */
  async install(
    name: string,
    module: StoredFile,
    signature: StoredFile | undefined,
    signatureOutcome: unknown,
  ): Promise<InstalledModule> {
    checkModuleName(name);
    const target = join(this.dir, name);
    if (await this.#exists(target)) {
      throw new ControllerError('MODULE_EXISTS', `module ${name} is already installed`, {
        actual: name,
      });
    }
    const staging = join(this.dir, entryName(STAGING));
    const record: InstalledModule = {
      name,
      fileName: module.fileName,
      size: module.bytes.length,
      sha256: createHash('sha256').update(module.bytes).digest('hex'),
      installedAt: new Date().toISOString(),
      signature: signatureOutcome,
    };
    let renamed = false;
    try {
      await mkdir(staging);
      await this.#step('staging-created', staging);
      await writeSynced(join(staging, module.fileName), module.bytes);
      await this.#step('module-written', staging);
      if (signature) {
        await writeSynced(join(staging, signature.fileName), signature.bytes);
        await this.#step('signature-written', staging);
      }
      await writeSynced(
        join(staging, METADATA),
        Buffer.from(`${JSON.stringify(record, null, 2)}\n`),
      );
      await this.#step('metadata-written', staging);
      await syncDir(staging);
      await this.#step('staging-synced', staging);
      // rename(2) of a directory onto an existing non-empty one fails: a concurrent install
      // of the same name cannot overwrite this one or be overwritten.
      await rename(staging, target);
      renamed = true;
      await syncDir(this.dir);
      await this.#step('renamed', staging);
      return record;
    } catch (error) {
      if (!renamed) await rm(staging, { recursive: true, force: true });
      if (error instanceof ControllerError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (!renamed && (code === 'ENOTEMPTY' || code === 'EEXIST')) {
        throw new ControllerError(
          'MODULE_EXISTS',
          `module ${name} is already installed`,
          { actual: name },
          { cause: error },
        );
      }
      if (renamed) {
        // The module is in place and complete; only a later step failed.
        return record;
      }
      throw new ControllerError(
        'INSTALL_FAILED',
        `installing ${name} failed: ${(error as Error).message}`,
        {},
        { cause: error },
      );
    }
  }

  async #exists(path: string): Promise<boolean> {
    try {
      await stat(path);
      return true;
    } catch {
      return false;
    }
  }

  /** Every installed module, by name. */
  async list(): Promise<InstalledModule[]> {
    const out: InstalledModule[] = [];
    for (const entry of (await readdir(this.dir)).sort()) {
      if (!MODULE_NAME.test(entry)) continue;
      const record = await this.#read(entry);
      if (record) out.push(record);
    }
    return out;
  }

  async #read(name: string): Promise<InstalledModule | undefined> {
    try {
      return JSON.parse(await readFile(join(this.dir, name, METADATA), 'utf8')) as InstalledModule;
    } catch {
      return undefined;
    }
  }

  /** One installed module. @throws ControllerError `MODULE_NAME_INVALID`, `MODULE_NOT_FOUND` */
  async get(name: string): Promise<InstalledModule> {
    checkModuleName(name);
    const record = await this.#read(name);
    if (!record)
      throw new ControllerError('MODULE_NOT_FOUND', `module ${name} is not installed`, {
        actual: name,
      });
    return record;
  }

  /** Remove a module atomically. @throws ControllerError `MODULE_NAME_INVALID`, `MODULE_NOT_FOUND` */
  async remove(name: string): Promise<InstalledModule> {
    const record = await this.get(name);
    const trash = join(this.dir, entryName(TRASH));
    try {
      await rename(join(this.dir, name), trash);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new ControllerError(
          'MODULE_NOT_FOUND',
          `module ${name} is not installed`,
          { actual: name },
          { cause: error },
        );
      }
      throw error;
    }
    await syncDir(this.dir);
    await rm(trash, { recursive: true, force: true });
    return record;
  }
}
