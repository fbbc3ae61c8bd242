// The Node backend: `node:crypto`, synchronous. Imported only by the Node platform module
// (`platform.ts`), which the `node` export condition selects; the core never imports it.

import {
  constants,
  createPublicKey,
  hash,
  type JsonWebKey,
  type KeyObject,
  verify,
} from 'node:crypto';
import type { HashAlgorithm } from '../keys.js';
import { nobleCryptoBackend } from './noble.js';
import {
  type PublicKeyRef,
  type SyncCryptoBackend,
  schemeFits,
  type VerifyRequest,
} from './seam.js';

const keys = new WeakMap<Uint8Array, KeyObject>();

// OpenSSL's generic DER decoder costs about 120–165 µs per P-256 or Ed25519 key, the same key
// given as JWK about 75 µs (P-256) and 8 µs (Ed25519); for P-384 and P-521 JWK is the slow
// route (500 µs and more), DER the fast one (Node 20, measured). A signing certificate's key is
// new in every bundle, so P-256 and Ed25519 keys in their one canonical SPKI encoding (fixed
// header, then the point) go as JWK; everything else goes to the DER decoder. Both routes give
// the same key and refuse a point off its curve.
// SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING 0x00 0x04 (uncompressed) ...
const P256_SPKI_HEADER = Buffer.from(
  '3059301306072a8648ce3d020106082a8648ce3d03010703420004',
  'hex',
);
// SEQUENCE { SEQUENCE { id-Ed25519 }, BIT STRING 0x00 ...
const ED25519_SPKI_HEADER = Buffer.from('302a300506032b6570032100', 'hex');

function startsWith(bytes: Uint8Array, header: Uint8Array, length: number): boolean {
  if (bytes.length !== length) return false;
  for (let i = 0; i < header.length; i++) if (bytes[i] !== header[i]) return false;
  return true;
}

const base64url = (bytes: Uint8Array, from: number, to: number): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('base64url');

/** An SPKI as JWK when that is the faster exact route (see above), else `undefined`. */
function fastJwk(spki: Uint8Array): JsonWebKey | undefined {
  if (startsWith(spki, P256_SPKI_HEADER, P256_SPKI_HEADER.length + 64)) {
    const x = P256_SPKI_HEADER.length;
    return {
      kty: 'EC',
      crv: 'P-256',
      x: base64url(spki, x, x + 32),
      y: base64url(spki, x + 32, x + 64),
    };
  }
  if (startsWith(spki, ED25519_SPKI_HEADER, ED25519_SPKI_HEADER.length + 32)) {
    return {
      kty: 'OKP',
      crv: 'Ed25519',
      x: base64url(spki, ED25519_SPKI_HEADER.length, spki.length),
    };
  }
  return undefined;
}

/** The `node:crypto` key of an SPKI, imported on first use and cached per SPKI array. */
export function keyObjectOf(spki: Uint8Array): KeyObject {
  let key = keys.get(spki);
  if (!key) {
    const jwk = fastJwk(spki);
    key = jwk
      ? createPublicKey({ key: jwk, format: 'jwk' })
      : createPublicKey({ key: spki as Buffer, format: 'der', type: 'spki' });
    keys.set(spki, key);
  }
  return key;
}

/**
 * A one-shot `node:crypto` digest as a new `Uint8Array`, read from the digest's latin1
 * (`'binary'`) string, one character per octet. Asked for as a Buffer, each digest would get
 * an array buffer outside V8's heap: several `malloc` calls now and a sweep and `free` later,
 * which made a digest of 65 octets cost 790–1,020 ns of CPU against 350–380 ns this way (Node
 * 20; a verified bundle takes a dozen digests, most of them Merkle nodes). A digest is at most
 * 64 octets, an array V8 keeps in its own heap.
 */
function digestOf(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array {
  const text = hash(algorithm, data, 'binary'); // 'binary': Node's name for latin1
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** sha256 with `node:crypto`. */
export const nodeSha256 = (data: Uint8Array): Uint8Array => digestOf('sha256', data);

/** A SHA-2 digest with `node:crypto` (one-shot). */
export const nodeDigest = (algorithm: HashAlgorithm, data: Uint8Array): Uint8Array =>
  digestOf(algorithm, data);

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
