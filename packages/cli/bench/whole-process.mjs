#!/usr/bin/env node
// Whole-process benchmark: what a user feels when running `flareo`, cold start included,
// against reference processes measured in the same run (best of N wall-clock times).
// Cases: `node -e 0`; `flareo --version` and `--help`; one `flareo verify` of a real public-good
// bundle, and one `flareo verify-bundle` (the conformance suite's protocol) of it; one `flareo
// verify-image` of a signed image in an OCI layout; `flareo verify-batch` on 900 lines with 1 and 2
// workers, against a plain Node script looping @sigstore/verify over the same 900; `flareo vex
// apply` of the 1,666-statement vexhub-rke2 document to a 10,000-finding Trivy report (as it is,
// and with rke2's module as the product), and with the product to a 100,000-finding report made
// from it, each against a script that only parses both files. Prints a table and the ratios;
// `--json` prints JSON.
//
// The 900 lines are the nine public-good bundles a hundred times each (two signing
// certificates among them), so verify-batch's verified-signature cache (on by default) saves
// most certificate checks there: the batch rows are also measured with the cache off
// (`--signature-cache 0`), and on 900 DISTINCT minted bundles (own certificate, signature and
// log entry each; see minted-manifest.mjs) against the same @sigstore/verify loop, where no
// check recurs and the cache cannot help. A short manifest (40 of those distinct lines, as a CI
// job verifying a release's artifacts has) is run with the default (since issue 20's fourth
// round, the main thread verifies a manifest of up to 96 lines) and with two workers, the
// default on two cores before.
//
// Usage: node bench/whole-process.mjs [--runs N] [--json] [--only start|batch|vex]
//          [--baseline path/to/earlier/cli.js] [--without-extra-ca-certs]
// (run `pnpm build` first; FLAREO_BENCH_CLI=path/to/cli.cjs measures another build; --only runs
// one group of rows and their references; --baseline also runs every flareo row with an earlier
// build, alternating run by run, and prints before → after)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSignedImageLayout } from '@flareo/testkit';
import { writeMintedManifest } from './minted-manifest.mjs';
import { writeVexApplyInputs } from './vex-inputs.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const cliDir = resolve(here, '..');
const repo = resolve(cliDir, '..', '..');
// FLAREO_BENCH_CLI: another build of the command to measure (an earlier one, to compare).
const cli = process.env.FLAREO_BENCH_CLI
  ? resolve(process.env.FLAREO_BENCH_CLI)
  : join(cliDir, 'dist', 'cli.cjs');
const vectors = process.env.FLAREO_VECTORS ?? join(repo, 'fixtures', 'vectors');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 3;
const asJson = args.includes('--json');
// --baseline <cli.cjs>: an earlier build of the command (a copy of its dist/, or another
// checkout's packages/cli/dist/cli.cjs; cli.js before the entry became CommonJS). Every flareo
// row is then also run with it, the two builds alternating run by run, and a before/after
// table follows the figures.
const baseline = args.includes('--baseline')
  ? resolve(args[args.indexOf('--baseline') + 1] ?? '')
  : undefined;
const before = {};
const timed = {};
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const want = (group) => only === undefined || only === group;

// NODE_EXTRA_CA_CERTS: Node 20 reads and parses that file at the start of every process,
// before any JavaScript runs (this workplace's machines set it to the system's bundle of some
// 140 certificates: about 40 ms of each start, `node -e 0` included). Every row then carries it,
// the references too; `--without-extra-ca-certs` runs every process without it, as on a
// machine that does not set it. The header says which.
const withoutExtraCa = args.includes('--without-extra-ca-certs');
const env = { ...process.env };
if (withoutExtraCa) delete env.NODE_EXTRA_CA_CERTS;
const extraCaCerts = env.NODE_EXTRA_CA_CERTS || undefined;

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
const [manifestPath, rootPath, ct] = process.argv.slice(2);
const root = JSON.parse(readFileSync(rootPath, 'utf8'));
const b = (s) => Buffer.from(s, 'base64');
const win = (v) => (v ? { start: new Date(v.start), ...(v.end ? { end: new Date(v.end) } : {}) } : undefined);
const log = (t) => ({ baseUrl: t.baseUrl, hashAlgorithm: 1, logId: { keyId: b(t.logId.keyId) },
  publicKey: { rawBytes: b(t.publicKey.rawBytes), keyDetails: t.publicKey.keyDetails, validFor: win(t.publicKey.validFor) } });
const ca = (c) => ({ subject: c.subject, uri: c.uri, validFor: win(c.validFor),
  certChain: { certificates: c.certChain.certificates.map((x) => ({ rawBytes: b(x.rawBytes) })) } });
const verifier = new Verifier(toTrustMaterial({ mediaType: root.mediaType, tlogs: root.tlogs.map(log),
  ctlogs: root.ctlogs.map(log), certificateAuthorities: root.certificateAuthorities.map(ca),
  timestampAuthorities: (root.timestampAuthorities ?? []).map(ca) }),
  // Minted bundles carry no SCTs (and their root no CT log).
  ct === 'no-ct' ? { ctlogThreshold: 0 } : {});
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
// CPU time (all threads) of the verify-batch rows and their references, best of the runs:
// steadier than wall-clock time on a shared machine. Read from probe.cjs's line on stderr.
const cpuOf = {};
const probe = join(here, 'probe.cjs');

function time(label, argv, expectStatus = 0, key = undefined) {
  let best = Number.POSITIVE_INFINITY;
  const full = key === undefined ? argv : [argv[0], '--require', probe, ...argv.slice(1)];
  const cliAt = full.indexOf(cli);
  const earlier = baseline !== undefined && cliAt !== -1;
  for (let i = 0; i < runs; i++) {
    if (earlier) {
      const argvBefore = full.with(cliAt, baseline);
      const start = process.hrtime.bigint();
      const r = spawnSync(argvBefore[0], argvBefore.slice(1), {
        cwd: work,
        encoding: 'utf8',
        env,
      });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (r.status !== expectStatus) {
        throw new Error(`${label} (baseline): exit ${r.status}\n${r.stderr.slice(0, 2000)}`);
      }
      before[label] = Math.min(before[label] ?? Number.POSITIVE_INFINITY, ms);
    }
    const start = process.hrtime.bigint();
    const r = spawnSync(full[0], full.slice(1), { cwd: work, encoding: 'utf8', env });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== expectStatus) {
      throw new Error(
        `${label}: exit ${r.status}, expected ${expectStatus}\n${r.stderr.slice(0, 2000)}`,
      );
    }
    best = Math.min(best, ms);
    timed[label] = best;
    const probed = /flareo-probe (.*)/.exec(r.stderr);
    if (key !== undefined && probed) {
      const { cpuMs } = JSON.parse(probed[1]);
      cpuOf[key] = Math.min(cpuOf[key] ?? Number.POSITIVE_INFINITY, cpuMs);
    }
  }
  return best;
}

const node = process.execPath;
/** Lines of the short manifest of the `small` rows. */
const SMALL_LINES = 40;
const flareo = (...rest) => [node, cli, ...rest];
const twoCores = cpus().length >= 2;
const batch = (key, label, file, workers, ...rest) =>
  workers === 2 && !twoCores
    ? undefined
    : time(
        `${label} (${workers} worker${workers === 1 ? '' : 's'})`,
        flareo('verify-batch', file, '--concurrency', String(workers), '--no-progress', ...rest),
        0,
        key,
      );
const rows = {};
try {
  if (want('start')) {
    rows.nodeStart = time('node -e 0', [node, '-e', '0']);
    rows.version = time('flareo --version', flareo('--version'));
    rows.help = time('flareo --help', flareo('--help'));
    rows.verifyOne = time(
      'flareo verify',
      flareo('verify', bundles[7].digest, '--bundle', bundles[7].name, ...IDENTITY, ...ISSUER),
    );
    // A CI job's check of one image, signed as `cosign sign` signs: an OCI layout on disk (no
    // registry, so no network in the measure), minted by @flareo/testkit.
    const image = await writeSignedImageLayout(work, 'cli-bench-image');
    rows.verifyImage = time(
      'flareo verify-image',
      flareo('verify-image', ...image.verifyImageArgs),
    );
    // The Sigstore conformance suite's client protocol: one process per case.
    rows.verifyBundleOne = time(
      'flareo verify-bundle',
      flareo(
        'verify-bundle',
        '--bundle',
        bundles[7].name,
        ...IDENTITY,
        ...ISSUER,
        bundles[7].digest,
      ),
    );
  }
  if (want('batch')) {
    const noCache = ['--signature-cache', '0'];
    rows.batch1 = batch('batch1', 'verify-batch', manifest, 1);
    rows.batch2 = batch('batch2', 'verify-batch', manifest, 2);
    rows.batch1NoCache = batch('batch1NoCache', 'verify-batch, no cache', manifest, 1, ...noCache);
    rows.batch2NoCache = batch('batch2NoCache', 'verify-batch, no cache', manifest, 2, ...noCache);
    rows.reference900 = time(
      '@sigstore/verify loop',
      [node, referenceScript, manifest, trustedRoot],
      0,
      'reference900',
    );
    const minted = writeMintedManifest(work, 900);
    const mintedRoot = ['--trust-root', minted.trustedRoot];
    rows.distinct1 = batch(
      'distinct1',
      'verify-batch, distinct',
      minted.manifest,
      1,
      ...mintedRoot,
    );
    rows.distinct2 = batch(
      'distinct2',
      'verify-batch, distinct',
      minted.manifest,
      2,
      ...mintedRoot,
    );
    rows.referenceDistinct = time(
      '@sigstore/verify loop, distinct',
      [node, referenceScript, minted.manifest, minted.trustedRoot, 'no-ct'],
      0,
      'referenceDistinct',
    );
    // A short manifest, as a CI job verifying a release's few artifacts has: the first 40
    // distinct lines, by default (the main thread, no worker, since issue 20's fourth round)
    // and with two workers (the default on two cores before it).
    const small = join(work, 'small-manifest.jsonl');
    writeFileSync(
      small,
      `${readFileSync(minted.manifest, 'utf8').split('\n').slice(0, SMALL_LINES).join('\n')}\n`,
    );
    rows.smallDefault = time(
      `verify-batch, ${SMALL_LINES} distinct (default)`,
      flareo('verify-batch', small, '--no-progress', ...mintedRoot),
      0,
      'smallDefault',
    );
    rows.small2 = batch('small2', `verify-batch, ${SMALL_LINES} distinct`, small, 2, ...mintedRoot);
  }
  if (want('vex')) {
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
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const ms = (v) => (v === undefined ? 'n/a' : `${v.toFixed(0)} ms`);
const ratio = (a, b) => (a === undefined || b === undefined ? undefined : a / b);
const x = (v) => (v === undefined ? 'n/a' : `${v.toFixed(2)}×`);
const figures = {
  ...(baseline === undefined ? {} : { baseline, before }),
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
  extraCaCerts: extraCaCerts ?? null,
  bestOf: runs,
  rows,
  cpuMs: cpuOf,
  ratios: {
    versionOverNodeStart: rows.version - rows.nodeStart,
    helpOverNodeStart: rows.help - rows.nodeStart,
    verifyOverNodeStart: rows.verifyOne - rows.nodeStart,
    verifyBundleOverNodeStart: rows.verifyBundleOne - rows.nodeStart,
    verifyImageOverNodeStart: rows.verifyImage - rows.nodeStart,
    batchSpeedupVsReference: ratio(rows.reference900, rows.batch1),
    batch2SpeedupVsReference: ratio(rows.reference900, rows.batch2),
    twoWorkersOverOne: ratio(rows.batch1, rows.batch2),
    batchNoCacheSpeedupVsReference: ratio(rows.reference900, rows.batch1NoCache),
    twoWorkersOverOneNoCache: ratio(rows.batch1NoCache, rows.batch2NoCache),
    distinctSpeedupVsReference: ratio(rows.referenceDistinct, rows.distinct1),
    distinct2SpeedupVsReference: ratio(rows.referenceDistinct, rows.distinct2),
    twoWorkersOverOneDistinct: ratio(rows.distinct1, rows.distinct2),
    smallDefaultSpeedupOverTwoWorkers: ratio(rows.small2, rows.smallDefault),
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
  const print = (label, value, note, key) => {
    if (value === undefined) return;
    const cpu = key && cpuOf[key] !== undefined ? `, CPU ${ms(cpuOf[key])}` : '';
    console.log(`  ${label.padEnd(52)} ${ms(value)}${cpu}${note ? `  (${note})` : ''}`);
  };
  console.log(`whole-process bench (best of ${runs}; ${figures.machine})`);
  console.log(
    extraCaCerts === undefined
      ? '  NODE_EXTRA_CA_CERTS not set'
      : `  NODE_EXTRA_CA_CERTS=${extraCaCerts}: every process, node -e 0 included, reads it at start (--without-extra-ca-certs to leave it out)`,
  );
  print('node -e 0', rows.nodeStart);
  print('flareo --version', rows.version, `node + ${ms(r.versionOverNodeStart)}; target ≤ +30 ms`);
  print('flareo --help', rows.help, `node + ${ms(r.helpOverNodeStart)}; target ≤ +30 ms`);
  print(
    'flareo verify, one public-good bundle',
    rows.verifyOne,
    `node + ${ms(r.verifyOverNodeStart)}; target ≤ +60 ms`,
  );
  print(
    'flareo verify-bundle, the same bundle',
    rows.verifyBundleOne,
    `node + ${ms(r.verifyBundleOverNodeStart)}`,
  );
  print(
    'flareo verify-image, one signed image (OCI layout)',
    rows.verifyImage,
    `node + ${ms(r.verifyImageOverNodeStart)}`,
  );
  print(
    'flareo verify-batch, 900 lines, 1 worker',
    rows.batch1,
    `${x(r.batchSpeedupVsReference)} the reference; target ≥ 8×`,
    'batch1',
  );
  print(
    'flareo verify-batch, 900 lines, 2 workers',
    rows.batch2,
    `${x(r.twoWorkersOverOne)} one worker; target ≥ 1.6×`,
    'batch2',
  );
  print(
    '  same, no signature cache, 1 worker',
    rows.batch1NoCache,
    `${x(r.batchNoCacheSpeedupVsReference)} the reference`,
    'batch1NoCache',
  );
  print(
    '  same, no signature cache, 2 workers',
    rows.batch2NoCache,
    `${x(r.twoWorkersOverOneNoCache)} one worker`,
    'batch2NoCache',
  );
  print('@sigstore/verify loop over the same 900', rows.reference900, undefined, 'reference900');
  print(
    'flareo verify-batch, 900 distinct minted, 1 worker',
    rows.distinct1,
    `${x(r.distinctSpeedupVsReference)} the reference`,
    'distinct1',
  );
  print(
    'flareo verify-batch, 900 distinct minted, 2 workers',
    rows.distinct2,
    `${x(r.twoWorkersOverOneDistinct)} one worker`,
    'distinct2',
  );
  print(
    '@sigstore/verify loop over the 900 distinct',
    rows.referenceDistinct,
    undefined,
    'referenceDistinct',
  );
  print(
    `flareo verify-batch, ${SMALL_LINES} distinct, by default`,
    rows.smallDefault,
    `${x(r.smallDefaultSpeedupOverTwoWorkers)} faster than 2 workers; the main thread verifies`,
    'smallDefault',
  );
  print(
    `flareo verify-batch, ${SMALL_LINES} distinct, 2 workers`,
    rows.small2,
    undefined,
    'small2',
  );
  print(
    'flareo vex apply, rke2 × 10k findings',
    rows.vexApply,
    `parse + ${ms(r.vexApplyOverParse)}; target ≤ +100 ms`,
  );
  print('parse both files only', rows.parseBoth);
  print(
    'flareo vex apply --product, 10k findings',
    rows.vexApplyProduct,
    `parse + ${ms(r.vexApplyProductOverParse)}; target ≤ +100 ms`,
  );
  print(
    'flareo vex apply --product, 100k findings',
    rows.vexApply100k,
    `parse + ${ms(r.vexApply100kOverParse)}; target ≤ +1000 ms`,
  );
  print('parse both files only (100k)', rows.parseBoth100k);
  if (baseline !== undefined) {
    console.log(`\nbefore (${baseline}) → after, best of ${runs}, the builds alternating:`);
    for (const [label, was] of Object.entries(before)) {
      const now = timed[label];
      console.log(`  ${label.padEnd(52)} ${ms(was)} → ${ms(now)}  (${x(was / now)})`);
    }
  }
}
