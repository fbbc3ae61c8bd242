import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// undici is loaded on a registry source's first request, not when the package is imported
// (src/registry.ts): a program that verifies an OCI layout, or brings its own `fetch`, never
// pays the 35 ms it costs to load. Checked on the built package (what users import; the tests
// depend on the build, so a missing build fails them) in a process of its own, where nothing
// else can have loaded undici.
// undici marks its loading by installing its global dispatcher under this symbol.
const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const script = (entry: string) => `
  const { createServer } = require('node:net');
  const loaded = () => globalThis[Symbol.for('undici.globalDispatcher.1')] !== undefined;
  (async () => {
    const iv = await ${entry};
    const seen = { afterImport: loaded() };
    const port = await new Promise((done) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address();
        server.close(() => done(port));
      });
    });
    const own = iv.registrySource('127.0.0.1:' + port + '/x/y:v1', {
      plainHttp: true,
      fetch: async () => { throw new Error('refused by the test'); },
    });
    seen.ownFetch = await own.collect().then(() => 'resolved', (e) => e.code);
    seen.afterOwnFetch = loaded();
    const source = iv.registrySource('127.0.0.1:' + port + '/x/y:v1', { plainHttp: true, timeoutMs: 2000 });
    seen.afterSource = loaded();
    seen.unreachable = await source.collect().then(() => 'resolved', (e) => e.code);
    seen.afterRequest = loaded();
    console.log(JSON.stringify(seen));
  })();
`;

describe('undici', () => {
  it.each([
    ['ESM', `import(${JSON.stringify(join(DIST, 'index.js'))})`],
    ['CommonJS', `Promise.resolve(require(${JSON.stringify(join(DIST, 'index.cjs'))}))`],
  ])('is loaded on the first request of a registry source (%s build)', (_, entry) => {
    const r = spawnSync(process.execPath, ['-e', script(entry)], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      afterImport: false,
      ownFetch: 'REGISTRY_ERROR',
      afterOwnFetch: false,
      afterSource: false,
      unreachable: 'REGISTRY_ERROR',
      afterRequest: true,
    });
  });

  it('that cannot be loaded fails the request as REGISTRY_ERROR', () => {
    // A resolve hook that refuses undici, registered before the package is imported.
    const hook = `data:text/javascript,${encodeURIComponent(
      'export async function resolve(s, c, next) { if (s === "undici") throw new Error("undici refused by the test"); return next(s, c); }',
    )}`;
    const child = `
      const { register } = require('node:module');
      register(${JSON.stringify(hook)});
      (async () => {
        const iv = await import(${JSON.stringify(join(DIST, 'index.js'))});
        const source = iv.registrySource('127.0.0.1:9/x/y:v1', { plainHttp: true });
        const error = await source.collect().then(() => undefined, (e) => e);
        console.log(JSON.stringify({ name: error?.name, code: error?.code, message: error?.message }));
      })();
    `;
    const r = spawnSync(process.execPath, ['-e', child], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const seen = JSON.parse(r.stdout);
    expect(seen).toMatchObject({ name: 'ImageVerifyError', code: 'REGISTRY_ERROR' });
    expect(seen.message).toContain('undici refused by the test');
  });
});
