import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { CatalogError, type CatalogErrorCode } from '../src/errors.js';
import {
  createSeedKit,
  SAMPLE_MODULES,
  type SampleModuleSpec,
  type SeedKit,
  seedCatalog,
  writeModuleDir,
} from '../src/seed.js';
import { sqliteDatabase } from '../src/sqlite-driver.js';
import { CatalogStore } from '../src/store.js';

/** The moment every test catalog is minted for (scores are computed at this time too). */
export const NOW = new Date('2025-06-01T12:00:00Z');
export const now = () => NOW;

/** A temporary directory, removed by the returned function. */
export async function tempDir(
  prefix = 'flareo-catalog-test-',
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A data directory seeded with the sample catalog at {@link NOW}. */
export async function seededDataDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const tmp = await tempDir();
  await seedCatalog(tmp.dir, { now: NOW });
  return tmp;
}

export const SAMPLE_SLUGS = SAMPLE_MODULES.map((m) => m.slug).sort();

/** A sample spec under another slug (so it does not collide with the seeded modules). */
export function extraSpec(overrides: Partial<SampleModuleSpec> = {}): SampleModuleSpec {
  const base = SAMPLE_MODULES.find((m) => m.slug === 'grafana') as SampleModuleSpec;
  return { ...base, slug: 'extra', name: 'Extra', ...overrides };
}

/** Run `fn`, require a CatalogError with `code`, return it. */
export async function rejects(
  fn: () => Promise<unknown>,
  code: CatalogErrorCode,
): Promise<CatalogError> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CatalogError);
  expect((caught as CatalogError).code).toBe(code);
  return caught as CatalogError;
}

/**
 * What a data directory holds: the slugs of the modules in its database (read directly, not
 * through a store), and the temporary blob files left in `blobs/tmp`.
 */
export async function storedState(
  dataDir: string,
): Promise<{ modules: string[]; staging: string[] }> {
  let modules: string[] = [];
  if (existsSync(join(dataDir, 'catalog.db'))) {
    const db = new (sqliteDatabase())(join(dataDir, 'catalog.db'), {
      readonly: true,
      timeout: 15_000,
    });
    try {
      modules = (
        db.prepare('SELECT slug FROM modules ORDER BY slug').all() as { slug: string }[]
      ).map((r) => r.slug);
    } finally {
      db.close();
    }
  }
  let staging: string[] = [];
  try {
    staging = (await readdir(join(dataDir, 'blobs', 'tmp'))).sort();
  } catch {
    // no blob written yet
  }
  return { modules, staging };
}

// biome-ignore lint/suspicious/noExplicitAny: tests edit arbitrary JSON documents
export type Json = Record<string, any>;
export type Files = Map<string, Uint8Array>;
export const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
export const dec = (b: Uint8Array | undefined): Json =>
  JSON.parse(new TextDecoder().decode(b)) as Json;

/** Replace the JSON file `name` of a module by `change` applied to it. */
export function edit(files: Files, name: string, change: (doc: Json) => void): Files {
  const doc = dec(files.get(name));
  change(doc);
  files.set(name, enc(doc));
  return files;
}

/** What an ingest suite works with: a seeded data directory, its store, a seed kit, a scratch folder. */
export interface IngestFixture {
  readonly data: { readonly dir: string };
  readonly work: { readonly dir: string };
  readonly kit: SeedKit;
  readonly store: CatalogStore;
  /** Write `files` as a new module directory in the scratch folder and return its path. */
  moduleDir(files: Files): Promise<string>;
}

/** Register the suite's set-up and tear-down; the fields are ready inside tests. */
export function ingestFixture(prefix: string): IngestFixture {
  let data: { dir: string; remove: () => Promise<void> } | undefined;
  let work: { dir: string; remove: () => Promise<void> } | undefined;
  let kit: SeedKit | undefined;
  let store: CatalogStore | undefined;
  let counter = 0;
  beforeAll(async () => {
    data = await seededDataDir();
    work = await tempDir(prefix);
    kit = createSeedKit({ now: NOW });
    store = await CatalogStore.open(data.dir, { now });
  });
  afterAll(async () => {
    await data?.remove();
    await work?.remove();
  });
  const ready = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`${name} is set up in beforeAll`);
    return value;
  };
  return {
    get data() {
      return ready(data, 'data');
    },
    get work() {
      return ready(work, 'work');
    },
    get kit() {
      return ready(kit, 'kit');
    },
    get store() {
      return ready(store, 'store');
    },
    async moduleDir(files: Files): Promise<string> {
      const dir = join(ready(work, 'work').dir, `m${counter++}`);
      await writeModuleDir(dir, files);
      return dir;
    },
  };
}

/**
 * The stored files of a module (read from the database and the blobs directly, not through
 * a store): relative path → blob path on disk.
 */
export function storedFilePaths(dataDir: string, slug: string): Map<string, string> {
  const db = new (sqliteDatabase())(join(dataDir, 'catalog.db'), {
    readonly: true,
    timeout: 15_000,
  });
  try {
    const row = db.prepare('SELECT files FROM modules WHERE slug = ?').get(slug) as
      | { files: string }
      | undefined;
    if (!row) throw new Error(`no stored module ${slug}`);
    const files = JSON.parse(row.files) as Record<string, string>;
    return new Map(
      Object.entries(files).map(([rel, hex]) => [
        rel,
        join(dataDir, 'blobs', 'sha256', hex.slice(0, 2), hex),
      ]),
    );
  } finally {
    db.close();
  }
}

/** The blob path of one stored file of a module; throws when the module has no such file. */
export function storedFilePath(dataDir: string, slug: string, rel: string): string {
  const path = storedFilePaths(dataDir, slug).get(rel);
  if (!path) throw new Error(`${slug} has no stored ${rel}`);
  return path;
}
