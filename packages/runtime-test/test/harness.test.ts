import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleCases,
  bundleModule,
  ChromiumRunner,
  differences,
  parseResults,
  RuntimeTestError,
  runInNode,
  runInWorkerd,
} from '../src/index.js';
import { chromiumPath, workerd } from './support.js';

const here = dirname(fileURLToPath(import.meta.url));
const basic = fileURLToPath(new URL('./fixtures/basic.cases.ts', import.meta.url));
// The ok flags of fixtures/basic.cases.ts, in order: the two failing cases must fail.
const BASIC_OK = [true, true, true, true, false, false, true];

async function rejection(promise: Promise<unknown>): Promise<RuntimeTestError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RuntimeTestError);
  return error as RuntimeTestError;
}

describe('bundling for browsers and workers: no Node built-ins, no Node globals', () => {
  it.each([
    ['a node: import', `import { createHash } from 'node:crypto'; export const x = createHash;`],
    ['a bare built-in', `import { readFileSync } from 'fs'; export const x = readFileSync;`],
    [
      'a built-in subpath',
      `import { promises } from 'node:fs/promises'; export const x = promises;`,
    ],
  ])('%s fails the build with NODE_BUILTIN, for browser and workerd', async (_what, source) => {
    for (const target of ['browser', 'workerd'] as const) {
      const e = await rejection(bundleModule(source, here, target));
      expect(e.code).toBe('NODE_BUILTIN');
      expect(e.detail.target).toBe(target);
    }
  });

  it.each([
    ['Buffer', `export const x = Buffer.from('a');`],
    ['process', `export const x = process.env.HOME;`],
    ['global', `export const x = global.foo;`],
    ['__dirname', `export const x = __dirname;`],
    ['setImmediate', `export const x = () => setImmediate(() => {});`],
    ['require', 'export const load = (name: string) => require(name);'],
  ])('the global %s fails the build with NODE_GLOBAL', async (name, source) => {
    for (const target of ['browser', 'workerd'] as const) {
      const e = await rejection(bundleModule(source, here, target));
      expect(e.code).toBe('NODE_GLOBAL');
      expect(e.detail.actual).toEqual([name]);
    }
  });

  it('a typeof feature test is not a use, and keeps its real name', async () => {
    const b = await bundleModule(
      `export const hasProcess = typeof process !== 'undefined';`,
      here,
      'browser',
    );
    expect(b.code).toContain('typeof process');
    expect(b.code).not.toContain('__flareo_node_global_');
  });

  it('code that tree shaking removes does not count', async () => {
    const b = await bundleModule(
      `function unused() { return Buffer.alloc(1); }\nexport const x = 1;`,
      here,
      'workerd',
    );
    expect(b.code).not.toContain('Buffer');
  });

  it('a syntax error or a missing module fails with BUNDLE_FAILED and esbuild’s message', async () => {
    expect((await rejection(bundleModule('export const = 1;', here, 'browser'))).code).toBe(
      'BUNDLE_FAILED',
    );
    const missing = await rejection(bundleModule(`import './no-such-file.js';`, here, 'workerd'));
    expect(missing.code).toBe('BUNDLE_FAILED');
    expect(missing.message).toContain('no-such-file');
  });

  it('the node target allows Node built-ins (it is the reference run)', async () => {
    const b = await bundleModule(
      `import { createHash } from 'node:crypto'; export const x = createHash;`,
      here,
      'node',
    );
    expect(b.code).toContain('node:crypto');
  });
});

describe('results', () => {
  it.each([
    ['not a list', { a: 1 }],
    ['an item without ok', [{ name: 'x', detail: { outcome: { value: 1 } } }]],
    ['an item without an outcome', [{ name: 'x', ok: true, detail: {} }]],
    ['null', null],
  ])('%s is RESULTS_INVALID', (_what, value) => {
    expect(() => parseResults(value, 'test')).toThrowError(
      expect.objectContaining({ code: 'RESULTS_INVALID' }),
    );
  });
});

describe('comparing a runtime with the reference run', () => {
  const r = (name: string, value: unknown, ok = true) => ({
    name,
    ok,
    detail: { outcome: { value } },
  });
  it('agrees when names, order and outcomes agree (messages do not count)', () => {
    expect(differences([r('a', 1), r('b', [1])], [r('a', 1), r('b', [1])])).toEqual([]);
  });
  it('names a differing value, a failed case, a missing or extra case, another order', () => {
    expect(differences([r('a', 1)], [r('a', 2)])).toEqual([
      'a: {"value":2} where the reference has {"value":1}',
    ]);
    expect(differences([r('a', 1)], [r('a', 1, false)])).toEqual([
      'a: failed ({"outcome":{"value":1}})',
    ]);
    expect(differences([r('a', 1), r('b', 1)], [r('a', 1), r('c', 1)])).toEqual([
      'b: missing',
      'c: not in the reference run',
    ]);
    expect(differences([r('a', 1), r('b', 1)], [r('b', 1), r('a', 1)])).toEqual([
      'the cases ran in another order',
    ]);
  });
});

describe('running in Node', () => {
  it('reports every case: values, expected throws, and the failures as failures', async () => {
    const results = await runInNode(await bundleCases(basic, 'node'));
    expect(results.map((r) => r.ok)).toEqual(BASIC_OK);
    expect(results[4]?.detail).toEqual({
      outcome: { threw: { name: 'TypeError', code: null } },
      message: 'boom',
    });
  });
});

describe.skipIf(!workerd)('running in workerd', () => {
  it('reports every case as Node does', async () => {
    const results = await runInWorkerd(await bundleCases(basic, 'workerd'));
    expect(results.map((r) => r.ok)).toEqual(BASIC_OK);
    const node = await runInNode(await bundleCases(basic, 'node'));
    expect(results).toEqual(node);
  });

  it('a worker that throws while loading fails with RUNTIME_FAILED and workerd’s message', async () => {
    const bundle = await bundleModule(
      `throw new Error('broken at load');\nexport default { fetch() { return new Response('[]'); } };`,
      here,
      'workerd',
    );
    const e = await rejection(runInWorkerd(bundle));
    expect(e.code).toBe('RUNTIME_FAILED');
    expect(e.message).toContain('broken at load');
  });

  it('a case whose outcome depends on the runtime is a difference from Node', async () => {
    const entry = fileURLToPath(new URL('./fixtures/runtime-dependent.cases.ts', import.meta.url));
    const node = await runInNode(await bundleCases(entry, 'node'));
    const worker = await runInWorkerd(await bundleCases(entry, 'workerd'));
    expect(differences(node, worker)).toEqual([
      'has Node’s process: {"value":"undefined"} where the reference has {"value":"object"}',
    ]);
  });

  it('a binary that cannot be started fails with RUNTIME_FAILED', async () => {
    const bundle = await bundleCases(basic, 'workerd');
    const e = await rejection(
      runInWorkerd(bundle, {
        binary: { path: '/nonexistent/workerd', version: '0', compatibilityDate: '2025-01-01' },
      }),
    );
    expect(e.code).toBe('RUNTIME_FAILED');
  });

  it('a worker that answers with an error status fails with RUNTIME_FAILED', async () => {
    const bundle = await bundleModule(
      `export default { fetch() { return new Response('nope', { status: 500 }); } };`,
      here,
      'workerd',
    );
    const e = await rejection(runInWorkerd(bundle));
    expect(e.code).toBe('RUNTIME_FAILED');
    expect(e.message).toContain('500');
  });

  it('a worker that never answers fails with RUNTIME_TIMEOUT', async () => {
    // (A promise nothing can settle is refused by workerd itself with a 500: a timer keeps it open.)
    const bundle = await bundleModule(
      `export default { fetch() { return new Promise((ok) => setTimeout(ok, 60_000)); } };`,
      here,
      'workerd',
    );
    const e = await rejection(runInWorkerd(bundle, { timeoutMs: 1500 }));
    expect(e.code).toBe('RUNTIME_TIMEOUT');
  });

  it('workerd refuses code generation from strings, as Cloudflare Workers do', async () => {
    const bundle = await bundleModule(
      `import { runCases } from '../src/cases.ts';
export default { async fetch() {
  const r = await runCases([{ name: 'new Function', run: () => new Function('return 1')() }]);
  return new Response(JSON.stringify(r));
} };`,
      here,
      'workerd',
    );
    const [result] = await runInWorkerd(bundle);
    expect(result?.ok).toBe(false);
    expect(result?.detail.outcome).toEqual({ threw: { name: 'EvalError', code: null } });
  });
});

describe('starting Chromium', () => {
  it('a Chromium that does not exist fails with RUNTIME_FAILED, and leaves no server behind', async () => {
    const e = await rejection(ChromiumRunner.start({ executablePath: '/nonexistent/chromium' }));
    expect(e.code).toBe('RUNTIME_FAILED');
  });
});

describe.skipIf(!chromiumPath)('running in Chromium', () => {
  let chromium: ChromiumRunner;
  beforeAll(async () => {
    chromium = await ChromiumRunner.start({ executablePath: chromiumPath as string });
  });
  afterAll(async () => {
    await chromium?.close();
  });

  it('reports every case as Node does', async () => {
    const results = await chromium.run(await bundleCases(basic, 'browser'));
    expect(results.map((r) => r.ok)).toEqual(BASIC_OK);
    expect(results).toEqual(await runInNode(await bundleCases(basic, 'node')));
  });

  it('a module that throws while loading fails with RUNTIME_FAILED', async () => {
    const bundle = await bundleModule(
      `throw new Error('broken at load'); export function run() {}`,
      here,
      'browser',
    );
    const e = await rejection(chromium.run(bundle));
    expect(e.code).toBe('RUNTIME_FAILED');
    expect(e.message).toContain('broken at load');
  });

  it('an uncaught error outside the cases fails the run', async () => {
    const bundle = await bundleModule(
      `setTimeout(() => { throw new Error('stray'); }, 0);
export function run() { return new Promise((ok) => setTimeout(() => ok([]), 50)); }`,
      here,
      'browser',
    );
    const e = await rejection(chromium.run(bundle));
    expect(e.code).toBe('RUNTIME_FAILED');
    expect(e.message).toContain('stray');
  });

  it('a page that never reports fails with RUNTIME_TIMEOUT', async () => {
    const bundle = await bundleModule(
      `export function run() { return new Promise(() => {}); }`,
      here,
      'browser',
    );
    const e = await rejection(chromium.run(bundle, { timeoutMs: 1500 }));
    expect(e.code).toBe('RUNTIME_TIMEOUT');
  });
});
