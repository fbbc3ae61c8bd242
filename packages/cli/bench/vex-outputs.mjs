#!/usr/bin/env node
// Proof that a change to `flareo vex apply` changed no output: runs this build and a reference
// build (an earlier one) over the interop vectors and the benchmark's inputs, and compares
// standard output, standard error and the exit status of every case byte for byte.
// Cases: every report vector (Trivy, Grype, SARIF) with every OpenVEX vector alone (the
// report written back), and with all of them at once (the report, `--json --explain`,
// `--summary --explain`, and with `--product`); the benchmark's 10,000-finding report with
// and without the product, and its 100,000-finding report with it (the report and `--json`).
//
// Usage: node bench/vex-outputs.mjs --reference path/to/earlier/cli.js   (run `pnpm build`
// first; FLAREO_BENCH_CLI=path/to/cli.js compares another build than this one). Exits 1 when
// any case differs.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareBuilds } from './builds.mjs';
import { writeVexApplyInputs } from './vex-inputs.mjs';

const { reference, current, vectors } = compareBuilds(
  'node bench/vex-outputs.mjs --reference path/to/earlier/cli.js',
);
const vexDir = join(vectors, 'vex');

const work = mkdtempSync(join(tmpdir(), 'flareo-vex-outputs-'));
const bench = writeVexApplyInputs(work, vectors);
const docs = [
  ...readdirSync(join(vexDir, 'openvex'))
    .filter((f) => f !== 'vexhub-index.json') // an index of documents, not a document
    .map((f) => join(vexDir, 'openvex', f)),
  ...readdirSync(join(vexDir, 'sarif'))
    .filter((f) => f.endsWith('.openvex.json'))
    .map((f) => join(vexDir, 'sarif', f)),
].sort();
const reports = [
  ...readdirSync(join(vexDir, 'reports')).map((f) => join(vexDir, 'reports', f)),
  ...readdirSync(join(vexDir, 'sarif'))
    .filter((f) => f.endsWith('.sarif.json'))
    .map((f) => join(vexDir, 'sarif', f)),
].sort();
const all = docs.flatMap((d) => ['--vex', d]);

const cases = [];
for (const report of reports) {
  for (const d of docs) cases.push([report, '--vex', d]);
  cases.push([report, ...all]);
  cases.push([report, ...all, '--json', '--explain']);
  cases.push([report, ...all, '--summary', '--explain']);
  cases.push([report, ...all, '--product', 'pkg:golang/github.com/rancher/rke2', '--json']);
}
const rke2 = ['--vex', bench.vexFile];
cases.push([bench.report, ...rke2]);
cases.push([bench.report, ...rke2, '--json']);
cases.push([bench.report, ...rke2, ...bench.product]);
cases.push([bench.report, ...rke2, ...bench.product, '--json', '--explain']);
cases.push([bench.report100k, ...rke2, ...bench.product]);
cases.push([bench.report100k, ...rke2, ...bench.product, '--json']);

const digest = (text) => createHash('sha256').update(text).digest('hex');
function run(cli, argv) {
  const r = spawnSync(process.execPath, [cli, 'vex', 'apply', ...argv], {
    cwd: work,
    maxBuffer: 1 << 30,
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (r.error) throw r.error;
  return { status: r.status, out: digest(r.stdout), err: digest(r.stderr), bytes: r.stdout.length };
}

let differ = 0;
let bytes = 0;
try {
  for (const argv of cases) {
    const a = run(reference, argv);
    const b = run(current, argv);
    bytes += b.bytes;
    if (a.status !== b.status || a.out !== b.out || a.err !== b.err) {
      differ++;
      const label = argv.map((x) => x.replace(`${vexDir}/`, '').replace(`${work}/`, '')).join(' ');
      console.log(`differs: ${label} (exit ${a.status} → ${b.status})`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(
  `${cases.length} vex apply cases, ${(bytes / 1e6).toFixed(1)} MB of output: ${differ === 0 ? 'all identical (stdout, stderr, exit status)' : `${differ} differ`}`,
);
process.exit(differ === 0 ? 0 : 1);
