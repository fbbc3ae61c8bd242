import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  buildTrustedRoot,
  createFulcioChain,
  DEFAULT_OIDC_ISSUER,
  DEFAULT_WORKFLOW_URI,
  mintSigstoreBundle,
  TestRekorV1,
  TestTufRepository,
  TestTufServer,
} from '@flareo/testkit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TrustRootInspection } from '../src/commands/trust-root.js';
import type { TrustRootUpdateJson } from '../src/commands/trust-root-update.js';
import { flareo, json, Scratch } from './helpers.js';

const scratch = new Scratch();
afterAll(() => scratch.remove());
const servers: TestTufServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

// A private Sigstore deployment: its CA and log, in a trusted_root.json served through TUF.
const chain = createFulcioChain({ seed: 'cli-tuf-ca' });
const rekor = new TestRekorV1({ seed: 'cli-tuf-rekor' });
const privateRoot = JSON.stringify({
  ...buildTrustedRoot({ certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }] }),
  tlogs: [rekor.transparencyLogInstance()],
});
const artifact = new TextEncoder().encode('tuf artifact\n');
const artifactPath = scratch.write('artifact.txt', artifact);
const bundle = scratch.write(
  'artifact.sigstore.json',
  mintSigstoreBundle({
    version: '0.3',
    content: { kind: 'message', artifact },
    signer: { certificate: chain.leaf() },
    rekor,
  }).json,
);
const identity = [
  '--certificate-identity',
  DEFAULT_WORKFLOW_URI,
  '--certificate-oidc-issuer',
  DEFAULT_OIDC_ISSUER,
];

let dirs = 0;
async function mirror(targets: Record<string, string> = { 'trusted_root.json': privateRoot }) {
  const repo = new TestTufRepository({ targets, seed: 'cli-tuf' });
  const server = await TestTufServer.start(repo);
  servers.push(server);
  const rootFile = scratch.write(`root-${dirs}.json`, repo.root(1));
  const cacheDir = scratch.path(`cache-${dirs++}`);
  const env = { FLAREO_TUF_CACHE: cacheDir, FLAREO_TUF_MIRROR: server.url };
  return { repo, server, rootFile, cacheDir, env };
}

function snapshotDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

describe('flareo trust-root update', () => {
  it('fetches, verifies and caches; says what it got; a second run finds it unchanged', async () => {
    const m = await mirror();
    const first = await flareo([
      'trust-root',
      'update',
      '--mirror',
      m.server.url,
      '--root',
      m.rootFile,
      '--cache-dir',
      m.cacheDir,
    ]);
    expect(first.code, first.stderr).toBe(0);
    const sha = createHash('sha256').update(privateRoot).digest('hex');
    expect(first.stdout).toContain(
      `✓ trusted_root.json from ${m.server.url}, verified through TUF`,
    );
    expect(first.stdout).toMatch(/root {8}version 1, expires \d{4}-/);
    expect(first.stdout).toContain(`sha256:${sha} (first fetch for this cache)`);
    expect(first.stdout).toContain(
      'contents    1 certificate authority, 1 transparency log, 0 CT logs, 0 timestamp authorities',
    );

    // The environment names the mirror and cache; no --root is needed once cached.
    m.repo.rotateRoot({});
    m.repo.publish();
    const second = await flareo(['trust-root', 'update', '--json'], { env: m.env });
    expect(second.code, second.stderr).toBe(0);
    const j = json(second) as unknown as TrustRootUpdateJson;
    expect(j).toMatchObject({
      mirror: m.server.url,
      status: 'unchanged',
      anchor: 'cache',
      provenance: { root: { version: 2 }, timestamp: { version: 2 }, target: { sha256: sha } },
      previous: { root: { version: 1 } },
      contents: { certificateAuthorities: 1, tlogs: 1, ctlogs: 0, timestampAuthorities: 0 },
    });
    expect(j.directory.startsWith(m.cacheDir)).toBe(true);
  });

  it('refusals exit 1 with the TUF code and leave the cache as it was; an unreachable mirror exits 2', async () => {
    const m = await mirror();
    const args = ['trust-root', 'update', '--root', m.rootFile];
    expect((await flareo(args, { env: m.env })).code).toBe(0);
    const before = snapshotDir(m.cacheDir);
    const oldTimestamp = m.repo.file('timestamp.json');
    m.repo.publish();
    const again = await flareo(args, { env: m.env });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('warning: --root');
    expect(again.stderr).toContain('was not needed');
    const good = snapshotDir(m.cacheDir);
    expect(good).not.toEqual(before);

    m.server.attack('timestamp.json', { body: oldTimestamp });
    const rollback = await flareo([...args, '--json'], { env: m.env });
    expect(rollback.code).toBe(1);
    expect(rollback.stderr).toContain('TUF_ROLLBACK');
    expect(rollback.stderr).toContain('the cache is unchanged');
    expect((json(rollback).error as { code: string }).code).toBe('TUF_ROLLBACK');
    expect(snapshotDir(m.cacheDir)).toEqual(good);

    m.server.attack('timestamp.json', { endless: true });
    const endless = await flareo(args, { env: m.env });
    expect(endless.code).toBe(1);
    expect(endless.stderr).toContain('TUF_TOO_LARGE');
    expect(snapshotDir(m.cacheDir)).toEqual(good);

    m.server.attack('timestamp.json', { status: 502 });
    const down = await flareo(args, { env: m.env });
    expect(down.code).toBe(2);
    expect(down.stderr).toContain('TUF_FETCH_FAILED');
    expect(down.stderr).toContain('HTTP 502');
    expect(snapshotDir(m.cacheDir)).toEqual(good);

    m.server.attack('timestamp.json', { hang: true });
    const slow = await flareo([...args, '--timeout', '0.5'], { env: m.env });
    expect(slow.code).toBe(2);
    expect(slow.stderr).toContain('within 500 ms');
  });

  it('usage: a private mirror needs --root first; bad --mirror and --timeout exit 2', async () => {
    const m = await mirror();
    const noRoot = await flareo(['trust-root', 'update'], { env: m.env });
    expect(noRoot.code).toBe(2);
    expect(noRoot.stderr).toContain('TUF_ROOT_MISSING');
    expect(noRoot.stderr).toContain('--root FILE');
    const bad = await Promise.all([
      flareo(['trust-root', 'update', '--mirror', 'ftp://x.test', '--cache-dir', m.cacheDir]),
      flareo(['trust-root', 'update', '--timeout', 'soon'], { env: m.env }),
      flareo(['trust-root', 'update', '--root', scratch.path('absent.json')], { env: m.env }),
    ]);
    expect(bad.map((r) => r.code)).toEqual([2, 2, 2]);
    expect(bad[0]?.stderr).toContain('ARGUMENT_INVALID');
  });
});

describe('flareo trust-root inspect: where the root came from', () => {
  it('embedded, when nothing is cached', async () => {
    const empty = scratch.path('never-created');
    const [human, asJson] = await Promise.all([
      flareo(['trust-root', 'inspect', '--cache-dir', empty]),
      flareo(['trust-root', 'inspect', '--json'], { env: { FLAREO_TUF_CACHE: empty } }),
    ]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(
      /origin {2}embedded in this build from @sigstore\/tuf@\S+ seeds\.json \(https:\/\/tuf-repo-cdn\.sigstore\.dev\); newest entry valid from \d{4}-/,
    );
    expect(json(asJson).origin).toMatchObject({ kind: 'embedded' });
  });

  it('the TUF mirror, root version, expiry and fetch time once cached; --embedded still shows the build’s', async () => {
    const m = await mirror();
    expect(
      (await flareo(['trust-root', 'update', '--root', m.rootFile], { env: m.env })).code,
    ).toBe(0);
    const [human, asJson, embedded] = await Promise.all([
      flareo(['trust-root', 'inspect', '--mirror', m.server.url, '--cache-dir', m.cacheDir]),
      flareo(['trust-root', 'inspect', '--json'], { env: m.env }),
      flareo(['trust-root', 'inspect', '--embedded', '--json'], { env: m.env }),
    ]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(
      new RegExp(
        `origin {2}TUF ${m.server.url}: root version 1 \\(expires \\d{4}-.*\\), timestamp version 1`,
      ),
    );
    expect(human.stdout).toMatch(
      /fetched \d{4}-\d\d-\d\dT.*trusted_root\.json \d+ bytes, sha256:[0-9a-f]{64}/,
    );
    expect(human.stdout).toContain('1 transparency log');
    const j = json(asJson) as unknown as TrustRootInspection;
    expect(j.origin).toMatchObject({
      kind: 'tuf',
      mirror: m.server.url,
      rootVersion: 1,
      timestampVersion: 1,
      expired: false,
      target: { name: 'trusted_root.json' },
    });
    expect(j.tlogs).toHaveLength(1);
    expect(json(embedded).origin).toMatchObject({ kind: 'embedded' });
    const mixed = await flareo(['trust-root', 'inspect', '--mirror', m.server.url, artifactPath]);
    expect(mixed.code).toBe(2);
  });
});

describe('verification commands: explicit --trusted-root > cached TUF root > embedded', () => {
  it('offline with a cache: verify uses the cached root without any network', async () => {
    const m = await mirror();
    expect(
      (await flareo(['trust-root', 'update', '--root', m.rootFile], { env: m.env })).code,
    ).toBe(0);
    await m.server.close();
    servers.splice(servers.indexOf(m.server), 1);
    const r = await flareo(['verify', '--json', '--bundle', bundle, ...identity, artifactPath], {
      env: m.env,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.stringify(json(r))).toContain(
      `trusted_root.json from TUF ${m.server.url} (root version 1`,
    );
  });

  it('offline without a cache: the embedded public-good root (which does not trust this CA)', async () => {
    const empty = scratch.path('no-cache-here');
    const r = await flareo(['verify', '--json', '--bundle', bundle, ...identity, artifactPath], {
      env: { FLAREO_TUF_CACHE: empty },
    });
    expect(r.code).toBe(1);
    expect(JSON.stringify(json(r))).toContain('embedded Sigstore public-good root');
    // Refused on the first trust decision: this log is not public-good Rekor (c0d23d6a…).
    expect(r.stderr).toContain('TLOG_UNTRUSTED');
    expect(r.stderr).toContain('c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d');
  });

  it('--trusted-root wins over the cache; a mirror set without a cache is an error, not a silent fallback', async () => {
    const m = await mirror();
    expect(
      (await flareo(['trust-root', 'update', '--root', m.rootFile], { env: m.env })).code,
    ).toBe(0);
    const other = scratch.write(
      'other-root.json',
      buildTrustedRoot({
        certificateAuthorities: [{ chain: [createFulcioChain({ seed: 'cli-tuf-other' }).root] }],
      }),
    );
    const explicit = await flareo(
      ['verify', '--json', '--trusted-root', other, '--bundle', bundle, ...identity, artifactPath],
      { env: m.env },
    );
    expect(explicit.code).toBe(1);
    expect(JSON.stringify(json(explicit))).toContain(`trusted_root.json ${other}`);
    const unset = await flareo(['verify', '--bundle', bundle, ...identity, artifactPath], {
      env: { ...m.env, FLAREO_TUF_CACHE: scratch.path('empty-cache') },
    });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain(`no cached trusted root for the TUF mirror ${m.server.url}`);
  });

  it('a damaged cache is reported (exit 2) with a way out', async () => {
    const m = await mirror();
    const update = await flareo(['trust-root', 'update', '--root', m.rootFile, '--json'], {
      env: m.env,
    });
    const dir = (json(update) as { directory: string }).directory;
    writeFileSync(join(dir, 'targets', 'trusted_root.json'), '{}');
    const r = await flareo(['verify', '--bundle', bundle, ...identity, artifactPath], {
      env: m.env,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TUF_CACHE_INVALID');
    expect(r.stderr).toContain('flareo trust-root update');
  });
});
