// The platform module of bundle-verify's browser/worker build (export conditions `browser`,
// `worker`, `workerd`, `default`): trust-root's backends for this runtime (WebCrypto for the
// `…Async` methods, @noble for the synchronous ones). Same names and types as `platform.ts`;
// no `node:` import.

import { type CryptoBackend, platformCrypto, type SyncCryptoBackend } from '@flareo/trust-root';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { sha1 as nobleSha1 } from '@noble/hashes/legacy.js';

/** Which build this is. */
export const PLATFORM: 'node' | 'web' = 'web';

/** @noble (ECDSA, Ed25519; an RSA check throws CRYPTO_UNAVAILABLE: use the async methods). */
export const syncBackend: SyncCryptoBackend = platformCrypto.sync;

/** WebCrypto, @noble where WebCrypto lacks an operation. */
export const asyncBackend: CryptoBackend = platformCrypto.async;

/** SHA-1, for ESS signingCertificate (v1) certificate hashes only. */
export const sha1 = (data: Uint8Array): Uint8Array => nobleSha1(data);

const CURVES = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

/** Is this EC SPKI's point on its curve? (@noble/curves; `point` is the SEC1 encoding.) */
export function ecPointValid(
  _spki: Uint8Array,
  curve: 'P-256' | 'P-384' | 'P-521',
  point: Uint8Array,
): boolean {
  try {
    CURVES[curve].Point.fromBytes(point).assertValidity();
    return true;
  } catch {
    return false;
  }
}
