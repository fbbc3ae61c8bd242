import { testKey } from '@flareo/testkit';
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
