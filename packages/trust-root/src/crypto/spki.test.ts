import { generateKeyPairSync } from 'node:crypto';
import { testKey } from '@flareo/testkit';
import { p256 as nobleP256, p384 as nobleP384, p521 as nobleP521 } from '@noble/curves/nist.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importPublicKey } from '../keys.js';
import { readSpki, SpkiError } from './spki.js';

// The pure-JavaScript SPKI reader replaced `createPublicKey` + `export`: every refusal it adds
// is a KEY_INVALID with the reason, and it agrees with node:crypto on what a key is.

function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const body = Uint8Array.from(parts.flatMap((p) => [...p]));
  const len =
    body.length < 0x80
      ? [body.length]
      : [
          0x81 + (body.length > 0xff ? 1 : 0),
          ...(body.length > 0xff ? [body.length >> 8] : []),
          body.length & 0xff,
        ];
  return Uint8Array.of(tag, ...len, ...body);
}
const oid = (bytes: number[]) => tlv(0x06, Uint8Array.from(bytes));
const ED25519 = oid([0x2b, 0x65, 0x70]);
const RSA = oid([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]);
const NULL = Uint8Array.of(0x05, 0x00);
const bits = (bytes: Uint8Array) => tlv(0x03, Uint8Array.of(0), bytes);

const code = (der: Uint8Array) => {
  try {
    importPublicKey(der, 'spki', {});
    return 'ok';
  } catch (error) {
    return (error as { code: string; message: string }).code;
  }
};

describe('readSpki', () => {
  const p256 = testKey('ecdsa-p256').spki;
  const ed = testKey('ed25519').spki;
  const rsa = testKey('rsa-2048').spki;

  it('reads every test key type as node:crypto does', () => {
    expect(readSpki(p256)).toMatchObject({ type: 'ec', curve: 'prime256v1' });
    expect(readSpki(ed)).toMatchObject({ type: 'ed25519' });
    expect(readSpki(rsa)).toMatchObject({ type: 'rsa', bits: 2048 });
  });

  it('refuses an EC point off its curve (KEY_INVALID)', () => {
    const bad = new Uint8Array(p256);
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
    expect(() => readSpki(bad)).toThrow(SpkiError);
    expect(code(bad)).toBe('KEY_INVALID');
  });

  it('refuses an uncompressed EC point of the wrong length or with a coordinate ≥ p', () => {
    const point = p256.subarray(p256.length - 65);
    const spkiOf = (pt: Uint8Array) => tlv(0x30, p256.subarray(2, 2 + 21), bits(pt));
    expect(code(spkiOf(point))).toBe('ok');
    expect(code(spkiOf(point.subarray(0, 64)))).toBe('KEY_INVALID');
    expect(code(spkiOf(Uint8Array.of(...point, 0)))).toBe('KEY_INVALID');
    // x = p: satisfies nothing as a field element, refused before the equation.
    const p = nobleP256.Point.CURVE().p;
    const atP = Uint8Array.of(0x04, ...Buffer.from(p.toString(16), 'hex'), ...point.subarray(33));
    expect(() => readSpki(spkiOf(atP))).toThrow(expect.objectContaining({ reason: 'invalid' }));
  });

  describe('EC points: the same verdict as @noble/curves', () => {
    const curves = [
      ['prime256v1', nobleP256],
      ['secp384r1', nobleP384],
      ['secp521r1', nobleP521],
    ] as const;
    for (const [name, curve] of curves) {
      const spki = new Uint8Array(
        generateKeyPairSync('ec', { namedCurve: name }).publicKey.export({
          format: 'der',
          type: 'spki',
        }),
      );
      const size = 1 + 2 * curve.Point.Fp.BYTES;
      const nobleSays = (point: Uint8Array) => {
        try {
          curve.Point.fromBytes(point).assertValidity();
          return true;
        } catch {
          return false;
        }
      };
      it(`${name}: a real key reads; a changed byte of its point is refused when @noble/curves refuses it`, () => {
        expect(readSpki(spki)).toMatchObject({ type: 'ec', curve: name });
        fc.assert(
          fc.property(
            fc.integer({ min: 1, max: size - 1 }),
            fc.integer({ min: 1, max: 255 }),
            (at, xor) => {
              const changed = new Uint8Array(spki);
              const i = spki.length - size + at;
              changed[i] = (changed[i] as number) ^ xor;
              const point = changed.subarray(spki.length - size);
              let ours: boolean;
              try {
                readSpki(changed);
                ours = true;
              } catch (error) {
                expect(error).toMatchObject({ reason: 'invalid' });
                ours = false;
              }
              expect(ours).toBe(nobleSays(point));
            },
          ),
        );
      });
    }
  });

  it('refuses a compressed EC point as a second encoding (KEY_INVALID)', () => {
    const algId = p256.subarray(2, 2 + 21);
    const x = p256.subarray(p256.length - 64, p256.length - 32);
    const compressed = tlv(0x30, algId, bits(Uint8Array.of(0x02, ...x)));
    expect(() => readSpki(compressed)).toThrow(expect.objectContaining({ reason: 'noncanonical' }));
    expect(code(compressed)).toBe('KEY_INVALID');
  });

  it('refuses Ed25519 with parameters and a short Ed25519 key (KEY_INVALID)', () => {
    const raw = ed.subarray(ed.length - 32);
    expect(code(tlv(0x30, tlv(0x30, ED25519, NULL), bits(raw)))).toBe('KEY_INVALID');
    expect(code(tlv(0x30, tlv(0x30, ED25519), bits(raw.subarray(1))))).toBe('KEY_INVALID');
    expect(code(tlv(0x30, tlv(0x30, ED25519), bits(raw)))).toBe('ok');
  });

  it('refuses rsaEncryption without NULL parameters and a non-positive modulus (KEY_INVALID)', () => {
    const info = readSpki(rsa);
    if (info.type !== 'rsa') throw new Error('not rsa');
    const n = tlv(0x02, Uint8Array.of(0, ...info.modulus));
    const e = tlv(0x02, info.exponent);
    const key = tlv(0x30, n, e);
    expect(code(tlv(0x30, tlv(0x30, RSA, NULL), bits(key)))).toBe('ok');
    expect(code(tlv(0x30, tlv(0x30, RSA), bits(key)))).toBe('KEY_INVALID');
    const negative = tlv(0x30, tlv(0x02, Uint8Array.of(0x80, 1)), e);
    expect(code(tlv(0x30, tlv(0x30, RSA, NULL), bits(negative)))).toBe('KEY_INVALID');
  });

  it('names unknown algorithms for KEY_UNSUPPORTED', () => {
    const other = tlv(0x30, tlv(0x30, oid([0x2b, 0x65, 0x71])), bits(new Uint8Array(57)));
    expect(readSpki(other)).toEqual({ type: 'other', name: 'ed448' });
    expect(code(other)).toBe('KEY_UNSUPPORTED');
  });
});
