import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CatalogError } from './errors.js';

// Module files as content-addressed blobs: `blobs/sha256/<first two hex>/<hex>`. A blob is
// written to `blobs/tmp/<hex>.<host>.<pid>.<random>`, fsynced, renamed into place and its
// directory fsynced, before the metadata transaction that refers to it commits; a blob that
// no committed module refers to (a crash between the two) is never served, only takes space.

/** The `sha256` hex of `bytes`. */
export const sha256Hex = (bytes: Uint8Array | string) =>
  createHash('sha256').update(bytes).digest('hex');

/** True when process `pid` exists on this host (a pid that is not a positive integer never does). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

const TMP_NAME = /^[0-9a-f]{64}\.(.+)\.(\d+)\.[0-9a-f]+$/;

/** A directory of content-addressed blobs. */
export class BlobStore {
  readonly dir: string;
  readonly #host = hostname();

  constructor(dir: string) {
    this.dir = dir;
  }

  /** The path of the blob with digest `hex`. */
  path(hex: string): string {
    return join(this.dir, 'sha256', hex.slice(0, 2), hex);
  }

  /** Create the directories and remove temporary files that dead processes of this host left. */
  async prepare(): Promise<void> {
    const tmp = join(this.dir, 'tmp');
    await mkdir(join(this.dir, 'sha256'), { recursive: true });
    await mkdir(tmp, { recursive: true });
    for (const name of await readdir(tmp)) {
      const match = TMP_NAME.exec(name);
      // Another host's files (a shared directory) are left to that host's next start.
      if (match && (match[1] !== this.#host || processAlive(Number(match[2])))) continue;
      await rm(join(tmp, name), { force: true });
    }
  }

  /** Temporary files present now (what a crash left, or a write in progress). */
  async pending(): Promise<string[]> {
    try {
      return (await readdir(join(this.dir, 'tmp'))).sort();
    } catch {
      return [];
    }
  }

  /** Store `bytes` durably; returns its digest. Storing bytes already present is a no-op. */
  async put(bytes: Uint8Array): Promise<string> {
    const hex = sha256Hex(bytes);
    const target = this.path(hex);
    if (await present(target, hex)) return hex;
    const dir = join(this.dir, 'sha256', hex.slice(0, 2));
    await mkdir(dir, { recursive: true });
    const tmp = join(
      this.dir,
      'tmp',
      `${hex}.${this.#host}.${process.pid}.${randomBytes(6).toString('hex')}`,
    );
    const handle = await open(tmp, 'w', 0o644);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
    await syncDir(dir);
    return hex;
  }

  /**
   * Read a blob and check its digest: a blob altered on disk is refused (`STORE_IO`, reason
   * `BLOB_CORRUPT`), never served. Synchronous, so that a module can be read where the
   * server's handlers read it.
   */
  read(hex: string, what: { slug: string; file: string }): Uint8Array {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(this.path(hex)));
    } catch (error) {
      throw new CatalogError(
        'STORE_IO',
        `${what.slug}: the stored ${what.file} cannot be read: ${(error as Error).message}`,
        { slug: what.slug, file: what.file, reason: 'BLOB_MISSING' },
        { cause: error },
      );
    }
    const actual = sha256Hex(bytes);
    if (actual !== hex) {
      throw new CatalogError(
        'STORE_IO',
        `${what.slug}: the stored ${what.file} was altered on disk`,
        {
          slug: what.slug,
          file: what.file,
          reason: 'BLOB_CORRUPT',
          expected: `sha256:${hex}`,
          actual: `sha256:${actual}`,
        },
      );
    }
    return bytes;
  }
}

/** True when `path` holds exactly the blob `hex` (a damaged copy is written over). */
async function present(path: string, hex: string): Promise<boolean> {
  try {
    return sha256Hex(await readFile(path)) === hex;
  } catch {
    return false;
  }
}

async function syncDir(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
