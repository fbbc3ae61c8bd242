#!/usr/bin/env node
// Before/after check for changes that must not change behaviour: runs the built `flareo` on
// the interop vectors (fixtures/vectors) — verify, verify-bundle and verify-batch on the nine
// public-good bundles (successes, failures, invalid lines), vex apply of every OpenVEX document
// to every scanner report (report, --json --explain, --summary), every --help — and writes each
// run's exit status, stdout and stderr to one file per case. Timings (durationMs, "… ms)") are
// blanked. `--compare DIR` runs again and reports every case whose output differs.
//
// Usage: node scripts/outputs.mjs --write DIR | --compare DIR   (build first;
// FLAREO_OUTPUTS_CLI=path/to/cli.cjs runs another build, e.g. a copy of an earlier dist/, whose
// entry is cli.js before the entry became CommonJS)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const cliDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = process.env.FLAREO_OUTPUTS_CLI
  ? resolve(process.env.FLAREO_OUTPUTS_CLI)
  : join(cliDir, 'dist', 'cli.cjs');
const vectors = process.env.FLAREO_VECTORS ?? join(cliDir, '..', '..', 'fixtures', 'vectors');
const args = process.argv.slice(2);
const mode = args[0];
const target = args[1];
if (!['--write', '--compare'].includes(mode) || !target) {
  console.error('usage: node scripts/outputs.mjs --write DIR | --compare DIR');
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'flareo-outputs-'));
const cases = [];
const add = (name, argv, input) => cases.push({ name, argv, input });

// --- verify, verify-bundle, verify-batch on the public-good bundles --------------------------
const bundleDir = join(vectors, 'sigstore', 'bundles');
const bundles = readdirSync(bundleDir)
  .filter((f) => f.endsWith('.sigstore'))
  .sort()
  .map((name) => {
    const json = JSON.parse(readFileSync(join(bundleDir, name), 'utf8'));
    const st = JSON.parse(Buffer.from(json.dsseEnvelope.payload, 'base64').toString());
    return { name, path: join(bundleDir, name), digest: `sha512:${st.subject[0].digest.sha512}` };
  });
const SAN = 'brian@dehamer.com';
const ISSUER = 'https://github.com/login/oauth';
const id = ['--certificate-identity', SAN, '--certificate-oidc-issuer', ISSUER];
const otherDigest = `sha512:${'ab'.repeat(64)}`;
for (const b of bundles) {
  add(`verify-json-${b.name}`, ['verify', '--json', '--bundle', b.path, ...id, b.digest]);
  add(`verify-text-${b.name}`, ['verify', '--bundle', b.path, ...id, b.digest]);
  add(`verify-bundle-${b.name}`, ['verify-bundle', '--bundle', b.path, ...id, b.digest]);
}
const first = bundles[0];
add('verify-wrong-identity', [
  'verify',
  '--json',
  '--bundle',
  first.path,
  '--certificate-identity',
  'mallory@example.com',
  '--certificate-oidc-issuer',
  ISSUER,
  first.digest,
]);
add('verify-wrong-digest', ['verify', '--json', '--bundle', first.path, ...id, otherDigest]);
add('verify-wrong-digest-text', ['verify', '--bundle', first.path, ...id, otherDigest]);
add('verify-no-identity', ['verify', '--json', '--bundle', first.path, first.digest]);
add('verify-regexp', [
  'verify',
  '--json',
  '--bundle',
  first.path,
  '--certificate-identity-regexp',
  '.*@dehamer\\.com',
  '--certificate-oidc-issuer-regexp',
  'https://github\\.com/.*',
  first.digest,
]);
add('verify-trust-root', [
  'verify',
  '--json',
  '--bundle',
  first.path,
  ...id,
  '--trust-root',
  join(vectors, 'sigstore', 'public-good', 'trusted_root.json'),
  first.digest,
]);

const lines = [];
for (let i = 0; i < 3; i++) {
  for (const b of bundles) {
    lines.push(
      JSON.stringify({ bundle: b.path, artifact: b.digest, identity: SAN, issuer: ISSUER }),
    );
  }
}
lines.push(
  JSON.stringify({ bundle: first.path, artifact: first.digest, identity: 'x@y', issuer: ISSUER }),
);
lines.push(
  JSON.stringify({ bundle: first.path, artifact: otherDigest, identity: SAN, issuer: ISSUER }),
);
lines.push(
  JSON.stringify({
    bundle: 'missing.sigstore',
    artifact: first.digest,
    identity: SAN,
    issuer: ISSUER,
  }),
);
lines.push('{"bundle": 1}');
lines.push('not json');
lines.push('');
lines.push(
  JSON.stringify({ bundle: first.path, artifact: 'sha512:zz', identity: SAN, issuer: ISSUER }),
);
lines.push(JSON.stringify({ bundle: first.path, artifact: first.digest }));
const good = lines.slice(0, bundles.length * 3);
writeFileSync(join(work, 'mixed.jsonl'), `${lines.join('\n')}\n`);
writeFileSync(join(work, 'good.jsonl'), `${good.join('\n')}\n`);
for (const c of ['1', '2']) {
  for (const m of ['good', 'mixed']) {
    const manifest = join(work, `${m}.jsonl`);
    add(`batch-${m}-json-c${c}`, ['verify-batch', '--json', '--concurrency', c, manifest]);
    add(`batch-${m}-text-c${c}`, ['verify-batch', '--concurrency', c, manifest]);
  }
}
// Without --concurrency: a manifest this short is verified on the main thread.
for (const m of ['good', 'mixed']) {
  const manifest = join(work, `${m}.jsonl`);
  add(`batch-${m}-json-default`, ['verify-batch', '--json', manifest]);
  add(`batch-${m}-text-default`, ['verify-batch', manifest]);
}
add(
  'batch-defaults-stdin',
  ['verify-batch', '--json', ...id, '-'],
  `${bundles.map((b) => JSON.stringify({ bundle: b.path, artifact: b.digest })).join('\n')}\n`,
);
add('batch-empty', ['verify-batch', '--json', '-'], '\n\n');

// --- vex apply: every document on every report ----------------------------------------------
const vexDir = join(vectors, 'vex', 'openvex');
const docs = readdirSync(vexDir)
  .filter((f) => f.endsWith('.json'))
  .sort();
const reportDir = join(vectors, 'vex', 'reports');
const reports = [
  ...readdirSync(reportDir)
    .sort()
    .map((f) => join(reportDir, f)),
  join(vectors, 'vex', 'sarif', 'nginx-grype.sarif.json'),
  join(vectors, 'vex', 'sarif', 'nginx-trivy.sarif.json'),
];
for (const r of reports) {
  for (const d of docs) {
    const tag = `${r.split('/').pop()}--${d}`;
    const v = ['--vex', join(vexDir, d)];
    add(`apply-report-${tag}`, ['vex', 'apply', ...v, r]);
    add(`apply-json-${tag}`, ['vex', 'apply', '--json', '--explain', ...v, r]);
  }
  add(`apply-summary-${r.split('/').pop()}`, [
    'vex',
    'apply',
    '--summary',
    '--explain',
    ...docs.flatMap((d) => ['--vex', join(vexDir, d)]),
    r,
  ]);
}
for (const d of docs) add(`vex-validate-${d}`, ['vex', 'validate', '--json', join(vexDir, d)]);

// --- help and version -----------------------------------------------------------------------
add('version', ['--version']);
add('help', ['--help']);
for (const c of [
  'verify',
  'verify-bundle',
  'verify-batch',
  'verify-image',
  'vex',
  'score',
  'policy',
  'trust-root',
]) {
  add(`help-${c}`, [c, '--help']);
}
for (const c of ['apply', 'merge', 'validate']) add(`help-vex-${c}`, ['vex', c, '--help']);
add('unknown-command', ['frobnicate']);
add('unknown-option-json', ['verify', '--json', '--frob']);

// --- run ------------------------------------------------------------------------------------
const blank = (s) =>
  s
    .split(work)
    .join('<work>')
    .split(vectors)
    .join('<vectors>')
    .replace(/"durationMs":\s*\d+/g, '"durationMs":0')
    .replace(/, \d+ ms\)/g, ', N ms)');
const env = { ...process.env, NO_COLOR: '1' };
delete env.FORCE_COLOR;
let differences = 0;
if (mode === '--write') mkdirSync(target, { recursive: true });
try {
  for (const c of cases) {
    const r = spawnSync(process.execPath, [cli, ...c.argv], {
      cwd: work,
      env,
      input: c.input ?? '',
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    const text = `exit ${r.status}\n--- stdout\n${blank(r.stdout)}\n--- stderr\n${blank(r.stderr)}`;
    const file = join(target, `${c.name}.txt`);
    if (mode === '--write') writeFileSync(file, text);
    else {
      let before;
      try {
        before = readFileSync(file, 'utf8');
      } catch {
        before = undefined;
      }
      if (before !== text) {
        differences++;
        console.error(`differs: ${c.name}`);
      }
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(
  `${cases.length} cases ${mode === '--write' ? `written to ${target}` : `compared, ${differences} differ`}`,
);
process.exit(differences ? 1 : 0);
