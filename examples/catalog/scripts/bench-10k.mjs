// The 10,000-module bench (not a test): `npm run bench:10k` after `npx tsup`.
//
// 1. Once, into a cache directory (BENCH_CACHE, default $TMPDIR/flareo-catalog-bench):
//    BENCH_SIGNED (default 100) real modules are minted with the test kit (test CA, test Rekor
//    log, real ECDSA signatures, signed parts), then BENCH_MODULES (default 10,000) modules
//    are ingested through the store's normal verified ingest: module i is signed module
//    i mod BENCH_SIGNED with its module.json slug and name changed. module.json is not signed
//    (signatures and attestations are about the artifact digest), so they all verify; the
//    bench catalog's identity policy accepts any `bench-signer-N` workflow instead of binding
//    the identity to the slug (the sample catalog binds it, which would need 10,000 signers).
//    Identical files are stored once (content-addressed blobs).
// 2. Every run, on a copy of that data directory: start-up time of `flareo-catalog serve`
//    (spawn to "listening", three times), resident memory, then bounded loopback load with
//    autocannon (BENCH_SECONDS per route, default 5; BENCH_CONNECTIONS, default 10) on the
//    paginated list, a module page, a module's detail, /policy and /vex; then publish
//    throughput over HTTP (BENCH_PUBLISH modules, default 200, 1 and 4 at a time).
// Figures go to standard output and test-artifacts/bench-10k.json.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { pack } from 'tar-stream';
import { CatalogStore, createSeedKit, initDataDir, SAMPLE_MODULES } from '../dist/index.js';

const here = fileURLToPath(new URL('..', import.meta.url));
const main = join(here, 'dist', 'main.js');
const N = Number(process.env.BENCH_MODULES ?? 10_000);
const SIGNED = Number(process.env.BENCH_SIGNED ?? 100);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const publishCount = Number(process.env.BENCH_PUBLISH ?? 200);
const cache = process.env.BENCH_CACHE ?? join(tmpdir(), 'flareo-catalog-bench');
const NOW = new Date('2025-06-01T12:00:00Z');
const TOKEN = 'flareo_bench-token-not-secret';
const TOKEN_SHA256 = (await import('node:crypto')).createHash('sha256').update(TOKEN).digest('hex');
const slugOf = (i) => `m-${String(i).padStart(5, '0')}`;
const enc = (v) => new TextEncoder().encode(`${JSON.stringify(v, null, 2)}\n`);
const dec = (b) => JSON.parse(new TextDecoder().decode(b));

const kit = createSeedKit({ now: NOW });
const specs = SAMPLE_MODULES.filter((m) => m.slug !== 'gitea'); // gitea is cosign-signed in the seed

/** The k-th real signed module (minted once, cached as JSON of base64 files). */
async function signedModules() {
  const file = join(cache, `signed-${SIGNED}.json`);
  if (existsSync(file)) {
    const raw = JSON.parse(await readFile(file, 'utf8'));
    return {
      modules: raw.modules.map(
        (m) => new Map(Object.entries(m).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
      ),
      mintMs: raw.mintMs,
    };
  }
  const began = performance.now();
  const modules = [];
  for (let k = 0; k < SIGNED; k++) {
    const spec = specs[k % specs.length];
    modules.push(kit.mintModule({ ...spec, slug: `bench-signer-${k}`, name: `Signer ${k}` }));
  }
  const mintMs = performance.now() - began;
  await mkdir(cache, { recursive: true });
  await writeFile(
    file,
    JSON.stringify({
      mintMs,
      modules: modules.map((m) =>
        Object.fromEntries([...m].map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      ),
    }),
  );
  return { modules, mintMs };
}

/** Module i: signed module i mod SIGNED under slug m-0000i. */
function moduleFiles(signed, i, slug = slugOf(i)) {
  const files = new Map(signed[i % signed.length]);
  const manifest = dec(files.get('module.json'));
  files.set('module.json', enc({ ...manifest, slug, name: `Module ${slug}` }));
  return files;
}

async function cachedDataDir(signed) {
  const dir = join(cache, `data-${N}-${SIGNED}`);
  const marker = join(dir, 'bench-ready.json');
  if (existsSync(marker)) return { dir, ...JSON.parse(await readFile(marker, 'utf8')) };
  await rm(dir, { recursive: true, force: true });
  const config = {
    ...kit.config,
    name: 'Flareo bench catalog',
    identity: {
      ...kit.config.identity,
      subjectAlternativeNameRegexp: kit.config.identity.subjectAlternativeNameRegexp.replace(
        '{slug}',
        'bench-signer-[0-9]+',
      ),
    },
    tokens: [{ name: 'bench', sha256: TOKEN_SHA256, scopes: ['publish'] }],
  };
  await initDataDir(dir, { config, trustedRoot: kit.trustedRoot });
  const store = await CatalogStore.open(dir, { now: () => NOW });
  const began = performance.now();
  for (let i = 0; i < N; i++) {
    await store.publish({ files: moduleFiles(signed, i) });
    if ((i + 1) % 1000 === 0) {
      const s = (performance.now() - began) / 1000;
      console.log(`ingested ${i + 1}/${N} in ${s.toFixed(1)} s (${((i + 1) / s).toFixed(1)}/s)`);
    }
  }
  const ingestMs = performance.now() - began;
  await store.close();
  const info = { ingestMs, modules: N };
  await writeFile(marker, JSON.stringify(info));
  return { dir, ...info };
}

const rssMb = (pid) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
};

function serve(dataDir) {
  const began = performance.now();
  const child = spawn(process.execPath, [main, 'serve', '--port', '0', '--log-level', 'silent'], {
    env: { ...process.env, FLAREO_CATALOG_DATA_DIR: dataDir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) resolve({ child, url: m[1], startMs: performance.now() - began });
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}
const stop = async (child) => {
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
};

async function tarOf(files) {
  const p = pack();
  const chunks = [];
  p.on('data', (c) => chunks.push(c));
  const ended = new Promise((r) => p.on('end', r));
  for (const [name, data] of files) {
    await new Promise((resolve, reject) =>
      p.entry({ name }, Buffer.from(data), (e) => (e ? reject(e) : resolve())),
    );
  }
  p.finalize();
  await ended;
  return Buffer.concat(chunks);
}

const { modules: signed, mintMs } = await signedModules();
console.log(
  `${SIGNED} signed modules minted in ${(mintMs / 1000).toFixed(1)} s (${(mintMs / SIGNED).toFixed(0)} ms each; cached)`,
);
const cached = await cachedDataDir(signed);
console.log(
  `${N} modules ingested in ${(cached.ingestMs / 1000).toFixed(1)} s (${(N / (cached.ingestMs / 1000)).toFixed(1)} modules/s, verified, one transaction each; cached)`,
);

const work = await mkdtemp(join(tmpdir(), 'flareo-catalog-bench-run-'));
const report = {
  measuredAt: new Date().toISOString(),
  node: process.version,
  cpus: `${availableParallelism()} × ${cpus()[0]?.model ?? '?'}`,
  memoryGb: Math.round(totalmem() / 2 ** 30),
  modules: N,
  signedModules: SIGNED,
  mintMsPerSignedModule: Math.round(mintMs / SIGNED),
  ingestModulesPerSecond: Number((N / (cached.ingestMs / 1000)).toFixed(1)),
  startupMs: [],
  rssMb: {},
  routes: [],
  publish: [],
};
try {
  const dataDir = join(work, 'data');
  await cp(cached.dir, dataDir, { recursive: true });
  for (let run = 0; run < 3; run++) {
    const s = await serve(dataDir);
    report.startupMs.push(Math.round(s.startMs));
    if (run < 2) await stop(s.child);
    else {
      report.rssMb.afterStart = rssMb(s.child.pid);
      const slug = slugOf(Math.floor(N / 2) + 7);
      const etag = (await fetch(`${s.url}/api/v1/modules/${slug}/vex`)).headers.get('etag');
      const routes = [
        { name: 'GET /api/v1/modules (first page of 100)', path: '/api/v1/modules' },
        {
          name: `GET /api/v1/modules?after=${slugOf(N / 2)} (page of 100)`,
          path: `/api/v1/modules?after=${slugOf(N / 2)}`,
        },
        { name: `GET /modules/${slug} (module page)`, path: `/modules/${slug}` },
        {
          name: `GET /api/v1/modules/${slug} (detail the page draws)`,
          path: `/api/v1/modules/${slug}`,
        },
        { name: `GET /api/v1/modules/${slug}/policy`, path: `/api/v1/modules/${slug}/policy` },
        { name: `GET /api/v1/modules/${slug}/vex`, path: `/api/v1/modules/${slug}/vex` },
        {
          name: 'GET …/vex with If-None-Match (304)',
          path: `/api/v1/modules/${slug}/vex`,
          headers: { 'if-none-match': etag },
        },
      ];
      for (const route of routes) {
        const r = await autocannon({
          url: `${s.url}${route.path}`,
          connections,
          duration: seconds,
          headers: route.headers ?? {},
        });
        const row = {
          route: route.name,
          requestsPerSecond: Math.round(r.requests.average),
          latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
          errors: r.errors,
          non2xx: r.non2xx,
        };
        report.routes.push(row);
        console.log(
          `${row.route}: ${row.requestsPerSecond} req/s, p50 ${row.latencyMs.p50} ms, p99 ${row.latencyMs.p99} ms, errors ${row.errors}, non-2xx ${row.non2xx}`,
        );
      }
      report.rssMb.afterLoad = rssMb(s.child.pid);
      // Publish throughput over HTTP: fresh slugs, sequential then 4 at a time.
      for (const parallel of [1, 4]) {
        const bodies = [];
        for (let i = 0; i < publishCount; i++) {
          bodies.push(
            await tarOf(moduleFiles(signed, i, `p${parallel}-${String(i).padStart(5, '0')}`)),
          );
        }
        let next = 0;
        let failed = 0;
        const began = performance.now();
        await Promise.all(
          Array.from({ length: parallel }, async () => {
            while (next < bodies.length) {
              const body = bodies[next++];
              const res = await fetch(`${s.url}/api/v1/modules`, {
                method: 'POST',
                headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-tar' },
                body,
              });
              if (res.status !== 201) failed++;
              await res.arrayBuffer();
            }
          }),
        );
        const ms = performance.now() - began;
        const row = {
          parallel,
          modules: publishCount,
          failed,
          modulesPerSecond: Number((publishCount / (ms / 1000)).toFixed(1)),
        };
        report.publish.push(row);
        console.log(
          `POST /api/v1/modules, ${parallel} at a time: ${row.modulesPerSecond} modules/s (${failed} failed)`,
        );
      }
      report.rssMb.afterPublish = rssMb(s.child.pid);
      await stop(s.child);
    }
  }
  console.log(
    `start-up (spawn to listening, ${N} modules): ${report.startupMs.join(', ')} ms; RSS ${JSON.stringify(report.rssMb)} MB`,
  );
  await mkdir(join(here, 'test-artifacts'), { recursive: true });
  await writeFile(
    join(here, 'test-artifacts', 'bench-10k.json'),
    `${JSON.stringify(report, null, 2)}\n`,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
