import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NIST_CURVES, type NistCurve, uncompressedOnCurve } from './ec-curve.js';

// The parameters are also compared with @noble/curves' in bundle-verify's ec-point tests,
// where @noble/curves is a dependency; here the check is tried on keys node:crypto makes.

const OPENSSL: Record<NistCurve, string> = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
};

const pointOf = (curve: NistCurve): Uint8Array => {
  const jwk = generateKeyPairSync('ec', { namedCurve: OPENSSL[curve] }).publicKey.export({
    format: 'jwk',
  });
  const x = Buffer.from(jwk.x as string, 'base64url');
  const y = Buffer.from(jwk.y as string, 'base64url');
  return Uint8Array.of(0x04, ...x, ...y);
};

const hexOf = (value: bigint, size: number): Buffer =>
  Buffer.from(value.toString(16).padStart(2 * size, '0'), 'hex');

describe('uncompressedOnCurve', () => {
  for (const curve of Object.keys(NIST_CURVES) as NistCurve[]) {
    const { p, size } = NIST_CURVES[curve];

    it(`${curve}: keys made by node:crypto are on the curve`, () => {
      for (let i = 0; i < 6; i++) expect(uncompressedOnCurve(curve, pointOf(curve))).toBe(true);
    });

    it(`${curve}: a changed coordinate is off the curve`, () => {
      const point = pointOf(curve);
      for (const at of [1, size, size + 1, 2 * size]) {
        const bad = new Uint8Array(point);
        bad[at] = (bad[at] as number) ^ 1;
        expect(uncompressedOnCurve(curve, bad)).toBe(false);
      }
    });

    it(`${curve}: a coordinate at or above the field prime is refused`, () => {
      const point = pointOf(curve);
      const y = point.subarray(1 + size);
      // p itself, and y + p where it still fits: both satisfy the equation modulo p.
      const tooBig = [Uint8Array.of(0x04, ...hexOf(p, size), ...y)];
      const yPlusP = BigInt(`0x${Buffer.from(y).toString('hex')}`) + p;
      if (yPlusP.toString(16).length <= 2 * size) {
        tooBig.push(Uint8Array.of(0x04, ...point.subarray(1, 1 + size), ...hexOf(yPlusP, size)));
      }
      for (const bad of tooBig) expect(uncompressedOnCurve(curve, bad)).toBe(false);
    });

    it(`${curve}: anything but an uncompressed point of its size is left to the caller`, () => {
      const point = pointOf(curve);
      const compressed = Uint8Array.of(
        0x02 | ((point[2 * size] as number) & 1),
        ...point.subarray(1, 1 + size),
      );
      expect(uncompressedOnCurve(curve, compressed)).toBeUndefined();
      expect(uncompressedOnCurve(curve, point.subarray(0, point.length - 1))).toBeUndefined();
      expect(uncompressedOnCurve(curve, Uint8Array.of(...point, 0))).toBeUndefined();
      expect(uncompressedOnCurve(curve, Uint8Array.of(0x00))).toBeUndefined();
      expect(uncompressedOnCurve(curve, new Uint8Array(0))).toBeUndefined();
    });
  }

  it('has a = p − 3 on every curve, and coordinates of the size of p', () => {
    for (const { p, a, size } of Object.values(NIST_CURVES)) {
      expect(a).toBe(p - 3n);
      expect(Math.ceil(p.toString(2).length / 8)).toBe(size);
    }
  });
});
