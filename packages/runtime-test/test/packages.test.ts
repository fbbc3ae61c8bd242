// vex, policy, trust-score, trust-root and rekor-set run unchanged in Chromium and in workerd:
// each case module is bundled once per runtime, run there, and every case's outcome must equal
// Node's (the reference run of the same bundled code) and pass its hard-coded expectation, if
// it has one. trust-root and rekor-set (`log-evidence`) run on the public-good fixtures.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleCases,
  type CaseResult,
  ChromiumRunner,
  differences,
  runInNode,
  runInWorkerd,
} from '../src/index.js';
import { GOLDEN } from './fixtures/policy.cases.js';
import { chromiumPath, workerd } from './support.js';

const MODULES = [
  'vex',
  'policy',
  'trust-score',
  'trust-root',
  'log-evidence',
  'bundle-verify',
] as const;
/** The modules whose packages have a Node build and a web build (export conditions). */
const SIGSTORE = ['trust-root', 'log-evidence', 'bundle-verify'] as const;
const entry = (name: string) =>
  fileURLToPath(new URL(`./fixtures/${name}.cases.ts`, import.meta.url));

/** Node's results per module, computed once: the reference every runtime must equal. */
const reference = new Map<string, Promise<CaseResult[]>>();
function nodeResults(name: string): Promise<CaseResult[]> {
  let r = reference.get(name);
  if (!r) {
    r = bundleCases(entry(name), 'node').then(runInNode);
    reference.set(name, r);
  }
  return r;
}

/** Every case ok, with the same outcome as Node's, case by case (each named in the failure). */
async function expectLikeNode(name: string, results: CaseResult[]): Promise<void> {
  expect(differences(await nodeResults(name), results)).toEqual([]);
}

describe('Node, the reference run', () => {
  it('the policy cases name every golden file', () => {
    const dir = new URL('../../policy/golden/', import.meta.url);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length));
    expect(Object.keys(GOLDEN).sort()).toEqual(files.sort());
  });

  it.each(SIGSTORE)(
    '%s: the cases cover every public-good bundle of the fixtures',
    async (name) => {
      const dir = new URL('../../../fixtures/vectors/sigstore/bundles/', import.meta.url);
      const files = readdirSync(dir)
        .filter((f) => f.endsWith('.sigstore'))
        .map((f) => f.slice(0, -'.sigstore'.length));
      const covered = new Set((await nodeResults(name)).map((r) => r.name.split(':')[0]));
      for (const f of files) expect(covered, f).toContain(f);
    },
  );

  it.each(MODULES)('%s: every case passes its expectation on Node', async (name) => {
    const results = await nodeResults(name);
    expect(results.length).toBeGreaterThan(5);
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });
});

// The Node backend against the WebCrypto backend on one machine: the same case module bundled
// with the browser conditions (trust-root's, rekor-set's and bundle-verify's web builds:
// WebCrypto, @noble for the synchronous API) and run in Node must give the Node build's outcomes.
describe('Node: the web build (WebCrypto) against the Node build (node:crypto)', () => {
  it.each(SIGSTORE)('%s: the same outcomes with the web build in Node', async (name) => {
    await expectLikeNode(name, await runInNode(await bundleCases(entry(name), 'browser')));
  });
});

describe.skipIf(!workerd)('workerd', () => {
  it.each(MODULES)('%s: the same outcomes as Node in workerd', async (name) => {
    const results = await runInWorkerd(await bundleCases(entry(name), 'workerd'));
    await expectLikeNode(name, results);
  });
});

describe.skipIf(!chromiumPath)('Chromium', () => {
  let chromium: ChromiumRunner;
  beforeAll(async () => {
    chromium = await ChromiumRunner.start({ executablePath: chromiumPath as string });
  });
  afterAll(async () => {
    await chromium?.close();
  });

  it.each(MODULES)('%s: the same outcomes as Node in Chromium', async (name) => {
    const results = await chromium.run(await bundleCases(entry(name), 'browser'));
    await expectLikeNode(name, results);
  });
});
