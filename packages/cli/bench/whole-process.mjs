#!/usr/bin/env node
// Whole-process benchmark: what a user feels when running `flareo`, cold start included,
// against reference processes measured in the same run (best of N wall-clock times).
// Cases: `node -e 0`; `flareo --version` and `--help`; one `flareo verify` of a real
// public-good bundle; `flareo verify-batch` on 900 lines with 1 and 2 workers, against a
// plain Node script looping @sigstore/verify over the same 900; `flareo vex apply` of the
// 1,666-statement vexhub-rke2 document to a 10,000-finding Trivy report, against a script
// that only parses both files. Prints a table and the ratios (best of N wall-clock times,
// and the best CPU time of each process: user + system, all threads, from
// `process.cpuUsage()` at exit through a preloaded script), `--json` prints JSON.
//
// Usage: node bench/whole-process.mjs [--runs N] [--only ROWS] [--baseline CLI] [--json]
//   (run `pnpm build` first; FLAREO_BENCH_CLI=path/to/cli.js measures another build)
//   --only ROWS      comma-separated rows: node,version,help,verify,batch1,batch2,reference,
//                    vex,parse (default: all)
//   --baseline CLI   also measure another build (e.g. a copy of an earlier dist/cli.js) in the
//                    same rounds, interleaved process by process with this one
// Runs under the Node it is started with: `/path/to/node22 bench/whole-process.mjs` measures
// Node 22 (Node 22+ keeps the compile cache `flareo` enables; the first run fills it).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const cliDir = resolve(here, '..');
const repo = resolve(cliDir, '..', '..');
// FLAREO_BENCH_CLI: another build of the command to measure (an earlier one, to compare).
const cli = process.env.FLAREO_BENCH_CLI
  ? resolve(process.env.FLAREO_BENCH_CLI)
  : join(cliDir, 'dist', 'cli.js');
const vectors = process.env.FLAREO_VECTORS ?? join(repo, 'fixtures', 'vectors');
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const runs = Number(option('--runs')) || 3;
const asJson = args.includes('--json');
const ROWS = ['node', 'version', 'help', 'verify', 'batch1', 'batch2', 'reference', 'vex', 'parse'];
const only = option('--only')?.split(',') ?? ROWS;
for (const row of only) {
  if (!ROWS.includes(row)) throw new Error(`--only: unknown row ${row} (rows: ${ROWS.join(',')})`);
}
const baseline = option('--baseline') ? resolve(option('--baseline')) : undefined;

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

// A 10,000-finding Trivy report for the rke2 binary: a third of the findings are named by
// the VEX document (same vulnerability and subcomponent), a third share the vulnerability
// with another version of the module, a third are unrelated. Deterministic.
const vexFile = join(vectors, 'vex', 'openvex', 'vexhub-rke2.openvex.json');
const vexDoc = JSON.parse(readFileSync(vexFile, 'utf8'));
const named = vexDoc.statements.flatMap((s) =>
  (s.products ?? []).flatMap((p) =>
    (p.subcomponents ?? []).filter((c) => c['@id']).map((c) => [s.vulnerability.name, c['@id']]),
  ),
);
const findings = Array.from({ length: 10_000 }, (_, i) => {
  const [vuln, purl] = named[i % named.length];
  const variant = i % 3;
  const pkg =
    variant === 0
      ? purl
      : variant === 1
        ? purl.replace(/@.*$/, `@v0.0.${i}`)
        : `pkg:golang/example.com/m${i % 400}@v2.${i}.1`;
  return {
    VulnerabilityID: variant === 2 ? `CVE-2098-${20000 + i}` : vuln,
    PkgName: pkg,
    PkgIdentifier: { PURL: pkg },
    Severity: ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'][i % 4],
  };
});
const report = join(work, 'trivy-10k.json');
writeFileSync(
  report,
  JSON.stringify({
    SchemaVersion: 2,
    ArtifactName: 'rke2',
    ArtifactType: 'filesystem',
    Results: [{ Target: 'rke2', Class: 'lang-pkgs', Type: 'gobinary', Vulnerabilities: findings }],
  }),
);

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
// Each process gets a preloaded script that writes its CPU time (user + system, all threads)
// as the last line of stderr when it exits. Every round runs each case once for each build,
// so both builds see the same machine load.
const cpuProbe = join(work, 'cpu-probe.cjs');
writeFileSync(
  cpuProbe,
  `process.on('exit', () => { const u = process.cpuUsage(); require('node:fs').writeSync(2, '\\nflareo-bench-cpu ' + (u.user + u.system) / 1000 + '\\n'); });\n`,
);

function once(label, argv, expectStatus) {
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0], ['-r', cpuProbe, ...argv.slice(1)], {
    cwd: work,
    encoding: 'utf8',
    env: process.env,
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== expectStatus) {
    throw new Error(
      `${label}: exit ${r.status}, expected ${expectStatus}\n${r.stderr.slice(0, 2000)}`,
    );
  }
  const cpu = Number(/flareo-bench-cpu ([\d.]+)\s*$/.exec(r.stderr)?.[1] ?? Number.NaN);
  return { wall, cpu };
}

const node = process.execPath;
const builds = baseline ? { current: cli, baseline } : { current: cli };
const CASES = {
  node: { label: 'node -e 0', argv: () => [node, '-e', '0'], once: true },
  version: { label: 'flareo --version', argv: (c) => [node, c, '--version'] },
  help: { label: 'flareo --help', argv: (c) => [node, c, '--help'] },
  verify: {
    label: 'flareo verify',
    argv: (c) => [
      node,
      c,
      'verify',
      bundles[7].digest,
      '--bundle',
      bundles[7].name,
      ...IDENTITY,
      ...ISSUER,
    ],
  },
  batch1: {
    label: 'flareo verify-batch (1 worker)',
    argv: (c) => [node, c, 'verify-batch', manifest, '--concurrency', '1', '--no-progress'],
  },
  batch2: {
    label: 'flareo verify-batch (2 workers)',
    argv: (c) => [node, c, 'verify-batch', manifest, '--concurrency', '2', '--no-progress'],
    skip: cpus().length < 2,
  },
  reference: {
    label: '@sigstore/verify loop',
    argv: () => [node, referenceScript, manifest, trustedRoot],
    once: true,
  },
  vex: {
    label: 'flareo vex apply',
    argv: (c) => [
      node,
      c,
      'vex',
      'apply',
      '--vex',
      vexFile,
      report,
      '--output',
      join(work, 'out.json'),
    ],
  },
  parse: {
    label: 'parse both files',
    argv: () => [node, parseScript, vexFile, report],
    once: true,
  },
};
const ROW_NAMES = {
  node: 'nodeStart',
  version: 'version',
  help: 'help',
  verify: 'verifyOne',
  batch1: 'batch1',
  batch2: 'batch2',
  reference: 'reference900',
  vex: 'vexApply',
  parse: 'parseBoth',
};

/** best[build][row] = { wall, cpu }: the minimum of each over the rounds. */
const best = {};
try {
  for (let round = 0; round < runs; round++) {
    for (const row of only) {
      const c = CASES[row];
      if (c.skip) continue;
      for (const [build, path] of Object.entries(builds)) {
        if (c.once && build !== 'current') continue;
        const t = once(`${c.label} (${build})`, c.argv(path), 0);
        best[build] ??= {};
        best[build][ROW_NAMES[row]] ??= {
          wall: Number.POSITIVE_INFINITY,
          cpu: Number.POSITIVE_INFINITY,
        };
        const slot = best[build][ROW_NAMES[row]];
        slot.wall = Math.min(slot.wall, t.wall);
        slot.cpu = Math.min(slot.cpu, t.cpu);
      }
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
// The reference processes are shared by both builds.
for (const build of Object.keys(builds)) {
  for (const row of ['nodeStart', 'reference900', 'parseBoth']) {
    best[build] ??= {};
    if (best.current?.[row]) best[build][row] = best.current[row];
  }
}
const rowsOf = (build, what) =>
  Object.fromEntries(Object.entries(best[build] ?? {}).map(([k, v]) => [k, v[what]]));
const rows = rowsOf('current', 'wall');
const cpuRows = rowsOf('current', 'cpu');

const ms = (v) => (v === undefined ? 'n/a' : `${v.toFixed(0)} ms`);
const ratiosOf = (rows) => ({
  versionOverNodeStart: rows.version - rows.nodeStart,
  helpOverNodeStart: rows.help - rows.nodeStart,
  verifyOverNodeStart: rows.verifyOne - rows.nodeStart,
  batchSpeedupVsReference: rows.reference900 / rows.batch1,
  twoWorkersOverOne: rows.batch2 ? rows.batch1 / rows.batch2 : undefined,
  vexApplyOverParse: rows.vexApply - rows.parseBoth,
});
const figures = {
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
  bestOf: runs,
  rows,
  cpu: cpuRows,
  cpuRatios: ratiosOf(cpuRows),
  ...(baseline
    ? {
        baseline: {
          cli: baseline,
          rows: rowsOf('baseline', 'wall'),
          cpu: rowsOf('baseline', 'cpu'),
          ratios: ratiosOf(rowsOf('baseline', 'wall')),
          cpuRatios: ratiosOf(rowsOf('baseline', 'cpu')),
        },
      }
    : {}),
  ratios: {
    versionOverNodeStart: rows.version - rows.nodeStart,
    helpOverNodeStart: rows.help - rows.nodeStart,
    verifyOverNodeStart: rows.verifyOne - rows.nodeStart,
    batchSpeedupVsReference: rows.reference900 / rows.batch1,
    batch2SpeedupVsReference: rows.batch2 ? rows.reference900 / rows.batch2 : undefined,
    twoWorkersOverOne: rows.batch2 ? rows.batch1 / rows.batch2 : undefined,
    vexApplyOverParse: rows.vexApply - rows.parseBoth,
  },
  digest: createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 12),
};
if (asJson) {
  console.log(JSON.stringify(figures, null, 2));
} else {
  const cpu = figures.cpu;
  const base = figures.baseline;
  const cell = (row, extra = '') =>
    rows[row] === undefined
      ? ''
      : `${ms(rows[row])} (cpu ${ms(cpu[row])})${base?.rows[row] !== undefined && !['nodeStart', 'reference900', 'parseBoth'].includes(row) ? `  baseline ${ms(base.rows[row])} (cpu ${ms(base.cpu[row])})` : ''}${extra}`;
  const plus = (row, target) =>
    rows.nodeStart === undefined
      ? ''
      : `  [node + ${ms(rows[row] - rows.nodeStart)}, cpu + ${ms(cpu[row] - cpu.nodeStart)}${base?.rows[row] !== undefined ? `; baseline node + ${ms(base.rows[row] - rows.nodeStart)}, cpu + ${ms(base.cpu[row] - cpu.nodeStart)}` : ''}; target ≤ +${target} ms]`;
  const lines = [
    ['nodeStart', 'node -e 0', ''],
    ['version', 'flareo --version', plus('version', 30)],
    ['help', 'flareo --help', plus('help', 30)],
    ['verifyOne', 'flareo verify, one public-good bundle', plus('verifyOne', 60)],
    [
      'batch1',
      'flareo verify-batch, 900 lines, 1 worker',
      rows.reference900
        ? `  [${(rows.reference900 / rows.batch1).toFixed(2)}× the reference; target ≥ 8×]`
        : '',
    ],
    [
      'batch2',
      'flareo verify-batch, 900 lines, 2 workers',
      rows.batch1 ? `  [${(rows.batch1 / rows.batch2).toFixed(2)}× one worker; target ≥ 1.6×]` : '',
    ],
    ['reference900', '@sigstore/verify loop over the same 900', ''],
    [
      'vexApply',
      'flareo vex apply, rke2 × 10k findings',
      rows.parseBoth ? `  [parse + ${ms(rows.vexApply - rows.parseBoth)}; target ≤ +100 ms]` : '',
    ],
    ['parseBoth', 'parse both files only', ''],
  ];
  console.log(`whole-process bench (best of ${runs}; ${figures.machine})`);
  if (base) console.log(`baseline: ${base.cli}`);
  for (const [row, label, extra] of lines) {
    if (rows[row] !== undefined) console.log(`  ${label.padEnd(43)}${cell(row)}${extra}`);
  }
}
