import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MIGRATIONS, type NewModuleRow } from '../src/metadata.js';
import { createSeedKit, SAMPLE_MODULES, seedCatalog, writeModuleDir } from '../src/seed.js';
import { CatalogStore } from '../src/store.js';
import { freshDatabase, POSTGRES_MISSING, requirePostgresWhenAsked } from './postgres-support.js';
import { extraSpec, NOW, now, SAMPLE_SLUGS, tempDir } from './support.js';

// The storage suite, run against both metadata stores: the embedded SQLite database and
// PostgreSQL (through scripts/with-postgres.sh). Same schema, same migrations, same behaviour.

requirePostgresWhenAsked();

interface Backend {
  readonly name: string;
  readonly skip: string | undefined;
  /** A database for one test: `undefined` is the data directory's SQLite file. */
  database(): Promise<string | undefined>;
}

const backends: Backend[] = [
  { name: 'sqlite', skip: undefined, database: async () => undefined },
  {
    name: 'postgres',
    skip: POSTGRES_MISSING,
    async database() {
      const db = await freshDatabase();
      onTestFinished(() => db.drop());
      return db.url;
    },
  },
];

const row = (slug: string, digest = `sha256:${'1'.repeat(64)}`): NewModuleRow => ({
  slug,
  digest,
  ingestedAt: NOW.toISOString(),
  files: { 'module.json': 'a'.repeat(64) },
  derived: {} as NewModuleRow['derived'],
  verification: {
    verifiedAt: NOW.toISOString(),
    trustRootDigest: `sha256:${'2'.repeat(64)}`,
    policyHash: `sha256:${'3'.repeat(64)}`,
    checks: ['signature'],
    signatureSource: 'bundle-file',
    outcome: 'verified',
  },
});

async function seeded(database: string | undefined) {
  const tmp = await tempDir('flareo-catalog-storage-');
  onTestFinished(() => tmp.remove());
  await seedCatalog(tmp.dir, { now: NOW, ...(database === undefined ? {} : { database }) });
  const open = async (options: Parameters<typeof CatalogStore.open>[1] = {}) => {
    const store = await CatalogStore.open(tmp.dir, {
      now,
      ...(database === undefined ? {} : { database }),
      ...options,
    });
    onTestFinished(() => store.close());
    return store;
  };
  return { dir: tmp.dir, open };
}

for (const backend of backends) {
  describe.skipIf(backend.skip !== undefined)(`storage on ${backend.name}`, () => {
    it('applies the versioned migrations once, in order', async () => {
      const { open } = await seeded(await backend.database());
      const store = await open();
      expect(await store.metadata.appliedMigrations()).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await store.metadata.migrate()).toEqual([]);
    });

    it('inserts one module per slug, even when inserts race, and numbers every write', async () => {
      const { open } = await seeded(await backend.database());
      const meta = (await open()).metadata;
      const before = await meta.currentSeq();
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          meta.insert(row('raced', `sha256:${String(i).repeat(64)}`)),
        ),
      );
      expect(results.filter((r) => r.inserted)).toHaveLength(1);
      const winner = results.find((r) => r.inserted)?.row;
      for (const r of results) expect(r.row.digest).toBe(winner?.digest);
      expect(await meta.currentSeq()).toBe(before + 1);
      const changed = await meta.changesSince(before);
      expect(changed.map((r) => r.slug)).toEqual(['raced']);
      expect(changed[0]?.seq).toBe(before + 1);
      // A verification record is written only over the module it is about.
      const record = { ...row('raced').verification, verifiedAt: new Date().toISOString() };
      expect(
        await meta.setVerification('raced', `sha256:${'f'.repeat(64)}`, record),
      ).toBeUndefined();
      const written = await meta.setVerification('raced', winner?.digest as string, record);
      expect(written?.verification.verifiedAt).toBe(record.verifiedAt);
      expect(written?.seq).toBe(before + 2);
    });

    it('serves the stored modules at start without verifying them again', async () => {
      const { open } = await seeded(await backend.database());
      const first = await open();
      const records = new Map(first.list().map((e) => [e.module.slug, e.verification]));
      expect([...records.keys()]).toEqual(SAMPLE_SLUGS);
      const etags = SAMPLE_SLUGS.map((s) => first.vex(s).etag);
      const second = await open();
      expect(second.list().map((e) => e.module.slug)).toEqual(SAMPLE_SLUGS);
      for (const e of second.list()) expect(e.verification).toEqual(records.get(e.module.slug));
      expect(SAMPLE_SLUGS.map((s) => second.vex(s).etag)).toEqual(etags);
      expect(await second.dueForReverification()).toEqual([]);
      // Past the interval, every module is due (and is still served meanwhile).
      expect(
        (await second.dueForReverification(new Date(Date.now() + 2 * 86_400_000))).sort(),
      ).toEqual(SAMPLE_SLUGS);
    });

    it('re-verifies in the background when the policy changes, and stops serving what no longer verifies', async () => {
      const database = await backend.database();
      const { dir, open } = await seeded(database);
      const configPath = join(dir, 'catalog.json');
      const config = JSON.parse(await readFile(configPath, 'utf8'));
      config.trustedBuilders = [...config.trustedBuilders, { idPattern: '^https://x/$', level: 1 }];
      await writeFile(configPath, JSON.stringify(config));
      const store = await open({ reverifyIntervalMs: 86_400_000 });
      expect(store.size).toBe(SAMPLE_SLUGS.length);
      expect((await store.dueForReverification()).sort()).toEqual(SAMPLE_SLUGS);
      const reverified: string[] = [];
      const stop = store.startBackground({
        onReverified: (slug, record) => {
          if (record?.outcome === 'verified' && record.policyHash === store.policyHash)
            reverified.push(slug);
        },
      });
      const deadline = Date.now() + 60_000;
      while (reverified.length < SAMPLE_SLUGS.length && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      await stop();
      expect(reverified.sort()).toEqual(SAMPLE_SLUGS);
      expect(await store.dueForReverification()).toEqual([]);
      expect(store.get('grafana').verification.policyHash).toBe(store.policyHash);

      // Another signer identity: nothing verifies against it any more.
      config.identity = { ...config.identity, issuer: 'https://issuer.example.invalid' };
      await writeFile(configPath, JSON.stringify(config));
      const moved = await open();
      expect(moved.size).toBe(SAMPLE_SLUGS.length);
      const record = await moved.reverify('grafana');
      expect(record).toMatchObject({ outcome: 'failed', error: { code: 'SIGNATURE_REJECTED' } });
      expect(() => moved.get('grafana')).toThrow(/no module grafana/);
      expect(moved.quarantined.get('grafana')?.code).toBe('SIGNATURE_REJECTED');
      // Recorded in the database: a fresh start does not serve it either.
      const again = await open();
      expect(again.quarantined.has('grafana')).toBe(true);
      expect(again.size).toBe(SAMPLE_SLUGS.length - 1);
    });

    it('shows a write of another process to a watching store', async () => {
      const { open } = await seeded(await backend.database());
      const watching = await open({ watchIntervalMs: 100 });
      const stop = watching.startBackground();
      onTestFinished(stop);
      const writer = await open();
      const work = await tempDir('flareo-catalog-storage-w-');
      onTestFinished(() => work.remove());
      const kit = createSeedKit({ now: NOW });
      await writeModuleDir(work.dir, kit.mintModule(extraSpec({ slug: 'seen' })));
      await writer.ingest(work.dir);
      const deadline = Date.now() + 10_000;
      while (watching.size === SAMPLE_MODULES.length && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(watching.get('seen').module.manifest.digest).toBe(
        writer.get('seen').module.manifest.digest,
      );
      expect(watching.vex('seen').etag).toBe(writer.vex('seen').etag);
    });
  });
}
