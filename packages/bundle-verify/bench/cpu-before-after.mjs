// Interleaved CPU time per bundle (process.cpuUsage), the built package against an older build of it
// (e.g. main's dist/ copied into this package, so both resolve the same dependencies), same process,
// alternating rounds: node bench/cpu-before-after.mjs <old dist directory>   (REPS, ROUNDS env)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const pkg = process.cwd();
const vectors = join(pkg, '../../fixtures/vectors/sigstore');
const { parseTrustedRoot } = await import('@flareo/trust-root');
const oldDir = process.argv[2];
if (!oldDir) throw new Error('usage: node bench/cpu-before-after.mjs <old dist directory>');
const oldM = await import(join(oldDir, 'index.js'));
const newM = await import(join(pkg, 'dist/index.js'));
const trust = parseTrustedRoot(
  readFileSync(join(vectors, 'public-good/trusted_root.json'), 'utf8'),
);
const names = readdirSync(join(vectors, 'bundles')).filter((f) => f.endsWith('.sigstore'));
const texts = names.map((n) => readFileSync(join(vectors, 'bundles', n), 'utf8'));
const oldV = oldM.createVerifier(trust);
const newV = newM.createVerifier(trust);
const REPS = Number(process.env.REPS ?? 40);
const ROUNDS = Number(process.env.ROUNDS ?? 12);
function cpu(fn) {
  const t = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000; // ms
}
async function cpuAsync(fn) {
  const t = process.cpuUsage();
  await fn();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}
const run = (v) => () => {
  for (let r = 0; r < REPS; r++) for (const t of texts) v.verifyBundle(t, undefined, {});
};
const runAsync = (v) => async () => {
  for (let r = 0; r < REPS; r++) for (const t of texts) await v.verifyBundleAsync(t, undefined, {});
};
for (let i = 0; i < 3; i++) {
  run(oldV)();
  run(newV)();
  await runAsync(newV)();
}
const res = { old: [], new: [], newAsync: [] };
for (let i = 0; i < ROUNDS; i++) {
  const order = i % 2 ? ['old', 'new', 'newAsync'] : ['newAsync', 'new', 'old'];
  for (const k of order) {
    const ms =
      k === 'old' ? cpu(run(oldV)) : k === 'new' ? cpu(run(newV)) : await cpuAsync(runAsync(newV));
    res[k].push(ms / (REPS * texts.length));
  }
}
const med = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s[s.length >> 1];
};
for (const k of Object.keys(res))
  console.log(
    `${k.padEnd(9)} median ${(med(res[k]) * 1000).toFixed(0)} µs CPU/bundle  (min ${(Math.min(...res[k]) * 1000).toFixed(0)}, max ${(Math.max(...res[k]) * 1000).toFixed(0)})`,
  );
