#!/usr/bin/env node
// `flareo vex apply` of this build against a reference build (an earlier one), measured
// interleaved in the same run: for each case, the reference and this build alternate, run
// after run, so both meet the same machine load. Reports the best wall-clock time and the
// best CPU time (every thread, user + system; read from probe.cjs) of each, and of a script
// that only parses both files. Cases: the whole-process bench's vex rows (vexhub-rke2 on
// 10,000 findings, with and without `--product`; 100,000 findings with it).
//
// Usage: node bench/vex-compare.mjs --reference path/to/earlier/cli.js [--runs N] [--json]
// (run `pnpm build` first; FLAREO_BENCH_CLI=path/to/cli.js measures another build than this one)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareBuilds } from './builds.mjs';
import { writeVexApplyInputs } from './vex-inputs.mjs';

const { args, here, reference, current, vectors } = compareBuilds(
  'node bench/vex-compare.mjs --reference path/to/earlier/cli.js [--runs N]',
);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const asJson = args.includes('--json');
const probe = join(here, 'probe.cjs');

const work = mkdtempSync(join(tmpdir(), 'flareo-vex-compare-'));
const { vexFile, report, report100k, product } = writeVexApplyInputs(work, vectors);
const parseScript = join(work, 'parse-only.cjs');
writeFileSync(
  parseScript,
  `const { readFileSync } = require('node:fs');
for (const f of process.argv.slice(2)) JSON.parse(readFileSync(f, 'utf8'));
`,
);
const out = join(work, 'out.json');

/** One process: wall-clock and CPU milliseconds. */
function once(argv) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--require', probe, ...argv], {
    cwd: work,
    encoding: 'utf8',
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}\n${r.stderr}`);
  const probed = /flareo-probe (.*)/.exec(r.stderr);
  return { wall, cpu: probed ? JSON.parse(probed[1]).cpuMs : Number.NaN };
}

const cases = [
  { name: 'rke2 × 10k', file: report, extra: [] },
  { name: 'rke2 × 10k --product', file: report, extra: product },
  { name: 'rke2 × 100k --product', file: report100k, extra: product },
];
const results = [];
try {
  for (const c of cases) {
    const best = { parse: {}, reference: {}, current: {} };
    const keep = (slot, m) => {
      slot.wall = Math.min(slot.wall ?? Number.POSITIVE_INFINITY, m.wall);
      slot.cpu = Math.min(slot.cpu ?? Number.POSITIVE_INFINITY, m.cpu);
    };
    const apply = (cli) => [cli, 'vex', 'apply', '--vex', vexFile, c.file, ...c.extra, '-o', out];
    for (let i = 0; i < runs; i++) {
      keep(best.parse, once([parseScript, vexFile, c.file]));
      keep(best.reference, once(apply(reference)));
      keep(best.current, once(apply(current)));
    }
    results.push({ case: c.name, ...best });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (asJson) {
  console.log(JSON.stringify({ machine: machine(), bestOf: runs, results }, null, 2));
} else {
  console.log(`${machine()}; best of ${runs}, interleaved`);
  const f = (v) => `${v.toFixed(0)} ms`;
  for (const r of results) {
    console.log(
      `${r.case}: parse ${f(r.parse.wall)} (cpu ${f(r.parse.cpu)}) | reference parse + ${f(r.reference.wall - r.parse.wall)} (cpu + ${f(r.reference.cpu - r.parse.cpu)}) | this build parse + ${f(r.current.wall - r.parse.wall)} (cpu + ${f(r.current.cpu - r.parse.cpu)})`,
    );
  }
}

function machine() {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
}
