// The platform module of bundle-verify's Node build (export condition `node`). The web build
// (`dist/web/`, every other condition) is the same source with this one module swapped for
// `platform-web.ts` (see tsup.config.ts); both export the same names with the same types.
//
// On Node the seam's requests are answered by `node:crypto`, with one difference from
// trust-root's Node backend: ECDSA and Ed25519 keys are imported from JWK rather than DER
// (`spki.ts`: ~75 µs instead of ~175 µs for P-256). A signing certificate's key is new for
// every bundle, so this keeps the synchronous Node path as fast as it was before the seam.
// Everything else (ECDSA over a given digest, RSA) is trust-root's Node backend.

import { createHash, type KeyObject, verify } from 'node:crypto';
import {
  type CryptoBackend,
  platformCrypto,
  type SyncCryptoBackend,
  type VerifyRequest,
} from '@flareo/trust-root';
import { importSpki } from './spki.js';

/** Which build this is. */
export const PLATFORM: 'node' | 'web' = 'node';

const keys = new WeakMap<Uint8Array, KeyObject | null>();

/** The key of an SPKI, imported once per SPKI array (`null`: not importable). */
function keyOf(spki: Uint8Array): KeyObject | null {
  let key = keys.get(spki);
  if (key === undefined) {
    try {
      key = importSpki(spki);
    } catch {
      key = null;
    }
    keys.set(spki, key);
  }
  return key;
}

const fallback = platformCrypto.sync;

function answer(request: VerifyRequest): boolean {
  const { key, scheme, data, signature } = request;
  if (scheme.kind === 'ecdsa' && key.algorithm.kind === 'ecdsa') {
    const k = keyOf(key.spki);
    if (!k) return false;
    try {
      return verify(scheme.hash, data, k, signature);
    } catch {
      return false;
    }
  }
  if (scheme.kind === 'ed25519' && key.algorithm.kind === 'ed25519') {
    const k = keyOf(key.spki);
    if (!k) return false;
    try {
      return verify(null, data, k, signature);
    } catch {
      return false;
    }
  }
  return fallback.verify(request);
}

/** `node:crypto`, synchronous: answers both the synchronous and the `…Async` methods on Node. */
export const syncBackend: SyncCryptoBackend = Object.freeze({ name: 'node', verify: answer });

/** On Node the asynchronous methods use the same backend (same answers, no extra cost). */
export const asyncBackend: CryptoBackend = syncBackend;

/** SHA-1, for ESS signingCertificate (v1) certificate hashes only. */
export const sha1 = (data: Uint8Array): Uint8Array =>
  new Uint8Array(createHash('sha1').update(data).digest());
