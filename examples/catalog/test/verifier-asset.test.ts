import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCatalog, startCatalogServer } from '../src/server.js';
import { CatalogStore } from '../src/store.js';
import { IMMUTABLE_CACHE, loadVerifierAsset } from '../src/verifier-asset.js';
import { now, seededDataDir } from './support.js';

// The browser verifier's routes. The built verifier (dist/web/, written by `npm run build`)
// must be there: `test` depends on `build`.

let data: { dir: string; remove: () => Promise<void> };
let store: CatalogStore;
let running: RunningCatalog;
let bare: RunningCatalog;
const built = loadVerifierAsset();

beforeAll(async () => {
  data = await seededDataDir();
  store = await CatalogStore.open(data.dir, { now });
  running = await startCatalogServer({ store, port: 0, logger: false });
  bare = await startCatalogServer({ store, port: 0, logger: false, verifierAsset: null });
});
afterAll(async () => {
  await running?.close();
  await bare?.close();
  await data?.remove();
});

const get = (base: RunningCatalog, path: string, init: RequestInit = {}) =>
  fetch(`${base.url}${path}`, init);

describe('the browser verifier', () => {
  it('is built: dist/web/verifier.json names a content-hashed module', () => {
    expect(built, 'run `npm run build` in examples/catalog').toBeDefined();
    expect(built?.manifest.file).toMatch(/^verifier-[0-9a-f]{16}\.js$/);
    expect(built?.path).toBe(`/assets/${built?.manifest.file}`);
    expect(built?.manifest.sha256.slice(0, 16)).toBe(built?.manifest.file.slice(9, 25));
  });

  it('is served as JavaScript, its bytes matching its name, cached for a year', async () => {
    const response = await get(running, built?.path as string);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe(IMMUTABLE_CACHE);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const bytes = Buffer.from(await response.arrayBuffer());
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(sha256).toBe(built?.manifest.sha256);
    expect(`"sha256-${sha256}"`).toBe(response.headers.get('etag'));
    expect(`sha256-${createHash('sha256').update(bytes).digest('base64')}`).toBe(
      built?.manifest.integrity,
    );
    // An ES module with no Node built-in left in it.
    expect(bytes.toString('utf8')).toMatch(/\bexport\s*\{/);
    expect(bytes.toString('utf8')).not.toMatch(/from\s*"node:/);
  });

  it('answers a matching If-None-Match with 304, and HEAD without a body', async () => {
    const etag = (await get(running, built?.path as string)).headers.get('etag') as string;
    const cached = await get(running, built?.path as string, {
      headers: { 'if-none-match': etag },
    });
    expect(cached.status).toBe(304);
    expect(await cached.text()).toBe('');
    const head = await get(running, built?.path as string, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it.each([
    '/assets/verifier-0000000000000000.js',
    '/assets/verifier.json',
    '/assets/nope.js',
    '/assets/..%2Fpackage.json',
  ])('answers %s with a JSON 404', async (path) => {
    const response = await get(running, path);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await response.json()).error.code).toBe('NOT_FOUND');
  });

  it('refuses other methods with 405', async () => {
    const response = await get(running, built?.path as string, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('without a build: the module says why it cannot be checked in the browser, the asset is 404', async () => {
    const m = await (await get(bare, '/api/v1/modules/grafana')).json();
    expect(m.signature.browserVerification).toEqual({
      supported: false,
      reason: expect.stringContaining('npm run build'),
    });
    expect((await get(bare, built?.path as string)).status).toBe(404);
  });

  it('loadVerifierAsset: undefined without verifier.json, refuses a manifest naming another file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flareo-verifier-'));
    try {
      const url = pathToFileURL(`${dir}/`);
      expect(loadVerifierAsset(url)).toBeUndefined();
      await writeFile(join(dir, 'verifier.json'), JSON.stringify({ file: '../../etc/passwd' }));
      expect(() => loadVerifierAsset(url)).toThrow(/unexpected file/);
      const code = await readFile(
        new URL(built?.manifest.file as string, new URL('../dist/web/', import.meta.url)),
      );
      await writeFile(join(dir, 'verifier.json'), JSON.stringify(built?.manifest));
      await writeFile(join(dir, built?.manifest.file as string), code);
      expect(loadVerifierAsset(url)?.bytes().equals(code)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('module pages: strict CSP, scripts only from files, the server’s verdict without JavaScript', async () => {
    const response = await get(running, '/modules/nextcloud');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    const html = await response.text();
    for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/ src="\/assets\//);
    expect(html).not.toMatch(/<script\b[^>]*>\s*[^<\s]/);
    expect(html).toContain('data-testid="server-verdict"');
    expect(html).toContain('<span class="badge fail">fail</span>');
    expect(html).toContain('verified by the server');
  });
});
