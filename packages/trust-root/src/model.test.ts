import { createFulcioChain, testKey } from '@flareo/testkit';
import { describe, expect, it } from 'vitest';
import { TrustRootError } from './errors.js';
import { mergeTrustRoots, TrustRoot } from './model.js';
import { parsePemTrustBundle } from './pem-bundle.js';
import { publicGoodTrustedRootJson, publicGoodTrustRoot } from './public-good.js';

const chain = createFulcioChain({ seed: 'model' });
const oldKey = testKey('ecdsa-p256', 'author-old');
const newKey = testKey('ed25519', 'author-new');
const rekorKey = testKey('ecdsa-p256', 'model-rekor');

describe('TrustRoot model', () => {
  it('merges a PEM bundle with a Rekor key file (the controller set-up)', () => {
    const bundle = parsePemTrustBundle(oldKey.publicKeyPem + chain.root.pem, {
      name: 'module-trust.pem',
    });
    const rekor = parsePemTrustBundle(rekorKey.publicKeyPem, {
      name: 'rekor.pub',
      keysAs: 'tlog',
      logBaseUrl: 'https://rekor.sigstore.dev',
    });
    const root = mergeTrustRoots(bundle, rekor);
    expect(root.keys.map((k) => k.id)).toEqual([oldKey.keyId]);
    expect(root.certificateAuthorities).toHaveLength(1);
    expect(root.tlogsById(rekorKey.keyId)[0]?.key.source.name).toBe('rekor.pub');
  });

  it('holds old and new keys side by side during a rotation, without duplicates', () => {
    const before = parsePemTrustBundle(oldKey.publicKeyPem);
    const during = parsePemTrustBundle(oldKey.publicKeyPem + newKey.publicKeyPem);
    const root = mergeTrustRoots(before, during);
    expect(root.keys.map((k) => k.id)).toEqual([oldKey.keyId, newKey.keyId]);
    expect(root.keysAt(new Date())).toHaveLength(2);
  });

  it('is immutable', () => {
    const root = parsePemTrustBundle(oldKey.publicKeyPem + chain.root.pem);
    expect(Object.isFrozen(root)).toBe(true);
    expect(Object.isFrozen(root.keys)).toBe(true);
    expect(Object.isFrozen(root.keys[0])).toBe(true);
    expect(Object.isFrozen(root.certificateAuthorities[0]?.certificates)).toBe(true);
    expect(() => (root.keys as unknown as unknown[]).push(1)).toThrow(TypeError);
  });

  it('rejects malformed lookups and merges with a typed error', () => {
    const root = parsePemTrustBundle(oldKey.publicKeyPem);
    expect(() => root.keysById('not hex')).toThrow(TrustRootError);
    expect(() => mergeTrustRoots(root, {} as TrustRoot)).toThrow(
      expect.objectContaining({ code: 'ARGUMENT_INVALID' }),
    );
    expect(root.keysById('00'.repeat(32))).toEqual([]);
    expect(root.tlogsById(new Uint8Array(32))).toEqual([]);
  });

  it('summarises what it holds', () => {
    const summary = parsePemTrustBundle(
      oldKey.publicKeyPem + chain.intermediate.pem + chain.root.pem,
      {
        name: 'b.pem',
      },
    ).summary();
    expect(summary.keys).toEqual([
      { id: oldKey.keyId, algorithm: 'ECDSA P-256', source: 'pem:b.pem@line 1' },
    ]);
    expect(summary.certificateAuthorities).toEqual([
      {
        anchor: 'CN=Flareo Test Root CA, O=flareo.test',
        certificates: 2,
        validFor: '-inf .. +inf',
        source: 'pem:b.pem@line 19',
      },
    ]);
  });

  it('an empty TrustRoot is empty', () => {
    expect(new TrustRoot({}).isEmpty).toBe(true);
  });
});

describe('public-good trusted root (embedded, offline)', () => {
  it('loads once and is cached', () => {
    const root = publicGoodTrustRoot();
    expect(publicGoodTrustRoot()).toBe(root);
    expect(publicGoodTrustedRootJson.source).toMatch(/^@sigstore\/tuf@/);
  });

  it('has the Rekor v1 and v2 logs, Fulcio CAs, CT logs and a TSA', () => {
    const root = publicGoodTrustRoot();
    const v1 = root.tlogsById('c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d');
    expect(v1[0]?.host).toBe('rekor.sigstore.dev');
    expect(v1[0]?.key.algorithm).toEqual({ kind: 'ecdsa', curve: 'P-256' });
    const v2 = root.tlogsById('cf1199155bddd051268d1f16ac5c0c75c009f6fb5a63f4177f8e18d7051e3fa0');
    expect(v2[0]?.host).toBe('log2025-1.rekor.sigstore.dev');
    expect(v2[0]?.key.algorithm).toEqual({ kind: 'ed25519' });
    expect(root.certificateAuthorities.length).toBeGreaterThanOrEqual(2);
    expect(root.ctlogs.length).toBeGreaterThanOrEqual(1);
    expect(root.timestampAuthorities.length).toBeGreaterThanOrEqual(1);
    // Rekor v1's key was valid before v2 existed; v2's window starts in 2025.
    expect(root.tlogsById(v2[0]?.logId ?? '', new Date('2024-01-01T00:00:00Z'))).toHaveLength(0);
  });
});
