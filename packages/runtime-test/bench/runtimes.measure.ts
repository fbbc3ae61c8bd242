// `pnpm bench`: per-bundle verification time in Node, Chromium and workerd on this machine,
// for every bench module (`*.timing.ts`). Each module is bundled per runtime as the tests
// bundle their cases, then the runtimes take turns (twice each, so that machine load hits all
// alike) and the fastest of each runtime's figures is printed as a table, with the machine
// (on a shared machine load only ever adds time; see bench/timing.ts). Clocks: Node's is
// exact, Chromium rounds `performance.now()` to 0.1 ms and the local workerd to 1 ms (a
// deployed Cloudflare Worker's clock does not advance during computation at all).
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import {
  bundleCases,
  type CaseResult,
  ChromiumRunner,
  runInNode,
  runInWorkerd,
} from '../src/index.js';
import { chromiumPath, workerd } from '../test/support.js';

const MODULES = ['bundle-verify', 'log-evidence'];
const TURNS = 2;

const fastest = (xs: number[]) => Math.min(...xs);

function timesOf(results: CaseResult[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of results) {
    const o = r.detail.outcome;
    if (!('value' in o) || typeof o.value !== 'number') {
      throw new Error(`${r.name} gave no time: ${JSON.stringify(o)}`);
    }
    out.set(r.name, o.value);
  }
  return out;
}

describe.skipIf(!chromiumPath || !workerd)('per-bundle time, Node vs Chromium vs workerd', () => {
  it.each(MODULES)(
    '%s',
    async (name) => {
      const entry = fileURLToPath(new URL(`./${name}.timing.ts`, import.meta.url));
      const node = await bundleCases(entry, 'node');
      const browser = await bundleCases(entry, 'browser');
      const worker = await bundleCases(entry, 'workerd');
      const chromium = await ChromiumRunner.start({ executablePath: chromiumPath as string });
      const version = chromium.version;
      const runs = {
        node: [] as Map<string, number>[],
        chromium: [] as Map<string, number>[],
        workerd: [] as Map<string, number>[],
      };
      try {
        for (let t = 0; t < TURNS; t++) {
          runs.node.push(timesOf(await runInNode(node)));
          runs.chromium.push(timesOf(await chromium.run(browser, { timeoutMs: 300_000 })));
          runs.workerd.push(timesOf(await runInWorkerd(worker, { timeoutMs: 300_000 })));
        }
      } finally {
        await chromium.close();
      }
      const fig = (runtime: keyof typeof runs, key: string) =>
        fastest(runs[runtime].map((m) => m.get(key) ?? NaN)).toFixed(3);
      const bundles = [...(runs.node[0]?.keys() ?? [])]
        .filter((k) => k.endsWith(' sync'))
        .map((k) => k.slice(0, -' sync'.length));
      const rows = bundles.map(
        (b) =>
          `| ${b} | ${fig('node', `${b} sync`)} | ${fig('node', `${b} async`)} | ${fig('chromium', `${b} sync`)} | ${fig('chromium', `${b} async`)} | ${fig('workerd', `${b} sync`)} | ${fig('workerd', `${b} async`)} |`,
      );
      console.log(
        [
          `${name}: ms per bundle, fastest round of ${TURNS} alternating turns`,
          `machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, load ${loadavg()
            .map((l) => l.toFixed(1))
            .join(' ')}, Node ${process.versions.node}, Chromium ${version}`,
          '| bundle | Node sync (node:crypto) | Node async (node:crypto) | Chromium sync (@noble) | Chromium async (WebCrypto) | workerd sync (@noble) | workerd async (WebCrypto) |',
          '| --- | --- | --- | --- | --- | --- | --- |',
          ...rows,
        ].join('\n'),
      );
    },
    600_000,
  );
});
