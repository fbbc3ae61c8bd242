#!/usr/bin/env node
// verify-batch streams its manifest in and its results out: peak memory must not grow with
// the manifest's length, and results must come out in manifest order. This runs
// `flareo verify-batch --json` over 10,000, 100,000 and 300,000-line manifests (keyed `.sig`
// lines over 64 small artifacts, cycled, so that the run takes seconds, not minutes), reads
// every output line as it arrives (checking `line` is 1, 2, 3, … and every line verified), and
// compares the command's peak resident memory (probe.cjs) between the two.
//
// Each size runs twice: as a user runs it, and with V8's old space capped at 32 MB per thread
// (`--max-old-space-size=32`). Uncapped, V8 lets each thread's heap grow with the allocation
// rate of a longer run before it collects, which looks like growth but is not retention.
// Capped, the heaps reach their caps within the first tens of thousands of lines and stay
// there; a run that kept anything per line would keep growing, or run out of memory. So a
// third, capped run of 300,000 lines is the test: its peak must be that of the capped 100k
// run (≤ 1.1× + 8 MB). Exits 1 when the order is wrong, a line is not verified, a run fails,
// or the capped 300k run needs more memory than that.
//
// Usage: node bench/batch-memory.mjs [--json] [--concurrency N]   (after `pnpm build`)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { mintKeyedSignature, testKey } from '@flareo/testkit';

const here = dirname(fileURLToPath(import.meta.url));
const cli = process.env.FLAREO_BENCH_CLI
  ? resolve(process.env.FLAREO_BENCH_CLI)
  : join(here, '..', 'dist', 'cli.cjs');
const args = process.argv.slice(2);
const asJson = args.includes('--json');
const concurrency = args.includes('--concurrency') ? args[args.indexOf('--concurrency') + 1] : '2';

const work = mkdtempSync(join(tmpdir(), 'flareo-batch-memory-'));
const key = testKey('ecdsa-p256', 'batch-memory');
writeFileSync(join(work, 'key.pem'), key.publicKeyPem);
const ARTIFACTS = 64;
for (let i = 0; i < ARTIFACTS; i++) {
  const artifact = new TextEncoder().encode(`artifact ${i}\n`);
  writeFileSync(join(work, `a${i}.txt`), artifact);
  writeFileSync(join(work, `a${i}.sig`), mintKeyedSignature(artifact, key));
}

function writeManifest(lines) {
  const file = join(work, `manifest-${lines}.jsonl`);
  const text = [];
  for (let i = 0; i < lines; i++) {
    const n = i % ARTIFACTS;
    text.push(`{"signature":"a${n}.sig","artifact":"a${n}.txt"}`);
  }
  writeFileSync(file, `${text.join('\n')}\n`);
  return file;
}

/** Run the batch, checking the order of results as they stream; peak RSS and CPU. */
const manifests = new Map();
function run(lines, cap) {
  if (!manifests.has(lines)) manifests.set(lines, writeManifest(lines));
  const manifest = manifests.get(lines);
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [
        ...(cap ? [`--max-old-space-size=${cap}`] : []),
        '--require',
        join(here, 'probe.cjs'),
        cli,
        'verify-batch',
        '--key',
        join(work, 'key.pem'),
        '--json',
        '--no-progress',
        '--concurrency',
        concurrency,
        manifest,
      ],
      { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let expected = 1;
    let problem;
    let summary;
    createInterface({ input: child.stdout }).on('line', (text) => {
      const r = JSON.parse(text);
      if (r.type === 'summary') {
        summary = r;
        return;
      }
      if (problem) return;
      if (r.line !== expected) problem = `result ${expected} is line ${r.line}`;
      else if (r.outcome !== 'verified') problem = `line ${r.line}: ${r.outcome}`;
      expected++;
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', fail);
    child.on('close', (status) => {
      const probed = /flareo-probe (.*)/.exec(stderr);
      if (status !== 0 || !probed || !summary) {
        fail(new Error(`${lines} lines: exit ${status}\n${stderr.slice(0, 2000)}`));
        return;
      }
      if (!problem && expected - 1 !== lines) problem = `${expected - 1} results for ${lines}`;
      const { cpuMs, maxRssMb } = JSON.parse(probed[1]);
      done({ lines, cap, ms: performance.now() - started, cpuMs, maxRssMb, problem });
    });
  });
}

let results;
try {
  results = [];
  for (const cap of [undefined, 32]) {
    for (const lines of [10_000, 100_000]) results.push(await run(lines, cap));
  }
  results.push(await run(300_000, 32));
} finally {
  rmSync(work, { recursive: true, force: true });
}
const [, large, largest] = results.filter((r) => r.cap !== undefined);
const flat = largest.maxRssMb <= large.maxRssMb * 1.1 + 8;
const ordered = results.every((r) => r.problem === undefined);
if (asJson) {
  console.log(JSON.stringify({ concurrency: Number(concurrency), results, flat, ordered }));
} else {
  console.log(`verify-batch memory (${concurrency} workers, keyed lines, --json to a pipe)`);
  for (const r of results) {
    console.log(
      `  ${String(r.lines).padStart(7)} lines${r.cap ? `, old space ≤ ${r.cap} MB` : ', as run'}: peak RSS ${r.maxRssMb.toFixed(1)} MB, ${(r.ms / 1000).toFixed(1)} s, CPU ${(r.cpuMs / 1000).toFixed(1)} s, ${r.problem ?? 'results in manifest order'}`,
    );
  }
  console.log(
    `  300k / 100k peak RSS, capped: ${(largest.maxRssMb / large.maxRssMb).toFixed(2)}× (${flat ? 'flat' : 'GROWS'})`,
  );
}
if (!flat || !ordered) process.exitCode = 1;
