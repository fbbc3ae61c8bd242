import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildTrustedRoot,
  signTufMetadata,
  TestTufRepository,
  TestTufServer,
  testKey,
} from '@flareo/testkit';
import { Metadata, MetadataKind } from '@tufjs/models';
import { afterEach, describe, expect, test } from 'vitest';
import { TrustRootError, type TrustRootErrorCode } from '../index.js';
import {
  defaultTufCacheDir,
  readTufTrustedRoot,
  SIGSTORE_TUF_MIRROR,
  sigstoreTufRoot,
  tufCacheLocation,
  updateTufTrustedRoot,
} from './index.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A trusted_root.json the test kit mints; `n` makes each one different. */
function trustedRootJson(n: number): string {
  return JSON.stringify(
    buildTrustedRoot({
      tlogs: [
        { baseUrl: `https://rekor-${n}.flareo.test`, key: testKey('ecdsa-p256', `tuf-rekor-${n}`) },
      ],
    }),
  );
}

/** Every file under a directory with its sha256: what "nothing written" is checked against. */
function snapshotDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        out[`${relative(dir, p)}/`] = 'dir';
        walk(p);
      } else {
        out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
      }
    }
  };
  walk(dir);
  return out;
}

interface Context {
  repo: TestTufRepository;
  server: TestTufServer;
  cacheDir: string;
  update(extra?: { timeoutMs?: number }): ReturnType<typeof updateTufTrustedRoot>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function context(options: { seed?: string } = {}): Promise<Context> {
  const repo = new TestTufRepository({
    targets: { 'trusted_root.json': trustedRootJson(1) },
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  });
  const server = await TestTufServer.start(repo);
  const cacheDir = mkdtempSync(join(tmpdir(), 'flareo-tuf-'));
  cleanups.push(() => server.close());
  cleanups.push(() => rmSync(cacheDir, { recursive: true, force: true }));
  const initialRoot = repo.root(1);
  return {
    repo,
    server,
    cacheDir,
    update: (extra = {}) =>
      updateTufTrustedRoot({
        mirror: server.url,
        initialRoot,
        cacheDir,
        timeoutMs: extra.timeoutMs ?? 10_000,
      }),
  };
}

/** A context whose cache already holds a first good update. */
async function primed(): Promise<Context> {
  const c = await context();
  await c.update();
  return c;
}

/**
 * Run an update that must be refused with `code`, and prove that the cache is byte for byte
 * what it was (no staging directory, no lock left behind) and still reads.
 */
async function expectRefused(c: Context, code: TrustRootErrorCode, timeoutMs?: number) {
  const before = snapshotDir(c.cacheDir);
  const readBefore = readTufTrustedRoot({ mirror: c.server.url, cacheDir: c.cacheDir });
  const error = await c.update(timeoutMs === undefined ? {} : { timeoutMs }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(TrustRootError);
  const e = error as TrustRootError;
  expect({ code: e.code, message: e.message }).toMatchObject({ code });
  expect(e.detail.source).toContain(c.server.url);
  expect(snapshotDir(c.cacheDir)).toEqual(before);
  expect(readTufTrustedRoot({ mirror: c.server.url, cacheDir: c.cacheDir })).toEqual(readBefore);
  return e;
}

describe('updateTufTrustedRoot: happy paths', () => {
  test('first update from the initial root, then an update that finds nothing new', async () => {
    const c = await context();
    const first = await c.update();
    expect(first.anchor).toBe('initial-root');
    expect(first.previous).toBeUndefined();
    expect(first.json).toBe(trustedRootJson(1));
    expect(first.trustRoot.tlogs.map((l) => l.baseUrl)).toEqual(['https://rekor-1.flareo.test']);
    const bytes = Buffer.from(trustedRootJson(1));
    expect(first.provenance).toMatchObject({
      mirror: c.server.url,
      root: { version: 1 },
      timestamp: { version: 1 },
      snapshot: { version: 1 },
      targets: { version: 1 },
      target: {
        name: 'trusted_root.json',
        length: bytes.byteLength,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      },
    });
    expect(Date.parse(first.provenance.fetchedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(
      first.directory.startsWith(tufCacheLocation({ mirror: c.server.url, cacheDir: c.cacheDir })),
    ).toBe(true);
    expect(readTufTrustedRoot({ mirror: `${c.server.url}/`, cacheDir: c.cacheDir })).toEqual({
      json: first.json,
      provenance: first.provenance,
      directory: first.directory,
    });

    c.server.requests.length = 0;
    const second = await c.update();
    expect(second.anchor).toBe('cache');
    expect(second.previous).toEqual(first.provenance);
    expect(second.provenance.target).toEqual(first.provenance.target);
    // The target is verified from the cache, not downloaded again.
    expect(c.server.requests).toEqual(['2.root.json', 'timestamp.json']);
    // One generation on disk: the previous one is removed once the new one is current.
    const entry = tufCacheLocation({ mirror: c.server.url, cacheDir: c.cacheDir });
    expect(readdirSync(entry).sort()).toEqual(['current', relative(entry, second.directory)]);
  });

  test('root rotation 1 → 2 → 3 with new thresholds and key types, and a new trusted root', async () => {
    const c = await primed();
    const root = c.repo.role('root').keys;
    // v2: a 3-of-4 root with a new ECDSA key; v3: new timestamp (Ed25519) and snapshot (ECDSA) keys.
    c.repo.rotateRoot({
      root: { keys: [...root, testKey('ecdsa-p256', 'tuf-root-4')], threshold: 3 },
    });
    c.repo.rotateRoot({
      timestamp: { keys: [testKey('ed25519', 'tuf-timestamp-2')], threshold: 1 },
      snapshot: {
        keys: [testKey('ecdsa-p256', 'tuf-snapshot-2'), testKey('ed25519', 'tuf-snapshot-3')],
        threshold: 2,
      },
    });
    c.repo.setTarget('trusted_root.json', trustedRootJson(2));
    c.repo.publish();
    const result = await c.update();
    expect(result.provenance.root.version).toBe(3);
    expect(result.provenance.timestamp.version).toBe(2);
    expect(result.json).toBe(trustedRootJson(2));
    expect(result.previous?.root.version).toBe(1);
    expect(result.previous?.target.sha256).not.toBe(result.provenance.target.sha256);
    expect(c.server.requests.filter((r) => r.endsWith('.root.json'))).toEqual([
      '2.root.json',
      '2.root.json',
      '3.root.json',
      '4.root.json',
    ]);
  });

  test('a first update can start from an old initial root and walk every rotation', async () => {
    const c = await context();
    c.repo.rotateRoot({ root: { keys: [testKey('ed25519', 'tuf-new-root')], threshold: 1 } });
    c.repo.rotateRoot({});
    c.repo.publish();
    const result = await c.update();
    expect(result.provenance.root.version).toBe(3);
  });
});

describe('updateTufTrustedRoot: the classic TUF attacks are refused and nothing is written', () => {
  test('rollback: an older timestamp than the cached one', async () => {
    const c = await primed();
    const old = c.repo.file('timestamp.json');
    c.repo.publish();
    await c.update();
    c.server.attack('timestamp.json', { body: old });
    const e = await expectRefused(c, 'TUF_ROLLBACK');
    expect(e.detail.role).toBe('timestamp');
  });

  test('rollback: a newer timestamp naming an older snapshot', async () => {
    const c = await primed();
    c.repo.publish();
    await c.update();
    c.repo.publish({ versions: { snapshot: 1 } });
    await expectRefused(c, 'TUF_ROLLBACK');
  });

  test('rollback: a snapshot naming an older targets version', async () => {
    const c = await primed();
    c.repo.publish();
    await c.update();
    c.repo.publish({ versions: { targets: 1 } });
    const e = await expectRefused(c, 'TUF_ROLLBACK');
    expect(e.detail.role).toBe('snapshot');
  });

  test('rollback: an old root served as the next version', async () => {
    const c = await primed();
    c.server.attack('2.root.json', { body: c.repo.root(1) });
    await expectRefused(c, 'TUF_ROLLBACK');
  });

  test('a root file holding a later version than its name says is a mismatch, not accepted', async () => {
    const c = await primed();
    c.repo.rotateRoot({});
    c.repo.rotateRoot({});
    c.server.attack('2.root.json', { body: c.repo.root(3) });
    const e = await expectRefused(c, 'TUF_METADATA_MISMATCH');
    expect(e.detail).toMatchObject({ role: 'root', expected: 2, actual: 3 });
  });

  test('freeze: an expired timestamp', async () => {
    const c = await primed();
    c.repo.publish({ expires: { timestamp: new Date(Date.now() - 60_000) } });
    const e = await expectRefused(c, 'TUF_EXPIRED');
    expect(e.detail.role).toBe('timestamp');
  });

  test('freeze: an expired snapshot, and expired targets', async () => {
    const c = await primed();
    c.repo.publish({ expires: { snapshot: new Date(Date.now() - 60_000) } });
    expect((await expectRefused(c, 'TUF_EXPIRED')).detail.role).toBe('snapshot');
    c.repo.publish({ expires: { targets: new Date(Date.now() - 60_000) } });
    expect((await expectRefused(c, 'TUF_EXPIRED')).detail.role).toBe('targets');
  });

  test('freeze: the newest root has expired', async () => {
    const c = await primed();
    c.repo.rotateRoot({}, { expires: new Date(Date.now() - 60_000) });
    c.repo.publish();
    expect((await expectRefused(c, 'TUF_EXPIRED')).detail.role).toBe('root');
  });

  test('mix-and-match: targets metadata that is not the version the snapshot names', async () => {
    const c = await primed();
    const oldTargets = c.repo.file(c.repo.metadataPath('targets'));
    c.repo.setTarget('trusted_root.json', trustedRootJson(2));
    c.repo.publish();
    c.server.attack(c.repo.metadataPath('targets'), { body: oldTargets });
    const e = await expectRefused(c, 'TUF_METADATA_MISMATCH');
    expect(e.detail.role).toBe('targets');
  });

  test('mix-and-match: a snapshot that is not the one the timestamp hashes', async () => {
    const c = await primed();
    c.repo.publish();
    const other = c.repo.file(c.repo.metadataPath('snapshot'));
    c.repo.publish({ versions: { snapshot: c.repo.snapshotVersion } });
    c.server.attack(c.repo.metadataPath('snapshot'), { body: other });
    const e = await expectRefused(c, 'TUF_METADATA_MISMATCH');
    expect(e.detail.role).toBe('snapshot');
  });

  test('arbitrary target: same length, other bytes', async () => {
    const c = await primed();
    c.repo.setTarget('trusted_root.json', trustedRootJson(2));
    c.repo.publish();
    const real = Buffer.from(trustedRootJson(2));
    const forged = Buffer.from(real);
    forged[forged.length - 2] = 0x20;
    c.server.attack(c.repo.targetPath('trusted_root.json'), { body: forged });
    const e = await expectRefused(c, 'TUF_TARGET_MISMATCH');
    expect(e.detail.role).toBe('trusted_root.json');
  });

  test('arbitrary target: shorter than listed', async () => {
    const c = await primed();
    c.repo.setTarget('trusted_root.json', trustedRootJson(2));
    c.repo.publish();
    c.server.attack(c.repo.targetPath('trusted_root.json'), { body: '{}' });
    await expectRefused(c, 'TUF_TARGET_MISMATCH');
  });

  test('arbitrary metadata: timestamp or targets signed by a key the root does not trust', async () => {
    const c = await primed();
    c.repo.publish();
    const ts = c.repo.json('timestamp.json').signed;
    c.server.attack('timestamp.json', {
      body: signTufMetadata(ts, [testKey('ecdsa-p256', 'tuf-attacker')]),
    });
    expect((await expectRefused(c, 'TUF_UNSIGNED')).detail.role).toBe('timestamp');
    c.server.clearAttacks();
    const path = c.repo.metadataPath('targets');
    c.server.attack(path, {
      body: signTufMetadata(c.repo.json(path).signed, [testKey('ed25519', 'tuf-attacker')]),
    });
    // The snapshot lists targets by version only, so the forged signature is what fails.
    expect((await expectRefused(c, 'TUF_UNSIGNED')).detail.role).toBe('targets');
  });

  test('endless data: metadata and targets are read up to their bound only', async () => {
    const c = await primed();
    c.repo.setTarget('trusted_root.json', trustedRootJson(2));
    c.repo.publish();
    c.server.attack('timestamp.json', { endless: true });
    const ts = await expectRefused(c, 'TUF_TOO_LARGE');
    expect(ts.detail).toMatchObject({ role: 'timestamp', expected: 'at most 16384 bytes' });
    c.server.clearAttacks();
    c.server.attack('2.root.json', { endless: true });
    expect((await expectRefused(c, 'TUF_TOO_LARGE')).detail.role).toBe('root');
    c.server.clearAttacks();
    c.server.attack(c.repo.metadataPath('targets'), { endless: true });
    expect((await expectRefused(c, 'TUF_TOO_LARGE')).detail.role).toBe('targets');
    c.server.clearAttacks();
    c.server.attack(c.repo.targetPath('trusted_root.json'), { endless: true });
    const target = await expectRefused(c, 'TUF_TOO_LARGE');
    expect(target.detail).toMatchObject({
      role: 'trusted_root.json',
      expected: `at most ${Buffer.byteLength(trustedRootJson(2))} bytes`,
    });
  });

  test('fast-forward: after a fast-forwarded timestamp the real one is a rollback, until the key rotates', async () => {
    const c = await primed();
    // An attacker holding the timestamp key pushes the version far ahead; the client takes it.
    c.repo.publish({ versions: { timestamp: 1000 } });
    expect((await c.update()).provenance.timestamp.version).toBe(1000);
    // The repository goes on with its real numbering: refused while the old key is trusted.
    c.repo.publish({ versions: { timestamp: 3 } });
    await expectRefused(c, 'TUF_ROLLBACK');
    // Recovery: the root rotates the timestamp key, and the client drops the stale timestamp.
    c.repo.rotateRoot({ timestamp: { keys: [testKey('ed25519', 'tuf-ts-new')], threshold: 1 } });
    c.repo.publish({ versions: { timestamp: 4 } });
    const recovered = await c.update();
    expect(recovered.provenance.timestamp.version).toBe(4);
    expect(recovered.provenance.root.version).toBe(2);
  });

  test('fast-forward recovery also holds for the snapshot role', async () => {
    const c = await primed();
    c.repo.publish({ versions: { snapshot: 500 } });
    await c.update();
    c.repo.publish({ versions: { snapshot: 5 } });
    await expectRefused(c, 'TUF_ROLLBACK');
    c.repo.rotateRoot({
      snapshot: { keys: [testKey('ecdsa-p256', 'tuf-snap-new')], threshold: 1 },
      timestamp: { keys: [testKey('ecdsa-p256', 'tuf-ts-new2')], threshold: 1 },
    });
    c.repo.publish({ versions: { snapshot: 6 } });
    expect((await c.update()).provenance.snapshot.version).toBe(6);
  });

  test('untrusted root rotation: N+1 not signed by a threshold of root N', async () => {
    const c = await primed();
    const newKeys = [testKey('ed25519', 'tuf-usurper-1'), testKey('ecdsa-p256', 'tuf-usurper-2')];
    // Signed by the new keys only.
    c.repo.rotateRoot({ root: { keys: newKeys, threshold: 2 } }, { signers: newKeys });
    c.repo.publish();
    const e = await expectRefused(c, 'TUF_UNSIGNED');
    expect(e.detail.role).toBe('root');
    expect(e.message).toMatch(/root was signed by 0\/2 keys/);
  });

  test('untrusted root rotation: one old key of a 2-of-3 root is not enough', async () => {
    const c = await primed();
    const oneOld = c.repo.role('root').keys.slice(0, 1);
    const newKeys = [testKey('ed25519', 'tuf-usurper-1')];
    c.repo.rotateRoot(
      { root: { keys: newKeys, threshold: 1 } },
      { signers: [...oneOld, ...newKeys] },
    );
    c.repo.publish();
    expect((await expectRefused(c, 'TUF_UNSIGNED')).message).toMatch(/1\/2 keys/);
  });

  test('untrusted root rotation: the new root is not signed by its own threshold', async () => {
    const c = await primed();
    const old = c.repo.role('root').keys;
    c.repo.rotateRoot(
      { root: { keys: [testKey('ed25519', 'tuf-unsigned-new')], threshold: 1 } },
      { signers: old },
    );
    c.repo.publish();
    await expectRefused(c, 'TUF_UNSIGNED');
  });
});

describe('updateTufTrustedRoot: other refusals', () => {
  test('the repository does not list trusted_root.json', async () => {
    const c = await primed();
    const repo2 = new TestTufRepository({ targets: { 'other.json': '{}' } });
    const server2 = await TestTufServer.start(repo2);
    cleanups.push(() => server2.close());
    const error = await updateTufTrustedRoot({
      mirror: server2.url,
      initialRoot: repo2.root(),
      cacheDir: c.cacheDir,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TUF_TARGET_MISSING' });
    expect(readTufTrustedRoot({ mirror: server2.url, cacheDir: c.cacheDir })).toBeUndefined();
  });

  test('a target that TUF vouches for but that is not a trusted root', async () => {
    const c = await primed();
    c.repo.setTarget('trusted_root.json', '{"mediaType":"application/x-not-a-root"}');
    c.repo.publish();
    await expectRefused(c, 'TRUSTED_ROOT_MEDIA_TYPE');
  });

  test('HTTP errors, a stalled mirror and an unreachable one fail with TUF_FETCH_FAILED', async () => {
    const c = await primed();
    c.repo.publish();
    c.server.attack('timestamp.json', { status: 500 });
    expect((await expectRefused(c, 'TUF_FETCH_FAILED')).detail.actual).toBe(500);
    c.server.clearAttacks();
    c.server.attack('timestamp.json', { hang: true });
    const started = Date.now();
    expect((await expectRefused(c, 'TUF_FETCH_FAILED', 300)).message).toMatch(/within 300 ms/);
    expect(Date.now() - started).toBeLessThan(5_000);
    c.server.clearAttacks();
    c.server.attack(c.repo.targetPath('trusted_root.json'), { status: 404 });
    c.repo.setTarget('trusted_root.json', trustedRootJson(3));
    c.repo.publish();
    c.server.attack(c.repo.targetPath('trusted_root.json'), { status: 404 });
    expect((await expectRefused(c, 'TUF_FETCH_FAILED')).detail.role).toBe('trusted_root.json');

    const port = await freePort();
    const error = await updateTufTrustedRoot({
      mirror: `http://127.0.0.1:${port}`,
      initialRoot: c.repo.root(1),
      cacheDir: c.cacheDir,
      timeoutMs: 2_000,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TUF_FETCH_FAILED', detail: { role: 'root' } });
  });

  test('initial root: required for other mirrors, refused when it is not a self-signed TUF root', async () => {
    const c = await context();
    await expect(
      updateTufTrustedRoot({ mirror: c.server.url, cacheDir: c.cacheDir }),
    ).rejects.toMatchObject({ code: 'TUF_ROOT_MISSING' });
    await expect(
      updateTufTrustedRoot({ mirror: c.server.url, cacheDir: c.cacheDir, initialRoot: 'nope' }),
    ).rejects.toMatchObject({ code: 'TUF_METADATA_INVALID', detail: { role: 'root' } });
    const root = c.repo.json('1.root.json');
    await expect(
      updateTufTrustedRoot({
        mirror: c.server.url,
        cacheDir: c.cacheDir,
        initialRoot: signTufMetadata(root.signed, [testKey('ed25519', 'tuf-stranger')]),
      }),
    ).rejects.toMatchObject({ code: 'TUF_UNSIGNED' });
    expect(snapshotDir(tufCacheLocation({ mirror: c.server.url, cacheDir: c.cacheDir }))).toEqual(
      {},
    );
  });

  test('metadata that is not JSON is TUF_METADATA_INVALID, whichever role serves it', async () => {
    const c = await primed();
    c.repo.publish();
    c.server.attack('timestamp.json', { body: 'not json' });
    expect((await expectRefused(c, 'TUF_METADATA_INVALID')).detail.role).toBe('timestamp');
    c.server.clearAttacks();
    // The snapshot lists targets by version only: the bytes reach the parser.
    c.server.attack(c.repo.metadataPath('targets'), { body: '{"signed":' });
    expect((await expectRefused(c, 'TUF_METADATA_INVALID')).detail.role).toBe('targets');
    c.server.clearAttacks();
    const ts = c.repo.json('timestamp.json').signed;
    c.server.attack('timestamp.json', {
      body: c.repo.signRole('timestamp', { ...ts, _type: 'snapshot', meta: {} }),
    });
    await expectRefused(c, 'TUF_METADATA_INVALID');
  });

  test('a cache directory that cannot be created is TUF_CACHE_WRITE_FAILED', async () => {
    const c = await context();
    const file = join(c.cacheDir, 'a-file');
    writeFileSync(file, 'not a directory');
    const error = await updateTufTrustedRoot({
      mirror: c.server.url,
      initialRoot: c.repo.root(1),
      cacheDir: file,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TUF_CACHE_WRITE_FAILED' });
    expect(c.server.requests).toEqual([]);
  });

  test('bad options are ARGUMENT_INVALID', async () => {
    for (const options of [
      { mirror: 'ftp://example.test' },
      { mirror: 'not a url' },
      { mirror: 'https://user:pw@example.test' },
      { mirror: '' },
      { mirror: 'https://example.test', timeoutMs: 0 },
      { mirror: 'https://example.test', targetName: '' },
      { mirror: 'https://example.test', cacheDir: '' },
    ]) {
      await expect(
        updateTufTrustedRoot(options as never),
        JSON.stringify(options),
      ).rejects.toMatchObject({ code: 'ARGUMENT_INVALID' });
    }
    expect(() => readTufTrustedRoot(42 as never)).toThrow(TrustRootError);
  });
});

describe('the cache', () => {
  test('a failed update leaves the previous cache current', async () => {
    const c = await primed();
    const before = readTufTrustedRoot({ mirror: c.server.url, cacheDir: c.cacheDir });
    c.repo.setTarget('trusted_root.json', trustedRootJson(2));
    c.repo.publish();
    c.server.attack(c.repo.targetPath('trusted_root.json'), { status: 503 });
    await expectRefused(c, 'TUF_FETCH_FAILED');
    expect(readTufTrustedRoot({ mirror: c.server.url, cacheDir: c.cacheDir })).toEqual(before);
    c.server.clearAttacks();
    expect((await c.update()).json).toBe(trustedRootJson(2));
  });

  test('an update killed mid-download leaves the previous cache usable, and the next one recovers', async () => {
    const c = await primed();
    const before = readTufTrustedRoot({ mirror: c.server.url, cacheDir: c.cacheDir });
    c.repo.setTarget('trusted_root.json', trustedRootJson(2));
    c.repo.publish();
    const targetPath = c.repo.targetPath('trusted_root.json');
    c.server.attack(targetPath, { hang: true });
    const script = `
      import { updateTufTrustedRoot } from '@flareo/trust-root/tuf';
      await updateTufTrustedRoot({ mirror: ${JSON.stringify(c.server.url)}, cacheDir: ${JSON.stringify(c.cacheDir)}, timeoutMs: 60000 });
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: packageDir,
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((done) =>
      child.on('exit', (_code, signal) => done(signal)),
    );
    for (let i = 0; i < 300 && !c.server.requests.includes(targetPath); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(c.server.requests).toContain(targetPath);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const entry = tufCacheLocation({ mirror: c.server.url, cacheDir: c.cacheDir });
    // The killed process left its lock and staging directory; readers do not care.
    expect(readdirSync(entry).some((n) => n.startsWith('tmp-'))).toBe(true);
    expect(existsSync(join(entry, '.lock'))).toBe(true);
    expect(readTufTrustedRoot({ mirror: c.server.url, cacheDir: c.cacheDir })).toEqual(before);
    // The next update takes over the dead process's lock and cleans up after it.
    c.server.clearAttacks();
    const after = await c.update();
    expect(after.json).toBe(trustedRootJson(2));
    expect(readdirSync(entry).sort()).toEqual(['current', relative(entry, after.directory)]);
  });

  test('a live update holds the lock: a second one is refused with TUF_CACHE_LOCKED', async () => {
    const c = await primed();
    const entry = tufCacheLocation({ mirror: c.server.url, cacheDir: c.cacheDir });
    writeFileSync(
      join(entry, '.lock'),
      JSON.stringify({
        pid: process.pid,
        host: (await import('node:os')).hostname(),
        at: Date.now(),
      }),
    );
    await expect(c.update()).rejects.toMatchObject({ code: 'TUF_CACHE_LOCKED' });
    rmSync(join(entry, '.lock'));
    await expect(c.update()).resolves.toMatchObject({ anchor: 'cache' });
  });

  test('a cached file changed on disk is TUF_CACHE_INVALID; an update starts again from the initial root', async () => {
    const c = await primed();
    const cached = readTufTrustedRoot({ mirror: c.server.url, cacheDir: c.cacheDir });
    const file = join(cached?.directory ?? '', 'targets', 'trusted_root.json');
    writeFileSync(file, `${readFileSync(file, 'utf8')} `);
    expect(() => readTufTrustedRoot({ mirror: c.server.url, cacheDir: c.cacheDir })).toThrow(
      expect.objectContaining({ code: 'TUF_CACHE_INVALID' }),
    );
    const entry = tufCacheLocation({ mirror: c.server.url, cacheDir: c.cacheDir });
    writeFileSync(join(entry, 'current'), '../../etc\n');
    expect(() => readTufTrustedRoot({ mirror: c.server.url, cacheDir: c.cacheDir })).toThrow(
      expect.objectContaining({ code: 'TUF_CACHE_INVALID' }),
    );
    const again = await c.update();
    expect(again.anchor).toBe('initial-root');
    expect(readTufTrustedRoot({ mirror: c.server.url, cacheDir: c.cacheDir })?.json).toBe(
      trustedRootJson(1),
    );
  });

  test('no cache: undefined, and nothing is created by reading', () => {
    const cacheDir = join(tmpdir(), `flareo-tuf-absent-${process.pid}`);
    expect(readTufTrustedRoot({ cacheDir })).toBeUndefined();
    expect(existsSync(cacheDir)).toBe(false);
  });

  test('each mirror has its own directory', async () => {
    const a = tufCacheLocation({ mirror: 'https://tuf.example.test', cacheDir: '/c' });
    const b = tufCacheLocation({ mirror: 'https://tuf.example.test/other', cacheDir: '/c' });
    expect(a).toMatch(/^\/c\/tuf\.example\.test-[0-9a-f]{16}$/);
    expect(a).not.toBe(b);
    expect(tufCacheLocation({ mirror: 'https://tuf.example.test/', cacheDir: '/c' })).toBe(a);
  });

  test('default cache directory: XDG_CACHE_HOME, else ~/.cache', () => {
    expect(defaultTufCacheDir({ XDG_CACHE_HOME: '/x/cache' })).toBe('/x/cache/flareo/tuf');
    expect(defaultTufCacheDir({ XDG_CACHE_HOME: 'relative' })).toMatch(/\.cache\/flareo\/tuf$/);
    expect(defaultTufCacheDir({})).toMatch(/\.cache\/flareo\/tuf$/);
  });
});

describe('the embedded Sigstore initial root', () => {
  test('is root metadata signed by a threshold of its own keys, for the default mirror', () => {
    expect(SIGSTORE_TUF_MIRROR).toBe('https://tuf-repo-cdn.sigstore.dev');
    const root = Metadata.fromJSON(MetadataKind.Root, JSON.parse(sigstoreTufRoot.json));
    expect(() => root.verifyDelegate(MetadataKind.Root, root)).not.toThrow();
    expect(root.signed.version).toBeGreaterThanOrEqual(1);
    expect(sigstoreTufRoot.source).toMatch(
      new RegExp(
        `^@sigstore/tuf@\\S+ seeds\\.json \\(${SIGSTORE_TUF_MIRROR}\\), root version ${root.signed.version}, sha256 [0-9a-f]{64}$`,
      ),
    );
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}
