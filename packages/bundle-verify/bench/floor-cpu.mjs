#!/usr/bin/env node
// The library against the cryptographic floor, in CPU time, interleaved: on a shared machine
// wall-clock benches swing by tens of percent, CPU time of this thread far less. Each round
// times the nine public-good bundles verified from their JSON text (parse included) and then
// the floor (the public-key work no verifier can skip, as in bundle-verify.bench.ts), K times
// each; the best round of each is kept and their ratio printed.
//
// No cache effects: the verifier uses the default crypto backend (no verified-signature
// cache; `cryptoBackend` is not given) and every verification starts from the JSON text, so
// every certificate, key and signature is parsed and checked anew each time. The floor
// re-imports the leaf key each time too.
//
// With `--against DIR` (a bundle-verify package directory whose `dist` is built and whose
// `node_modules` resolve its dependencies, e.g. a worktree of an older commit), each round
// also times that build's verifier on the same texts, interleaved, so a change is measured
// old against new in one run on the same machine state.
//
// Before the timed rounds each build verifies the nine bundles `--warmup N` times in all (default
// 6,300: 35 passes of K), so that every round times V8's optimized code, not its warm-up.
//
// Usage: node bench/floor-cpu.mjs [--rounds N] [--warmup N] [--json] [--against DIR]
//        (after `pnpm build`)
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readVector, vectorsDir } from '@flareo/testkit';
import { parseTrustedRoot } from '@flareo/trust-root';
import { createVerifier } from '../dist/index.js';
import { floorOf } from './floor.mjs';

const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1]) || 15;
const asJson = args.includes('--json');
const againstAt = args.indexOf('--against');
const againstDir = againstAt >= 0 ? resolve(args[againstAt + 1] ?? '.') : undefined;
const K = 20; // passes over the nine bundles per timed sample
// Verifications of each build before the timed rounds. V8 needs thousands of verifications to
// reach its optimized tier for the whole pipeline (CPU per bundle falls by about a third over
// the first ~5,000, measured on Node 20), so without them the first rounds time the warm-up,
// not the library. The floor is native code and needs none.
const warmAt = args.indexOf('--warmup');
const WARMUP = warmAt >= 0 ? Number(args[warmAt + 1]) : 6300;
if (!Number.isInteger(WARMUP) || WARMUP < 0) {
  console.error('floor-cpu: --warmup takes a whole number of verifications');
  process.exit(2);
}

const dir = vectorsDir();
if (!dir) {
  console.log('floor-cpu: no vectors directory, skipped');
  process.exit(0);
}
const rootJson = JSON.parse(readVector('sigstore/public-good/trusted_root.json'));
const trust = parseTrustedRoot(rootJson);
const ours = createVerifier(trust);
const names = readdirSync(join(dir, 'sigstore', 'bundles')).filter((f) => f.endsWith('.sigstore'));
const texts = names.map((n) => readVector(`sigstore/bundles/${n}`));
for (const t of texts) ours.verifyBundle(t, undefined, {}); // all must verify before timing

// The other build, with its own trust-root package (a TrustRoot is checked by its package).
let theirs;
if (againstDir) {
  const url = (path) => pathToFileURL(join(againstDir, path)).href;
  const other = await import(url('dist/index.js'));
  const otherRoot = await import(url('node_modules/@flareo/trust-root/dist/index.js'));
  theirs = other.createVerifier(otherRoot.parseTrustedRoot(rootJson));
  for (const t of texts) theirs.verifyBundle(t, undefined, {});
}

// The floor (bench/floor.mjs), the same as bundle-verify.bench.ts measures.
const floor = texts.map((text) => floorOf(JSON.parse(text), trust));

const cpu = (fn) => {
  const start = process.cpuUsage();
  fn();
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
};
const perBundle = (ms) => (ms / (K * texts.length)) * 1000; // µs
let bestOurs = Number.POSITIVE_INFINITY;
let bestFloor = Number.POSITIVE_INFINITY;
let bestTheirs = Number.POSITIVE_INFINITY;
const ratios = [];
const againstRatios = [];
/** One timed sample's work: K passes over the nine bundles with `verifier`. */
const passes = (verifier) => {
  for (let k = 0; k < K; k++) for (const t of texts) verifier.verifyBundle(t, undefined, {});
};
for (let done = 0; done < WARMUP; done += K * texts.length) {
  passes(ours);
  if (theirs) passes(theirs);
}
const timeTheirs = () => cpu(() => passes(theirs));
for (let r = 0; r < rounds; r++) {
  // With --against, the other build runs first in odd rounds and last in even ones, so
  // neither build always inherits the other's garbage or a warm cache.
  const t0 = theirs && r % 2 === 1 ? timeTheirs() : undefined;
  const o = cpu(() => passes(ours));
  const f = cpu(() => {
    for (let k = 0; k < K; k++) for (const fl of floor) fl();
  });
  bestOurs = Math.min(bestOurs, o);
  bestFloor = Math.min(bestFloor, f);
  ratios.push(o / f);
  if (theirs) {
    const t = t0 ?? timeTheirs();
    bestTheirs = Math.min(bestTheirs, t);
    againstRatios.push(o / t);
  }
}
ratios.sort((a, b) => a - b);
againstRatios.sort((a, b) => a - b);
const figures = {
  node: process.version,
  rounds,
  warmup: WARMUP,
  oursMicros: perBundle(bestOurs),
  floorMicros: perBundle(bestFloor),
  ratioOfBest: bestOurs / bestFloor,
  medianRoundRatio: ratios[Math.floor(ratios.length / 2)],
  ...(theirs
    ? {
        against: againstDir,
        againstMicros: perBundle(bestTheirs),
        againstRatioOfBest: bestTheirs / bestFloor,
        // this build's time over the other's, per round (below 1: this build is faster)
        medianRoundVsAgainst: againstRatios[Math.floor(againstRatios.length / 2)],
      }
    : {}),
};
if (asJson) console.log(JSON.stringify(figures));
else {
  console.log(
    `library vs cryptographic floor, CPU time per bundle (best of ${rounds} interleaved rounds after ${WARMUP} verifications of warm-up, ${process.version}):`,
  );
  console.log(`  @flareo/bundle-verify, from JSON text  ${figures.oursMicros.toFixed(0)} µs`);
  console.log(`  cryptographic floor                    ${figures.floorMicros.toFixed(0)} µs`);
  console.log(
    `  ratio ${figures.ratioOfBest.toFixed(2)}× (best/best); median of per-round ratios ${figures.medianRoundRatio.toFixed(2)}× (target ≤ 1.3×)`,
  );
  if (theirs) {
    console.log(
      `  against ${againstDir}: ${figures.againstMicros.toFixed(0)} µs, ratio ${figures.againstRatioOfBest.toFixed(2)}× (best/best); this build / that build, median per round ${figures.medianRoundVsAgainst.toFixed(3)}`,
    );
  }
}
