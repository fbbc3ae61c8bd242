import { p256, p384, p521 } from '@noble/curves/nist.js';

const CURVES = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

/**
 * Is this EC point (its SEC1 encoding) on `curve`? @noble/curves, in every build: a few
 * microseconds, where importing the key into `node:crypto` to find out costs 75–500 µs and is
 * wasted when no signature check needs the key.
 */
export function ecPointValid(curve: 'P-256' | 'P-384' | 'P-521', point: Uint8Array): boolean {
  try {
    CURVES[curve].Point.fromBytes(point).assertValidity();
    return true;
  } catch {
    return false;
  }
}
