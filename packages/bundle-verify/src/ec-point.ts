import { bigintOf } from '@flareo/internal/bytes';
import { p256, p384, p521 } from '@noble/curves/nist.js';

type CurveName = 'P-256' | 'P-384' | 'P-521';

const CURVES = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

/** Each curve's field prime, coefficients and coordinate size, from @noble/curves. */
const PARAMS = Object.fromEntries(
  (Object.keys(CURVES) as CurveName[]).map((name) => {
    const { Point } = CURVES[name];
    const { p, a, b } = Point.CURVE();
    return [name, { p, a, b, size: Point.Fp.BYTES }];
  }),
) as Record<CurveName, { p: bigint; a: bigint; b: bigint; size: number }>;

/**
 * Is this EC point (its SEC1 encoding) on `curve`? In every build, without importing the key
 * (a key is imported only when a signature check needs it: a verified-signature cache may
 * answer without it). An uncompressed point, as signing certificates carry, is checked here
 * with the curve equation y² = x³ + ax + b over the field (coordinates below p): about 1 µs,
 * where @noble/curves' general point decoding costs some 15 µs per bundle; any other encoding
 * (compressed, or malformed) is left to @noble/curves.
 */
export function ecPointValid(curve: CurveName, point: Uint8Array): boolean {
  const { p, a, b, size } = PARAMS[curve];
  if (point.length === 1 + 2 * size && point[0] === 0x04) {
    const x = bigintOf(point, 1, 1 + size);
    const y = bigintOf(point, 1 + size, 1 + 2 * size);
    if (x >= p || y >= p) return false;
    return (y * y - (x * x * x + a * x + b)) % p === 0n;
  }
  try {
    CURVES[curve].Point.fromBytes(point).assertValidity();
    return true;
  } catch {
    return false;
  }
}
