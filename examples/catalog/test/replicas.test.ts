import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeedKit, seedCatalog, writeModuleDir } from '../src/seed.js';
import { CatalogStore } from '../src/store.js';
import { makeToken } from '../src/tokens.js';
import { freshDatabase, POSTGRES_MISSING, requirePostgresWhenAsked } from './postgres-support.js';
import { extraSpec, type Files, NOW, SAMPLE_SLUGS, tempDir } from './support.js';

// Two catalog processes on one PostgreSQL database and one data directory: a module
// published through one is served by the other within seconds (LISTEN/NOTIFY), with the same
// ETags; an ingest killed with SIGKILL leaves the whole module or nothing, for a running
// replica and for one started afterwards.

requirePostgresWhenAsked();

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const PUBLIC_URL = 'http://catalog.example.test';
const kit = createSeedKit({ now: NOW });
const token = makeToken('ci', ['publish']);

interface Replica {
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
}

let db: { url: string; drop: () => Promise<void> } | undefined;
let data: { dir: string; remove: () => Promise<void> } | undefined;
let work: { dir: string; remove: () => Promise<void> } | undefined;
const replicas: Replica[] = [];

function serve(): Promise<Replica> {
  const child = spawn(
    process.execPath,
    [main, 'serve', '--port', '0', '--log-level', 'silent', '--public-url', PUBLIC_URL],
    {
      env: {
        ...process.env,
        FLAREO_CATALOG_DATA_DIR: data?.dir,
        FLAREO_CATALOG_DATABASE: db?.url,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (d) => {
      err += d;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        const replica = { child, url: m[1] as string, exited };
        replicas.push(replica);
        resolve(replica);
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

function ingest(dir: string) {
  const child = spawn(process.execPath, [main, 'ingest', dir], {
    env: { ...process.env, FLAREO_CATALOG_DATA_DIR: data?.dir, FLAREO_CATALOG_DATABASE: db?.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  const exit = new Promise<{ code: number | null; signal: string | null; out: string }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal, out })),
  );
  return { child, exit };
}

async function tarOf(files: Files): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => {
    if (Buffer.isBuffer(c)) chunks.push(c);
  });
  const ended = new Promise<void>((r) => p.on('end', () => r()));
  for (const [name, bytes] of files) {
    await new Promise<void>((resolve, reject) =>
      p.entry({ name }, Buffer.from(bytes), (e) => (e ? reject(e) : resolve())),
    );
  }
  p.finalize();
  await ended;
  return Buffer.concat(chunks);
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const ready = !POSTGRES_MISSING && existsSync(main);

beforeAll(async () => {
  if (!ready) return;
  db = await freshDatabase();
  data = await tempDir('flareo-catalog-replicas-');
  work = await tempDir('flareo-catalog-replicas-w-');
  await seedCatalog(data.dir, { now: NOW, database: db.url });
  const configPath = join(data.dir, 'catalog.json');
  const config = JSON.parse(await readFile(configPath, 'utf8'));
  config.tokens = [token.entry];
  await writeFile(configPath, JSON.stringify(config));
}, 60_000);
afterAll(async () => {
  for (const r of replicas) {
    r.child.kill('SIGTERM');
    await r.exited;
  }
  await db?.drop();
  await data?.remove();
  await work?.remove();
});

describe.skipIf(!ready)('two replicas on one PostgreSQL', () => {
  it('serves a module published through one replica from the other within seconds, with the same ETags', {
    timeout: 60_000,
  }, async () => {
    const [a, b] = await Promise.all([serve(), serve()]);
    const list = async (r: Replica) =>
      (
        (await (await fetch(`${r.url}/api/v1/modules`)).json()) as { modules: { slug: string }[] }
      ).modules.map((m) => m.slug);
    expect(await list(a)).toEqual(SAMPLE_SLUGS);
    expect(await list(b)).toEqual(SAMPLE_SLUGS);

    const published = Date.now();
    const response = await fetch(`${a?.url}/api/v1/modules`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-tar', authorization: `Bearer ${token.token}` },
      body: new Uint8Array(
        await tarOf(kit.mintModule(extraSpec({ slug: 'replicated', name: 'Replicated' }))),
      ),
    });
    expect(response.status).toBe(201);
    const seen = await waitFor(
      'the other replica to serve the module',
      async () => {
        const r = await fetch(`${b?.url}/api/v1/modules/replicated/vex`);
        return r.status === 200 ? r : undefined;
      },
      5_000,
    );
    const delay = Date.now() - published;
    const etagB = seen.headers.get('etag');
    const etagA = (await fetch(`${a?.url}/api/v1/modules/replicated/vex`)).headers.get('etag');
    expect(etagB).toBe(etagA);
    for (const slug of SAMPLE_SLUGS) {
      const [ea, eb] = await Promise.all(
        [a, b].map(async (r) =>
          (await fetch(`${r?.url}/api/v1/modules/${slug}/vex`)).headers.get('etag'),
        ),
      );
      expect(eb).toBe(ea);
    }
    console.info(`published through one replica, served by the other after ${delay} ms`);
  });

  it('leaves a SIGKILLed ingest whole or absent for a running replica and a restarted one', {
    timeout: 120_000,
  }, async () => {
    const running = replicas[1] ?? (await serve());
    const rounds = 8;
    const outcomes: string[] = [];
    // How long an ingest process lives here; kills are spread over it.
    const probe = join(work?.dir as string, 'probe');
    await writeModuleDir(probe, kit.mintModule(extraSpec({ slug: 'probe' })));
    const began = Date.now();
    expect((await ingest(probe).exit).code).toBe(0);
    const lifeMs = Date.now() - began;
    for (let i = 0; i < rounds; i++) {
      const slug = `killed${i}`;
      const dir = join(work?.dir as string, slug);
      await writeModuleDir(dir, kit.mintModule(extraSpec({ slug, name: slug })));
      const run = ingest(dir);
      const afterMs = Math.round(lifeMs * (0.45 + (0.7 * i) / rounds));
      const timer = setTimeout(() => run.child.kill('SIGKILL'), afterMs);
      const exit = await run.exit;
      clearTimeout(timer);
      outcomes.push(`${afterMs}ms:${exit.signal ?? exit.code}`);
    }
    // Give the running replica a moment to hear about what committed.
    await new Promise((r) => setTimeout(r, 1500));
    const restarted = await CatalogStore.open(data?.dir as string, { database: db?.url as string });
    try {
      expect([...restarted.quarantined.keys()]).toEqual([]);
      for (let i = 0; i < rounds; i++) {
        const slug = `killed${i}`;
        const stored = await restarted.metadata.get(slug);
        const served = await fetch(`${running.url}/api/v1/modules/${slug}`);
        if (stored) {
          // Whole: every file readable and the module served, by both.
          expect(restarted.get(slug).module.files.size).toBe(Object.keys(stored.files).length);
          expect(served.status).toBe(200);
        } else {
          expect(() => restarted.get(slug)).toThrow();
          expect(served.status).toBe(404);
        }
      }
    } finally {
      await restarted.close();
    }
    expect(outcomes.some((o) => o.endsWith('SIGKILL'))).toBe(true);
    console.info(`SIGKILL rounds (ingest life ${lifeMs} ms): ${outcomes.join(' ')}`);
  });
});
