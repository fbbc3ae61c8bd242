import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { TEST_KEY_TYPES, testKey } from '@flareo/testkit';
import { describe, expect, it } from 'vitest';
import { TrustRootError } from './errors.js';
import { noteKeyHash, noteKeyId, sha256 } from './keys.js';
import { parsePemTrustBundle } from './pem-bundle.js';

const pem = (label: string, der: Uint8Array) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64')}\n-----END ${label}-----\n`;

const spkiOf = (key: ReturnType<typeof generateKeyPairSync>['publicKey']) =>
  new Uint8Array(key.export({ type: 'spki', format: 'der' }));

const expectedAlgorithm = {
  'ecdsa-p256': { kind: 'ecdsa', curve: 'P-256' },
  'ecdsa-p384': { kind: 'ecdsa', curve: 'P-384' },
  'ecdsa-p521': { kind: 'ecdsa', curve: 'P-521' },
  ed25519: { kind: 'ed25519' },
  'rsa-2048': { kind: 'rsa', bits: 2048, schemes: ['pkcs1v15', 'pss'] },
  'rsa-3072': { kind: 'rsa', bits: 3072, schemes: ['pkcs1v15', 'pss'] },
  'rsa-4096': { kind: 'rsa', bits: 4096, schemes: ['pkcs1v15', 'pss'] },
} as const;

describe('public keys in PEM bundles', () => {
  it.each(TEST_KEY_TYPES)('%s: classified, id = sha256(SPKI)', (type) => {
    const key = testKey(type);
    const root = parsePemTrustBundle(key.publicKeyPem);
    expect(root.keys).toHaveLength(1);
    const [trusted] = root.keys;
    expect(trusted?.algorithm).toEqual(expectedAlgorithm[type]);
    expect(trusted?.id).toBe(key.keyId);
    expect(Buffer.from(trusted?.spki ?? []).equals(Buffer.from(key.spki))).toBe(true);
    expect(trusted?.validFor).toEqual({});
    expect(root.keysById(key.keyId)).toEqual([trusted]);
    expect(root.keysById(Buffer.from(key.keyId, 'hex'))).toEqual([trusted]);
  });

  it('reads RSA PUBLIC KEY (PKCS#1) blocks and ids them by their SPKI', () => {
    const key = testKey('rsa-2048');
    const pkcs1 = new Uint8Array(key.publicKey.export({ type: 'pkcs1', format: 'der' }));
    const [trusted] = parsePemTrustBundle(pem('RSA PUBLIC KEY', pkcs1)).keys;
    expect(trusted?.id).toBe(key.keyId);
  });

  it('reads EC PUBLIC KEY blocks holding an SPKI', () => {
    const key = testKey('ecdsa-p256');
    expect(parsePemTrustBundle(pem('EC PUBLIC KEY', key.spki)).keys[0]?.id).toBe(key.keyId);
  });

  const rejected: [string, () => Uint8Array, string][] = [
    [
      'secp256k1',
      () => spkiOf(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey),
      'KEY_UNSUPPORTED',
    ],
    [
      'RSA 1024',
      () => spkiOf(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey),
      'KEY_UNSUPPORTED',
    ],
    ['X25519', () => spkiOf(generateKeyPairSync('x25519').publicKey), 'KEY_UNSUPPORTED'],
    ['Ed448', () => spkiOf(generateKeyPairSync('ed448').publicKey), 'KEY_UNSUPPORTED'],
    ['garbage bytes', () => new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]), 'KEY_INVALID'],
    ['truncated SPKI', () => testKey('ecdsa-p256').spki.subarray(0, 40), 'KEY_INVALID'],
  ];
  it.each(rejected)('rejects %s', (_name, make, code) => {
    const text = `# ok key first\n${testKey('ed25519').publicKeyPem}${pem('PUBLIC KEY', make())}`;
    try {
      parsePemTrustBundle(text, { name: 'trust.pem' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TrustRootError);
      expect((error as TrustRootError).code).toBe(code);
      expect((error as TrustRootError).detail.line).toBe(5);
    }
  });

  it('rejects an SPKI with trailing bytes (ids must be computed on canonical DER)', () => {
    const spki = new Uint8Array([...testKey('ecdsa-p256').spki, 0]);
    expect(() => parsePemTrustBundle(pem('PUBLIC KEY', spki))).toThrow(TrustRootError);
  });
});

describe('signed-note key hashes', () => {
  it('Ed25519: sha256(name || 0x0A || 0x01 || raw key)', () => {
    const key = testKey('ed25519');
    const [trusted] = parsePemTrustBundle(key.publicKeyPem).keys;
    if (!trusted) throw new Error('no key');
    const raw = createPublicKey(key.publicKeyPem).export({ format: 'jwk' }).x as string;
    const expected = sha256(
      Buffer.concat([
        Buffer.from('log.example\n'),
        Buffer.from([1]),
        Buffer.from(raw, 'base64url'),
      ]),
    );
    expect(Buffer.from(noteKeyHash(trusted, 'log.example')).equals(expected)).toBe(true);
    expect(noteKeyId(trusted, 'log.example')).toBe(
      Buffer.from(expected.subarray(0, 4)).toString('hex'),
    );
    expect(noteKeyId(trusted, 'other.example')).not.toBe(noteKeyId(trusted, 'log.example'));
  });

  it('ECDSA: sha256(SPKI), independent of the name', () => {
    const key = testKey('ecdsa-p256');
    const [trusted] = parsePemTrustBundle(key.publicKeyPem).keys;
    if (!trusted) throw new Error('no key');
    expect(Buffer.from(noteKeyHash(trusted, 'a')).toString('hex')).toBe(key.keyId);
    expect(noteKeyId(trusted, 'b')).toBe(key.keyId.slice(0, 8));
  });

  it('RSA: sha256(name || 0x0A || 0xFF || "PKIX-RSA-PKCS#1v1.5" || SPKI)', () => {
    const key = testKey('rsa-2048');
    const [trusted] = parsePemTrustBundle(key.publicKeyPem).keys;
    if (!trusted) throw new Error('no key');
    const expected = sha256(
      Buffer.concat([
        Buffer.from('n\n'),
        Buffer.from([0xff]),
        Buffer.from('PKIX-RSA-PKCS#1v1.5'),
        key.spki,
      ]),
    );
    expect(Buffer.from(noteKeyHash(trusted, 'n')).equals(expected)).toBe(true);
  });
});
