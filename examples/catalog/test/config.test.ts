import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertSlug, CatalogError, type CatalogErrorCode, isSlug } from '../src/errors.js';
import { createSeedKit, SAMPLE_CONFIG } from '../src/seed.js';
import { CatalogStore, initDataDir } from '../src/store.js';
import { NOW, now, rejects, tempDir } from './support.js';

let tmp: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => tmp.remove());

let n = 0;
// biome-ignore lint/suspicious/noExplicitAny: tests edit arbitrary JSON documents
type Json = any;
type Change = (files: { config: Json; trustedRoot: Json }) => 'no-config' | 'no-root' | undefined;

async function dataDir(change: Change) {
  const dir = join(tmp.dir, `d${n++}`);
  const kit = createSeedKit({ now: NOW });
  const files = {
    config: structuredClone(SAMPLE_CONFIG) as Json,
    trustedRoot: structuredClone(kit.trustedRoot) as Json,
  };
  await initDataDir(dir, { config: SAMPLE_CONFIG, trustedRoot: kit.trustedRoot });
  const outcome = change(files);
  if (outcome === 'no-config') await rm(join(dir, 'catalog.json'));
  else await writeFile(join(dir, 'catalog.json'), JSON.stringify(files.config));
  if (outcome === 'no-root') await rm(join(dir, 'trusted_root.json'));
  else await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(files.trustedRoot));
  return dir;
}

describe('opening a data directory', () => {
  it('opens an initialised, empty catalog', async () => {
    const store = await CatalogStore.open(await dataDir(() => undefined), { now });
    expect(store.size).toBe(0);
    expect(store.config.name).toBe(SAMPLE_CONFIG.name);
  });

  const cases: { name: string; change: Change; reason?: string }[] = [
    { name: 'no catalog.json', change: () => 'no-config' },
    { name: 'no trusted_root.json', change: () => 'no-root' },
    {
      name: 'catalog.json without identity',
      change: (f) => {
        delete f.config.identity;
        return undefined;
      },
    },
    {
      name: 'catalog.json with an unknown key',
      change: (f) => {
        f.config.extra = true;
        return undefined;
      },
    },
    {
      name: 'a trusted builder level out of range',
      change: (f) => {
        f.config.trustedBuilders[0].level = 4;
        return undefined;
      },
    },
    {
      name: 'a trusted builder pattern that is not a regexp',
      change: (f) => {
        f.config.trustedBuilders[0].idPattern = '(';
        return undefined;
      },
    },
    {
      name: 'an unknown Rekor policy',
      change: (f) => {
        f.config.rekorPolicy = 'disabled';
        return undefined;
      },
    },
    {
      name: 'an invalid policy config',
      change: (f) => {
        f.config.policy = { rules: { 'cve-high': { max: -1 } } };
        return undefined;
      },
      reason: 'CONFIG_INVALID',
    },
    {
      name: 'a trusted root that is not a trusted root',
      change: (f) => {
        f.trustedRoot = { mediaType: 'nope' };
        return undefined;
      },
    },
  ];
  it.each(cases)('refuses $name with CONFIG_INVALID', async ({ change, reason }) => {
    const dir = await dataDir(change);
    const error = await rejects(() => CatalogStore.open(dir, { now }), 'CONFIG_INVALID');
    if (reason) expect(error.detail.reason).toBe(reason);
  });

  it('refuses catalog.json that is not JSON', async () => {
    const dir = await dataDir(() => undefined);
    await writeFile(join(dir, 'catalog.json'), '{');
    await rejects(() => CatalogStore.open(dir, { now }), 'CONFIG_INVALID');
  });

  it('refuses to initialise with an invalid config', async () => {
    await rejects(
      () =>
        initDataDir(join(tmp.dir, 'x'), {
          config: { ...SAMPLE_CONFIG, name: '' },
          trustedRoot: {},
        }),
      'CONFIG_INVALID',
    );
  });

  it('writes catalog.json and trusted_root.json atomically, with nothing left over', async () => {
    const dir = await dataDir(() => undefined);
    expect(JSON.parse(await readFile(join(dir, 'catalog.json'), 'utf8')).name).toBe(
      SAMPLE_CONFIG.name,
    );
    expect((await readdir(dir)).sort()).toEqual(['catalog.json', 'trusted_root.json']);
  });
});

describe('slugs', () => {
  it.each(['a', 'gitea', 'a-b', 'x1', 'a'.repeat(63)])('accepts %s', (slug) => {
    expect(isSlug(slug)).toBe(true);
    expect(() => assertSlug(slug)).not.toThrow();
  });
  it.each(['', 'A', 'a_b', '-a', 'a-', 'a/b', '..', 'a.b', 'a'.repeat(64), 42, null])(
    'refuses %j with SLUG_INVALID',
    (slug) => {
      expect(isSlug(slug)).toBe(false);
      let caught: unknown;
      try {
        assertSlug(slug);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(CatalogError);
      expect((caught as CatalogError).code satisfies CatalogErrorCode).toBe('SLUG_INVALID');
    },
  );
  it('refuses a bad slug when looking a module up', async () => {
    const store = await CatalogStore.open(await dataDir(() => undefined), { now });
    await rejects(async () => store.get('../etc'), 'SLUG_INVALID');
    await rejects(async () => store.assessment('Nope'), 'SLUG_INVALID');
    await rejects(async () => store.vex('nope'), 'MODULE_NOT_FOUND');
  });
});

describe('the sample catalog', () => {
  it('is deterministic for a given time', () => {
    const a = createSeedKit({ now: NOW });
    const b = createSeedKit({ now: NOW });
    expect(b.trustedRoot).toEqual(a.trustedRoot);
    const spec = {
      slug: 'det',
      name: 'Det',
      version: '1.0.0',
      description: 'd',
      license: 'MIT',
      signedHoursAgo: 1,
      packages: [],
      findings: [],
      vex: [[{ vulnerability: 'CVE-2024-0001', packages: [], status: 'fixed' as const }]],
    };
    const fa = a.mintModule(spec);
    const fb = b.mintModule(spec);
    expect([...fb.keys()]).toEqual([...fa.keys()]);
    for (const [k, v] of fa)
      expect(Buffer.from(fb.get(k) as Uint8Array).equals(Buffer.from(v)), k).toBe(true);
  });
});
