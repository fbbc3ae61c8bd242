// The Node backend: `node:crypto`, synchronous. Imported only by the Node platform module
// (`platform.ts`), which the `node` export condition selects; the core never imports it.

import { constants, createPublicKey, hash, type KeyObject, verify } from 'node:crypto';
import type { HashAlgorithm } from '../keys.js';
import { nobleCryptoBackend } from './noble.js';
import {
  type PublicKeyRef,
  type SyncCryptoBackend,
  schemeFits,
  type VerifyRequest,
} from './seam.js';

const keys = new WeakMap<Uint8Array, KeyObject>();

/** The `node:crypto` key of an SPKI, imported on first use and cached per SPKI array. */
export function keyObjectOf(spki: Uint8Array): KeyObject {
  let key = keys.get(spki);
  if (!key) {
    key = createPublicKey({ key: spki as Buffer, format: 'der', type: 'spki' });
    keys.set(spki, key);
  }
  return key;
}

/** sha256 with `node:crypto`. */
export const nodeSha256 = (data: Uint8Array): Uint8Array => hash('sha256', data, 'buffer');

/** A SHA-2 digest with `node:crypto` (one-shot). */
export const nodeDigest = (algorithm: HashAlgorithm, data: Uint8Array): Uint8Array =>
  hash(algorithm, data, 'buffer');

function check(request: VerifyRequest): boolean {
  const { scheme, data, signature } = request;
  const key = keyObjectOf((request.key as PublicKeyRef).spki);
  switch (scheme.kind) {
    case 'ed25519':
      return verify(null, data, key, signature);
    case 'ecdsa':
      return verify(scheme.hash, data, key, signature);
    case 'ecdsa-prehashed':
      // `node:crypto` has no one-shot "verify this digest" for ECDSA: @noble/curves answers
      // it, the same code the WebCrypto backend uses for this request.
      return nobleCryptoBackend.verify(request);
    case 'rsa-pkcs1v15':
      return verify(scheme.hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
    case 'rsa-pss':
      return verify(
        scheme.hash,
        data,
        {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_AUTO,
        },
        signature,
      );
  }
}

/** The `node:crypto` backend: synchronous, every scheme. */
export const nodeCryptoBackend: SyncCryptoBackend = Object.freeze({
  name: 'node',
  verify(request: VerifyRequest): boolean {
    if (!schemeFits(request.key, request.scheme)) return false;
    try {
      return check(request);
    } catch {
      return false;
    }
  },
});
