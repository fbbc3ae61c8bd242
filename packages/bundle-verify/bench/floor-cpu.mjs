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
// Usage: node bench/floor-cpu.mjs [--rounds N] [--json]   (after `pnpm build`)
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readVector, vectorsDir } from '@flareo/testkit';
import { parseTrustedRoot } from '@flareo/trust-root';
import { createVerifier } from '../dist/index.js';
import { floorOf } from './floor.mjs';

const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1]) || 15;
const asJson = args.includes('--json');
const K = 20; // passes over the nine bundles per timed sample

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
const ratios = [];
for (let r = 0; r < rounds; r++) {
  const o = cpu(() => {
    for (let k = 0; k < K; k++) for (const t of texts) ours.verifyBundle(t, undefined, {});
  });
  const f = cpu(() => {
    for (let k = 0; k < K; k++) for (const fl of floor) fl();
  });
  bestOurs = Math.min(bestOurs, o);
  bestFloor = Math.min(bestFloor, f);
  ratios.push(o / f);
}
ratios.sort((a, b) => a - b);
const figures = {
  node: process.version,
  rounds,
  oursMicros: perBundle(bestOurs),
  floorMicros: perBundle(bestFloor),
  ratioOfBest: bestOurs / bestFloor,
  medianRoundRatio: ratios[Math.floor(ratios.length / 2)],
};
if (asJson) console.log(JSON.stringify(figures));
else {
  console.log(
    `library vs cryptographic floor, CPU time per bundle (best of ${rounds} interleaved rounds, ${process.version}):`,
  );
  console.log(`  @flareo/bundle-verify, from JSON text  ${figures.oursMicros.toFixed(0)} µs`);
  console.log(`  cryptographic floor                    ${figures.floorMicros.toFixed(0)} µs`);
  console.log(
    `  ratio ${figures.ratioOfBest.toFixed(2)}× (best/best); median of per-round ratios ${figures.medianRoundRatio.toFixed(2)}× (target ≤ 1.3×)`,
  );
}
