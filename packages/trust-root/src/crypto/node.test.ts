import { createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { KeyAlgorithm } from '../keys.js';
import { keyObjectOf, nodeCryptoBackend } from './node.js';
import type { SignatureScheme } from './seam.js';

// keyObjectOf imports P-256 and Ed25519 keys in their canonical SPKI encoding as JWK (the fast
// route) and every other key from DER: each route must give the very key the SPKI holds, and
// refuse what the other would refuse.

interface Case {
  readonly name: string;
  readonly generate: () => { publicKey: KeyObject; privateKey: KeyObject };
  readonly algorithm: KeyAlgorithm;
  readonly scheme: SignatureScheme;
  readonly hash: string | null;
}

/** An ECDSA case: a key on `curve` (OpenSSL's `namedCurve`), signed over `hash`. */
const ecCase = (
  curve: 'P-256' | 'P-384' | 'P-521',
  namedCurve: string,
  hash: 'sha256' | 'sha384' | 'sha512',
  route: 'JWK' | 'DER',
): Case => ({
  name: `${curve} (${route} route)`,
  generate: () => generateKeyPairSync('ec', { namedCurve }),
  algorithm: { kind: 'ecdsa', curve },
  scheme: { kind: 'ecdsa', hash },
  hash,
});

const CASES: readonly Case[] = [
  ecCase('P-256', 'prime256v1', 'sha256', 'JWK'),
  {
    name: 'Ed25519 (JWK route)',
    generate: () => generateKeyPairSync('ed25519'),
    algorithm: { kind: 'ed25519' },
    scheme: { kind: 'ed25519' },
    hash: null,
  },
  ecCase('P-384', 'secp384r1', 'sha384', 'DER'),
  ecCase('P-521', 'secp521r1', 'sha512', 'DER'),
  {
    name: 'RSA 2048 (DER route)',
    generate: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
    algorithm: { kind: 'rsa', bits: 2048, schemes: ['pkcs1v15'] },
    scheme: { kind: 'rsa-pkcs1v15', hash: 'sha256' },
    hash: 'sha256',
  },
];

const spkiOf = (key: KeyObject) => new Uint8Array(key.export({ format: 'der', type: 'spki' }));

describe('keyObjectOf: the key an SPKI holds, by either route', () => {
  for (const c of CASES) {
    it(`${c.name}: same key, verifies its signatures, refuses a changed message`, () => {
      const { publicKey, privateKey } = c.generate();
      const spki = spkiOf(publicKey);
      const imported = keyObjectOf(spki);
      expect(spkiOf(imported)).toEqual(spki);
      expect(imported.equals(publicKey)).toBe(true);
      expect(keyObjectOf(spki)).toBe(imported); // imported once per SPKI array
      const data = new TextEncoder().encode(`signed by ${c.name}`);
      const signature = new Uint8Array(sign(c.hash, data, privateKey));
      const request = { key: { spki, algorithm: c.algorithm }, scheme: c.scheme, data, signature };
      expect(nodeCryptoBackend.verify(request)).toBe(true);
      expect(nodeCryptoBackend.verify({ ...request, data: data.subarray(1) })).toBe(false);
    });
  }

  it('refuses a P-256 point off the curve (JWK route), as the DER route does', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const spki = spkiOf(publicKey);
    spki[spki.length - 1] = (spki[spki.length - 1] as number) ^ 0x01; // y changed: the point leaves the curve
    expect(() => keyObjectOf(spki)).toThrow();
    const request = {
      key: { spki, algorithm: { kind: 'ecdsa', curve: 'P-256' } as const },
      scheme: { kind: 'ecdsa', hash: 'sha256' } as const,
      data: new Uint8Array(8),
      signature: new Uint8Array(64),
    };
    expect(nodeCryptoBackend.verify(request)).toBe(false);
  });

  it('takes a P-256 SPKI with trailing bytes to the DER decoder: its answer, unchanged', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const spki = spkiOf(publicKey);
    const longer = new Uint8Array(spki.length + 1);
    longer.set(spki);
    const der = (() => {
      try {
        return createPublicKey({ key: Buffer.from(longer), format: 'der', type: 'spki' });
      } catch {
        return 'refused';
      }
    })();
    const ours = (() => {
      try {
        return keyObjectOf(longer);
      } catch {
        return 'refused';
      }
    })();
    expect(typeof ours === 'string' ? ours : ours.equals(publicKey)).toEqual(
      typeof der === 'string' ? der : der.equals(publicKey),
    );
  });

  it('takes a compressed P-256 point to the DER decoder: same key as uncompressed', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const compressed = compressedSpki(spkiOf(publicKey));
    expect(keyObjectOf(compressed).equals(publicKey)).toBe(true);
  });
});

/** The same P-256 SPKI with its point in compressed form (SEC1 0x02/0x03 || x). */
function compressedSpki(spki: Uint8Array): Uint8Array {
  const point = spki.subarray(spki.length - 65);
  const x = point.subarray(1, 33);
  const yOdd = (point[64] as number) & 1;
  const header = Uint8Array.from([
    0x30, 0x39, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x22, 0x00,
  ]);
  const out = new Uint8Array(header.length + 33);
  out.set(header);
  out[header.length] = yOdd ? 0x03 : 0x02;
  out.set(x, header.length + 1);
  return out;
}
