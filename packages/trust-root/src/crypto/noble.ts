// Pure-JavaScript signature checks with @noble/curves and @noble/hashes (audited, no
// dependencies), for what WebCrypto lacks: ECDSA over a given digest, synchronous answers
// (the synchronous API outside Node), Ed25519 where the runtime's WebCrypto refuses it.

import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { TrustRootError } from '../errors.js';
import type { HashAlgorithm } from '../keys.js';
import { type SyncCryptoBackend, schemeFits, type VerifyRequest } from './seam.js';
import { readSpki, type SpkiInfo } from './spki.js';

const HASHES = { sha256, sha384, sha512 } as const;
const CURVES: Readonly<Record<string, typeof p256>> = {
  prime256v1: p256,
  secp384r1: p384,
  secp521r1: p521,
};

/** A digest with @noble/hashes. */
export const nobleDigest = (hash: HashAlgorithm, data: Uint8Array): Uint8Array =>
  HASHES[hash](data);

const parsed = new WeakMap<Uint8Array, SpkiInfo>();

/** The SPKI's contents, read once per SPKI array. */
export function spkiInfoOf(spki: Uint8Array): SpkiInfo {
  let info = parsed.get(spki);
  if (!info) {
    info = readSpki(spki);
    parsed.set(spki, info);
  }
  return info;
}

function ecdsa(info: SpkiInfo, digest: Uint8Array, signature: Uint8Array): boolean {
  const curve = info.type === 'ec' ? CURVES[info.curve] : undefined;
  if (!curve || info.type !== 'ec') return false;
  // High-S signatures are valid ECDSA (OpenSSL and WebCrypto accept them): `lowS: false`.
  return curve.verify(signature, digest, info.point, {
    prehash: false,
    format: 'der',
    lowS: false,
  });
}

function check(request: VerifyRequest): boolean {
  const { scheme, data, signature } = request;
  const info = spkiInfoOf(request.key.spki);
  switch (scheme.kind) {
    case 'ecdsa':
      return ecdsa(info, nobleDigest(scheme.hash, data), signature);
    case 'ecdsa-prehashed':
      return ecdsa(info, data, signature);
    case 'ed25519':
      // RFC 8032 strict decoding (`zip215: false`), as OpenSSL and WebCrypto verify.
      return (
        info.type === 'ed25519' && ed25519.verify(signature, data, info.raw, { zip215: false })
      );
    case 'rsa-pkcs1v15':
    case 'rsa-pss':
      throw new TrustRootError(
        'CRYPTO_UNAVAILABLE',
        'RSA signatures are verified synchronously only on Node: use the asynchronous entry point (WebCrypto) in this runtime',
        { expected: 'an …Async entry point', actual: scheme.kind },
      );
  }
}

/**
 * The synchronous pure-JS backend: ECDSA P-256/384/521 (hashed or pre-hashed) and Ed25519.
 * RSA throws `CRYPTO_UNAVAILABLE` (use the asynchronous entry point, which has WebCrypto).
 */
export const nobleCryptoBackend: SyncCryptoBackend = Object.freeze({
  name: 'noble',
  verify(request: VerifyRequest): boolean {
    if (!schemeFits(request.key, request.scheme)) return false;
    try {
      return check(request);
    } catch (error) {
      if (error instanceof TrustRootError) throw error;
      return false;
    }
  },
});
