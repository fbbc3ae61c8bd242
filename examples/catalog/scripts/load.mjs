// Bounded loopback load test of the two hot routes, /policy and /vex (and /vex answered with
// 304). Run after `npx tsup`: `npm run bench`. It seeds a temporary catalog, serves it on
// 127.0.0.1 with logging off, drives each route with autocannon for a fixed time, prints
// throughput and latency percentiles, writes them to test-artifacts/load.json, and removes
// everything it created. Options: LOAD_SECONDS (default 5), LOAD_CONNECTIONS (default 10).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { CatalogStore, seedCatalog, startCatalogServer } from '../dist/index.js';

const seconds = Number(process.env.LOAD_SECONDS ?? 5);
const connections = Number(process.env.LOAD_CONNECTIONS ?? 10);
if (!(seconds > 0 && seconds <= 60) || !(connections > 0 && connections <= 256)) {
  throw new RangeError('LOAD_SECONDS must be in (0, 60] and LOAD_CONNECTIONS in (0, 256]');
}

const dataDir = await mkdtemp(join(tmpdir(), 'flareo-catalog-load-'));
let running;
try {
  await seedCatalog(dataDir);
  const store = await CatalogStore.open(dataDir);
  running = await startCatalogServer({ store, host: '127.0.0.1', port: 0, logger: false });
  const etag = (await fetch(`${running.url}/api/v1/modules/grafana/vex`)).headers.get('etag');
  const routes = [
    { name: 'GET /api/v1/modules/grafana/policy', path: '/api/v1/modules/grafana/policy' },
    { name: 'GET /api/v1/modules/grafana/vex', path: '/api/v1/modules/grafana/vex' },
    {
      name: 'GET /api/v1/modules/grafana/vex (If-None-Match → 304)',
      path: '/api/v1/modules/grafana/vex',
      headers: { 'if-none-match': etag },
    },
  ];
  const results = [];
  for (const route of routes) {
    const r = await autocannon({
      url: `${running.url}${route.path}`,
      connections,
      duration: seconds,
      headers: route.headers ?? {},
    });
    const row = {
      route: route.name,
      requestsPerSecond: Math.round(r.requests.average),
      latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
      requests: r.requests.total,
      errors: r.errors,
      timeouts: r.timeouts,
      non2xx: r.non2xx,
      status: { '2xx': r['2xx'], '3xx': r['3xx'], '4xx': r['4xx'], '5xx': r['5xx'] },
    };
    results.push(row);
    console.log(
      `${row.route}: ${row.requestsPerSecond} req/s, p50 ${row.latencyMs.p50} ms, p99 ${row.latencyMs.p99} ms, errors ${row.errors}, 2xx ${r['2xx']}, 3xx ${r['3xx']}`,
    );
  }
  const report = {
    measuredAt: new Date().toISOString(),
    node: process.version,
    cpus: availableParallelism(),
    seconds,
    connections,
    note: 'server and load generator share the machine (loopback)',
    results,
  };
  const out = new URL('../test-artifacts/', import.meta.url);
  await mkdir(out, { recursive: true });
  await writeFile(new URL('load.json', out), `${JSON.stringify(report, null, 2)}\n`);
  const failed = results.some((r) => r.errors > 0 || r.status['4xx'] > 0 || r.status['5xx'] > 0);
  if (failed) {
    console.error('load test saw errors');
    process.exitCode = 1;
  }
} finally {
  await running?.close();
  await rm(dataDir, { recursive: true, force: true });
}
