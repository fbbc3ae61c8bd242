#!/usr/bin/env node
// Whole-process benchmark: what a user feels when running `flareo`, cold start included,
// against reference processes measured in the same run (best of N wall-clock times).
// Cases: `node -e 0`; `flareo --version` and `--help`; one `flareo verify` of a real
// public-good bundle; `flareo verify-batch` on 900 lines with 1 and 2 workers, against a
// plain Node script looping @sigstore/verify over the same 900; `flareo vex apply` of the
// 1,666-statement vexhub-rke2 document to a 10,000-finding Trivy report (as it is, and with
// rke2's module as the product), and with the product to a 100,000-finding report made from
// it, each against a script that only parses both files. Prints a table and the ratios;
// `--json` prints JSON.
//
// Usage: node bench/whole-process.mjs [--runs N] [--json]   (run `pnpm build` first;
// FLAREO_BENCH_CLI=path/to/cli.js measures another build)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeVexApplyInputs } from './vex-inputs.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const cliDir = resolve(here, '..');
const repo = resolve(cliDir, '..', '..');
// FLAREO_BENCH_CLI: another build of the command to measure (an earlier one, to compare).
const cli = process.env.FLAREO_BENCH_CLI
  ? resolve(process.env.FLAREO_BENCH_CLI)
  : join(cliDir, 'dist', 'cli.js');
const vectors = process.env.FLAREO_VECTORS ?? join(repo, 'fixtures', 'vectors');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 3;
const asJson = args.includes('--json');

const work = mkdtempSync(join(tmpdir(), 'flareo-whole-process-'));
const IDENTITY = ['--certificate-identity', 'brian@dehamer.com'];
const ISSUER = ['--certificate-oidc-issuer', 'https://github.com/login/oauth'];

// --- inputs ---------------------------------------------------------------------------------
const bundleDir = join(vectors, 'sigstore', 'bundles');
const bundles = readdirSync(bundleDir)
  .filter((f) => f.endsWith('.sigstore'))
  .sort()
  .map((name) => {
    cpSync(join(bundleDir, name), join(work, name));
    const json = JSON.parse(readFileSync(join(bundleDir, name), 'utf8'));
    const statement = JSON.parse(Buffer.from(json.dsseEnvelope.payload, 'base64').toString());
    return { name, digest: `sha512:${statement.subject[0].digest.sha512}` };
  });
const manifest = join(work, 'manifest.jsonl');
const lines = [];
for (let i = 0; i < 100; i++) {
  for (const b of bundles) {
    lines.push(
      JSON.stringify({
        bundle: b.name,
        artifact: b.digest,
        identity: 'brian@dehamer.com',
        issuer: 'https://github.com/login/oauth',
      }),
    );
  }
}
writeFileSync(manifest, `${lines.join('\n')}\n`);
const trustedRoot = join(vectors, 'sigstore', 'public-good', 'trusted_root.json');

// The vex apply inputs: vexhub-rke2 and Trivy reports of 10,000 and 100,000 findings.
const { vexFile, report, report100k, product: RKE2 } = writeVexApplyInputs(work, vectors);

// --- reference processes --------------------------------------------------------------------
// @sigstore/verify is bundle-verify's differential oracle; resolve it from there.
const fromBundleVerify = createRequire(join(repo, 'packages', 'bundle-verify', 'package.json'));
const sigstoreVerify = fromBundleVerify.resolve('@sigstore/verify');
const sigstoreBundle = fromBundleVerify.resolve('@sigstore/bundle');
const referenceScript = join(work, 'reference-loop.cjs');
writeFileSync(
  referenceScript,
  `// A plain Node script a user might write: @sigstore/verify over every manifest line.
const { readFileSync } = require('node:fs');
const { join, dirname } = require('node:path');
const { Verifier, toSignedEntity, toTrustMaterial } = require(${JSON.stringify(sigstoreVerify)});
const { bundleFromJSON } = require(${JSON.stringify(sigstoreBundle)});
const [manifestPath, rootPath] = process.argv.slice(2);
const root = JSON.parse(readFileSync(rootPath, 'utf8'));
const b = (s) => Buffer.from(s, 'base64');
const win = (v) => (v ? { start: new Date(v.start), ...(v.end ? { end: new Date(v.end) } : {}) } : undefined);
const log = (t) => ({ baseUrl: t.baseUrl, hashAlgorithm: 1, logId: { keyId: b(t.logId.keyId) },
  publicKey: { rawBytes: b(t.publicKey.rawBytes), keyDetails: t.publicKey.keyDetails, validFor: win(t.publicKey.validFor) } });
const ca = (c) => ({ subject: c.subject, uri: c.uri, validFor: win(c.validFor),
  certChain: { certificates: c.certChain.certificates.map((x) => ({ rawBytes: b(x.rawBytes) })) } });
const verifier = new Verifier(toTrustMaterial({ mediaType: root.mediaType, tlogs: root.tlogs.map(log),
  ctlogs: root.ctlogs.map(log), certificateAuthorities: root.certificateAuthorities.map(ca),
  timestampAuthorities: (root.timestampAuthorities ?? []).map(ca) }));
let ok = 0;
for (const line of readFileSync(manifestPath, 'utf8').split('\\n')) {
  if (!line.trim()) continue;
  const entry = JSON.parse(line);
  const bundle = bundleFromJSON(JSON.parse(readFileSync(join(dirname(manifestPath), entry.bundle), 'utf8')));
  verifier.verify(toSignedEntity(bundle), { subjectAlternativeName: entry.identity, extensions: { issuer: entry.issuer } });
  ok++;
}
console.log(ok + ' verified');
`,
);
const parseScript = join(work, 'parse-only.cjs');
writeFileSync(
  parseScript,
  `const { readFileSync } = require('node:fs');
for (const f of process.argv.slice(2)) JSON.parse(readFileSync(f, 'utf8'));
`,
);

// --- measurement ----------------------------------------------------------------------------
function time(label, argv, expectStatus = 0) {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(argv[0], argv.slice(1), { cwd: work, encoding: 'utf8', env: process.env });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== expectStatus) {
      throw new Error(
        `${label}: exit ${r.status}, expected ${expectStatus}\n${r.stderr.slice(0, 2000)}`,
      );
    }
    best = Math.min(best, ms);
  }
  return best;
}

const node = process.execPath;
const flareo = (...rest) => [node, cli, ...rest];
const rows = {};
try {
  rows.nodeStart = time('node -e 0', [node, '-e', '0']);
  rows.version = time('flareo --version', flareo('--version'));
  rows.help = time('flareo --help', flareo('--help'));
  rows.verifyOne = time(
    'flareo verify',
    flareo('verify', bundles[7].digest, '--bundle', bundles[7].name, ...IDENTITY, ...ISSUER),
  );
  rows.batch1 = time(
    'flareo verify-batch (1 worker)',
    flareo('verify-batch', manifest, '--concurrency', '1', '--no-progress'),
  );
  rows.batch2 =
    cpus().length >= 2
      ? time(
          'flareo verify-batch (2 workers)',
          flareo('verify-batch', manifest, '--concurrency', '2', '--no-progress'),
        )
      : undefined;
  rows.reference900 = time('@sigstore/verify loop', [node, referenceScript, manifest, trustedRoot]);
  rows.vexApply = time(
    'flareo vex apply',
    flareo('vex', 'apply', '--vex', vexFile, report, '--output', join(work, 'out.json')),
  );
  rows.parseBoth = time('parse both files', [node, parseScript, vexFile, report]);
  rows.vexApplyProduct = time(
    'flareo vex apply --product',
    flareo('vex', 'apply', '--vex', vexFile, report, ...RKE2, '--output', join(work, 'out.json')),
  );
  rows.vexApply100k = time(
    'flareo vex apply (100k)',
    flareo(
      'vex',
      'apply',
      '--vex',
      vexFile,
      report100k,
      ...RKE2,
      '--output',
      join(work, 'out.json'),
    ),
  );
  rows.parseBoth100k = time('parse both files (100k)', [node, parseScript, vexFile, report100k]);
} finally {
  rmSync(work, { recursive: true, force: true });
}

const ms = (v) => (v === undefined ? 'n/a' : `${v.toFixed(0)} ms`);
const figures = {
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
  bestOf: runs,
  rows,
  ratios: {
    versionOverNodeStart: rows.version - rows.nodeStart,
    helpOverNodeStart: rows.help - rows.nodeStart,
    verifyOverNodeStart: rows.verifyOne - rows.nodeStart,
    batchSpeedupVsReference: rows.reference900 / rows.batch1,
    batch2SpeedupVsReference: rows.batch2 ? rows.reference900 / rows.batch2 : undefined,
    twoWorkersOverOne: rows.batch2 ? rows.batch1 / rows.batch2 : undefined,
    vexApplyOverParse: rows.vexApply - rows.parseBoth,
    vexApplyProductOverParse: rows.vexApplyProduct - rows.parseBoth,
    vexApply100kOverParse: rows.vexApply100k - rows.parseBoth100k,
  },
  digest: createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 12),
};
if (asJson) {
  console.log(JSON.stringify(figures, null, 2));
} else {
  const r = figures.ratios;
  console.log(`whole-process bench (best of ${runs}; ${figures.machine})`);
  console.log(`  node -e 0                                  ${ms(rows.nodeStart)}`);
  console.log(
    `  flareo --version                           ${ms(rows.version)}  (node + ${ms(r.versionOverNodeStart)}; target ≤ +30 ms)`,
  );
  console.log(
    `  flareo --help                              ${ms(rows.help)}  (node + ${ms(r.helpOverNodeStart)}; target ≤ +30 ms)`,
  );
  console.log(
    `  flareo verify, one public-good bundle      ${ms(rows.verifyOne)}  (node + ${ms(r.verifyOverNodeStart)}; target ≤ +60 ms)`,
  );
  console.log(
    `  flareo verify-batch, 900 lines, 1 worker   ${ms(rows.batch1)}  (${r.batchSpeedupVsReference.toFixed(2)}× the reference; target ≥ 8×)`,
  );
  console.log(
    `  flareo verify-batch, 900 lines, 2 workers  ${ms(rows.batch2)}  (${r.twoWorkersOverOne?.toFixed(2) ?? 'n/a'}× one worker; target ≥ 1.6×)`,
  );
  console.log(`  @sigstore/verify loop over the same 900    ${ms(rows.reference900)}`);
  console.log(
    `  flareo vex apply, rke2 × 10k findings      ${ms(rows.vexApply)}  (parse + ${ms(r.vexApplyOverParse)}; target ≤ +100 ms)`,
  );
  console.log(`  parse both files only                      ${ms(rows.parseBoth)}`);
  console.log(
    `  flareo vex apply --product, 10k findings   ${ms(rows.vexApplyProduct)}  (parse + ${ms(r.vexApplyProductOverParse)}; target ≤ +100 ms)`,
  );
  console.log(
    `  flareo vex apply --product, 100k findings  ${ms(rows.vexApply100k)}  (parse + ${ms(r.vexApply100kOverParse)}; target ≤ +1000 ms)`,
  );
  console.log(`  parse both files only (100k)               ${ms(rows.parseBoth100k)}`);
}
