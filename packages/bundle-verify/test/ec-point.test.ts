import { generateKeyPairSync } from 'node:crypto';
import { NIST_CURVES } from '@flareo/internal/ec-curve';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ecPointValid } from '../src/ec-point.js';

// ecPointValid checks uncompressed points with the curve equation itself and leaves every
// other encoding to @noble/curves: on real keys, on keys with a changed byte (almost always
// off the curve), on coordinates at or above the field prime and on arbitrary bytes, its
// answer must be @noble/curves' answer, and node:crypto's where node:crypto can tell.

const CURVES = [
  ['P-256', p256, 'prime256v1'],
  ['P-384', p384, 'secp384r1'],
  ['P-521', p521, 'secp521r1'],
] as const;

const nobleSays = (curve: (typeof CURVES)[number][1], point: Uint8Array): boolean => {
  try {
    curve.Point.fromBytes(point).assertValidity();
    return true;
  } catch {
    return false;
  }
};

describe('ecPointValid: the curve equation, as @noble/curves decides it', () => {
  for (const [name, curve, openssl] of CURVES) {
    const size = curve.Point.Fp.BYTES;

    it(`${name}: the parameters written out are @noble/curves' own`, () => {
      const { p, a, b } = curve.Point.CURVE();
      expect(NIST_CURVES[name]).toEqual({ p, a, b, size });
    });
    const points = Array.from({ length: 8 }, () => {
      const spki = generateKeyPairSync('ec', { namedCurve: openssl }).publicKey.export({
        format: 'der',
        type: 'spki',
      });
      return new Uint8Array(spki.subarray(spki.length - (1 + 2 * size)));
    });

    it(`${name}: real keys are on the curve, uncompressed and compressed`, () => {
      for (const point of points) {
        expect(ecPointValid(name, point)).toBe(true);
        const compressed = curve.Point.fromBytes(point).toBytes(true);
        expect(ecPointValid(name, compressed)).toBe(true);
      }
    });

    it(`${name}: a changed byte gives @noble/curves' answer (off the curve)`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: points.length - 1 }),
          fc.integer({ min: 1, max: 2 * size }),
          fc.integer({ min: 1, max: 255 }),
          (which, at, xor) => {
            const point = new Uint8Array(points[which] as Uint8Array);
            point[at] = (point[at] as number) ^ xor;
            expect(ecPointValid(name, point)).toBe(nobleSays(curve, point));
          },
        ),
      );
    });

    it(`${name}: a coordinate at or above the field prime is refused`, () => {
      const { p } = curve.Point.CURVE();
      const point = new Uint8Array(points[0] as Uint8Array);
      // x + p still satisfies the equation modulo p, but is not a field element.
      const x = BigInt(`0x${Buffer.from(point.subarray(1, 1 + size)).toString('hex')}`) + p;
      const hex = x.toString(16).padStart(2 * size, '0');
      if (hex.length === 2 * size) {
        point.set(Buffer.from(hex, 'hex'), 1);
        expect(ecPointValid(name, point)).toBe(false);
        expect(nobleSays(curve, point)).toBe(false);
      }
      const y = new Uint8Array(points[0] as Uint8Array);
      y.fill(0xff, 1 + size);
      expect(ecPointValid(name, y)).toBe(false);
    });

    it(`${name}: arbitrary bytes give @noble/curves' answer`, () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.uint8Array({ minLength: 0, maxLength: 2 * size + 3 }),
            fc
              .uint8Array({ minLength: 2 * size, maxLength: 2 * size })
              .map((b) => Uint8Array.of(0x04, ...b)),
          ),
          (point) => {
            expect(ecPointValid(name, point)).toBe(nobleSays(curve, point));
          },
        ),
      );
    });
  }
});
