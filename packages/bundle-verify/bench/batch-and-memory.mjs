// Batch throughput on 1 and 2 worker threads, and memory over a 10,000-bundle stream.
// Runs against the built package (dist): `npx -y pnpm@10 bench` builds it first.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createVerifier } from '@flareo/bundle-verify';
import { createVerifierPool } from '@flareo/bundle-verify/node';
import { vectorsDir } from '@flareo/testkit';
import { parseTrustedRoot } from '@flareo/trust-root';

const dir = vectorsDir();
const rootText = readFileSync(join(dir, 'sigstore/public-good/trusted_root.json'), 'utf8');
const bundleDir = join(dir, 'sigstore/bundles');
const texts = readdirSync(bundleDir)
  .filter((f) => f.endsWith('.sigstore'))
  .map((f) => readFileSync(join(bundleDir, f), 'utf8'));

// Memory: verify 10,000 bundles one after another from their JSON text, sampling the heap.
const verifier = createVerifier(parseTrustedRoot(rootText));
const mb = (n) => (n / 1024 / 1024).toFixed(1);
const samples = [];
globalThis.gc?.();
const start = performance.now();
for (let i = 0; i < 10_000; i++) {
  verifier.verifyBundle(texts[i % texts.length], undefined, {});
  if (i % 2_000 === 0) samples.push(process.memoryUsage().heapUsed);
}
const elapsed = performance.now() - start;
samples.push(process.memoryUsage().heapUsed);
console.log(
  `stream of 10,000 bundles: ${((elapsed / 10_000) * 1000).toFixed(0)} µs each; heap MB at 0/2k/4k/6k/8k/10k: ${samples.map(mb).join(' / ')}`,
);

// Batch: the same 2,700 verifications on pools of 1 and 2 workers.
for (const size of [1, 2]) {
  const pool = createVerifierPool({ trust: [{ kind: 'trusted-root', json: rootText }], size });
  await Promise.all(texts.map((t) => pool.verifyBundle(t, undefined, {}))); // warm up
  const t0 = performance.now();
  const jobs = [];
  for (let i = 0; i < 2_700; i++)
    jobs.push(pool.verifyBundle(texts[i % texts.length], undefined, {}));
  await Promise.all(jobs);
  const ms = performance.now() - t0;
  console.log(`pool of ${size}: ${(2_700 / (ms / 1000)).toFixed(0)} bundles/s`);
  await pool.close();
}
