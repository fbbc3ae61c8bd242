import { createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testKey } from '../keys.js';
import { TestTufRepository, tufCanonicalJson, tufKeyId, tufKeyJson } from './repository.js';
import { TestTufServer } from './server.js';

describe('tufCanonicalJson', () => {
  it('sorts keys, drops whitespace, escapes only quote and backslash (OLPC canonical JSON)', () => {
    expect(tufCanonicalJson({ b: 1, a: ['x"y', 'p\\q', 'line\nbreak'], c: null, d: true })).toBe(
      '{"a":["x\\"y","p\\\\q","line\nbreak"],"b":1,"c":null,"d":true}',
    );
    expect(() => tufCanonicalJson({ n: 1.5 })).toThrow(/integers only/);
  });
});

describe('TestTufRepository', () => {
  it('signs each role with its keys, verifiable over the canonical signed part', () => {
    const repo = new TestTufRepository({ targets: { 'a.json': '{}' } });
    for (const path of ['1.root.json', 'timestamp.json', '1.snapshot.json', '1.targets.json']) {
      const { signed, signatures } = repo.json(path) as {
        signed: Record<string, unknown>;
        signatures: { keyid: string; sig: string }[];
      };
      const role = path.replace(/^\d+\./, '').replace('.json', '') as
        | 'root'
        | 'timestamp'
        | 'snapshot'
        | 'targets';
      const keys = repo.role(role).keys;
      expect(signatures.map((s) => s.keyid)).toEqual(keys.map(tufKeyId));
      for (const [i, key] of keys.entries()) {
        const ok = verify(
          key.type === 'ed25519' ? null : 'sha256',
          Buffer.from(tufCanonicalJson(signed)),
          createPublicKey(key.publicKeyPem),
          Buffer.from(signatures[i]?.sig ?? '', 'hex'),
        );
        expect(ok, `${path} by ${key.type}`).toBe(true);
      }
    }
    expect(repo.targetPath('a.json')).toMatch(/^targets\/[0-9a-f]{64}\.a\.json$/);
  });

  it('rotates the root: version + 1, signed by old and new root keys', () => {
    const repo = new TestTufRepository();
    const extra = testKey('ecdsa-p256', 'tuf-test-extra');
    repo.rotateRoot({ root: { keys: [extra], threshold: 1 } });
    const v2 = repo.json('2.root.json') as { signed: { version: number }; signatures: unknown[] };
    expect(v2.signed.version).toBe(2);
    expect(v2.signatures).toHaveLength(4);
    expect(tufKeyJson(extra)).toMatchObject({ keytype: 'ecdsa', scheme: 'ecdsa-sha2-nistp256' });
  });
});

describe('TestTufServer', () => {
  it('serves the repository live on loopback, with attack switches', async () => {
    const repo = new TestTufRepository();
    const server = await TestTufServer.start(repo);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const get = (p: string) => fetch(`${server.url}/${p}`);
      expect(await (await get('1.root.json')).text()).toBe(
        Buffer.from(repo.root(1)).toString('utf8'),
      );
      expect((await get('2.root.json')).status).toBe(404);
      server.attack('timestamp.json', { status: 503 });
      expect((await get('timestamp.json')).status).toBe(503);
      server.attack('timestamp.json', { body: 'x' });
      expect(await (await get('timestamp.json')).text()).toBe('x');
      server.attack('timestamp.json', undefined);
      repo.publish();
      expect(JSON.parse(await (await get('timestamp.json')).text()).signed.version).toBe(2);
      expect(server.requests).toEqual([
        '1.root.json',
        '2.root.json',
        'timestamp.json',
        'timestamp.json',
        'timestamp.json',
      ]);
    } finally {
      await server.close();
    }
  });
});
