import { type NistCurve, uncompressedOnCurve } from '@flareo/internal/ec-curve';
import { p256, p384, p521 } from '@noble/curves/nist.js';

const CURVES = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

/**
 * Is this EC point (its SEC1 encoding) on `curve`? In every build, without importing the key
 * (a key is imported only when a signature check needs it: a verified-signature cache may
 * answer without it). An uncompressed point, as signing certificates carry, is checked with
 * the curve equation (`@flareo/internal/ec-curve`): about 1 µs, where @noble/curves' general
 * point decoding costs some 15 µs per bundle, and no curve of @noble/curves is used, so a
 * bundle that loads it on first use (the `flareo` command) never loads it for these keys. Any
 * other encoding (compressed, or malformed) is left to @noble/curves.
 */
export function ecPointValid(curve: NistCurve, point: Uint8Array): boolean {
  const onCurve = uncompressedOnCurve(curve, point);
  if (onCurve !== undefined) return onCurve;
  try {
    CURVES[curve].Point.fromBytes(point).assertValidity();
    return true;
  } catch {
    return false;
  }
}
