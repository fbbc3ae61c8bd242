import { bigintOf } from './bytes.js';

// The NIST prime curves P-256, P-384 and P-521 (FIPS 186-5, SEC 2): y² = x³ + ax + b over the
// field of the prime p, with a = p − 3. Their parameters are written out here, and an
// uncompressed point (SEC1: 0x04, x, y) is checked on its curve with that equation, so that
// checking a key loads no curve library: a curve library builds its fields and tables when it
// is loaded (@noble/curves: some 5 ms of a `flareo verify` process), and the keys of trusted
// roots and signing certificates are uncompressed points. Other encodings are left to the
// callers' curve library. Hand-written: constants and one equation. The tests compare the
// constants and the answers with @noble/curves'.

/** A NIST prime curve, by its FIPS name. */
export type NistCurve = 'P-256' | 'P-384' | 'P-521';

/** A curve's field prime `p`, its coefficients `a` and `b`, and the bytes of a coordinate. */
export interface NistCurveParams {
  readonly p: bigint;
  readonly a: bigint;
  readonly b: bigint;
  readonly size: number;
}

const P256 = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const P384 =
  0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn;
const P521 = (1n << 521n) - 1n;

/** The three curves' parameters. */
export const NIST_CURVES: Readonly<Record<NistCurve, NistCurveParams>> = Object.freeze({
  'P-256': Object.freeze({
    p: P256,
    a: P256 - 3n,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
    size: 32,
  }),
  'P-384': Object.freeze({
    p: P384,
    a: P384 - 3n,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
    size: 48,
  }),
  'P-521': Object.freeze({
    p: P521,
    a: P521 - 3n,
    b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
    size: 66,
  }),
});

/**
 * Whether `point`, an uncompressed SEC1 point (0x04, then x and y of the curve's size), is on
 * `curve`: both coordinates field elements (below p) that satisfy the curve's equation.
 * `undefined` when `point` is not an uncompressed point of that size (compressed, the point at
 * infinity, or a wrong length): the caller decides those, with a curve library or by refusing.
 */
export function uncompressedOnCurve(curve: NistCurve, point: Uint8Array): boolean | undefined {
  const { p, a, b, size } = NIST_CURVES[curve];
  if (point.length !== 1 + 2 * size || point[0] !== 0x04) return undefined;
  const x = bigintOf(point, 1, 1 + size);
  const y = bigintOf(point, 1 + size, 1 + 2 * size);
  if (x >= p || y >= p) return false;
  return (y * y - (x * x * x + a * x + b)) % p === 0n;
}
