// CPU time per verifyLogEntry call of two or more builds of @flareo/rekor-set, interleaved in
// one process so machine load hits each alike: `node bench/compare-builds.mjs
// before=/path/to/old/packages/rekor-set/dist after=./dist`. Each build uses the
// @flareo/trust-root its own package resolves. Timing is process.cpuUsage() (user + system)
// over blocks of N calls, R rounds, the first two rounds discarded as warm-up.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const vectors = new URL('../../../fixtures/vectors/sigstore/', import.meta.url);
const read = (path) => readFileSync(new URL(path, vectors), 'utf8');
const builds = process.argv.slice(2).map((arg) => {
  const [label, dir] = arg.split('=');
  return { label, dir: resolve(dir) };
});
if (builds.length === 0) throw new Error('usage: compare-builds.mjs label=dist-dir ...');

const b64 = (s) => new Uint8Array(Buffer.from(s, 'base64'));
const bundle = JSON.parse(read('bundles/bundleV03-dsse.sigstore'));
const rawTrust = read('public-good/trusted_root.json');
const raw = bundle.verificationMaterial.tlogEntries[0];
const env = bundle.dsseEnvelope;
const binding = {
  signature: b64(env.signatures[0].sig),
  verifier: { certificate: b64(bundle.verificationMaterial.certificate.rawBytes) },
  dsse: { payloadType: env.payloadType, payload: b64(env.payload) },
};
const KINDS = ['SET + body', 'proof + checkpoint + body', 'everything', 'from bundle JSON'];

for (const b of builds) {
  const rs = await import(`${b.dir}/index.js`);
  const trustRoot = createRequire(`${b.dir}/index.js`).resolve('@flareo/trust-root');
  const tr = await import(trustRoot.replace(/index\.cjs$/, 'index.js'));
  const trust = tr.parseTrustedRoot(rawTrust);
  const both = rs.parseTlogEntry(raw);
  const setOnly = rs.parseTlogEntry({ ...raw, inclusionProof: undefined });
  const proofOnly = rs.parseTlogEntry({ ...raw, inclusionPromise: undefined });
  b.run = [
    () => rs.verifyLogEntry(setOnly, binding, trust, { policy: 'require-set' }),
    () => rs.verifyLogEntry(proofOnly, binding, trust, { policy: 'require-inclusion-proof' }),
    () => rs.verifyLogEntry(both, binding, trust),
    () => rs.verifyLogEntry(raw, binding, trust),
  ];
  b.micros = KINDS.map(() => 0);
  b.calls = KINDS.map(() => 0);
}

const N = Number(process.env.N ?? 300);
const R = Number(process.env.R ?? 30);
for (let r = 0; r < R; r++) {
  for (let k = 0; k < KINDS.length; k++) {
    for (const b of r % 2 ? builds : [...builds].reverse()) {
      const f = b.run[k];
      const start = process.cpuUsage();
      for (let i = 0; i < N; i++) f();
      const used = process.cpuUsage(start);
      if (r < 2) continue;
      b.micros[k] += used.user + used.system;
      b.calls[k] += N;
    }
  }
}
for (const b of builds) {
  const cells = KINDS.map((k, i) => `${k} ${(b.micros[i] / b.calls[i] / 1000).toFixed(4)} ms`);
  console.log(`${b.label}: ${cells.join(', ')}`);
}
