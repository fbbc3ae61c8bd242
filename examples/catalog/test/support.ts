import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { CatalogError, type CatalogErrorCode } from '../src/errors.js';
import { SAMPLE_MODULES, type SampleModuleSpec, seedCatalog } from '../src/seed.js';

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

/** Module directories and staging entries of a data directory. */
export async function storedState(
  dataDir: string,
): Promise<{ modules: string[]; staging: string[] }> {
  const list = async (d: string) => {
    try {
      return (await readdir(d)).sort();
    } catch {
      return [];
    }
  };
  return {
    modules: await list(join(dataDir, 'modules')),
    staging: await list(join(dataDir, '.staging')),
  };
}
