import { bigintOf, fromHex, modPow } from '@flareo/internal/bytes';
import { preAuthEncoding } from '@flareo/internal/dsse';
import type { CryptoTask, HashAlgorithm, PublicKeyRef, VerifyRequest } from '@flareo/trust-root';
import type { Artifact } from './artifact.js';
import type { DigestAlgorithm } from './input.js';
import { type KeyKind, rsaPublicOf, type SignerKey } from './keys.js';

export type { KeyKind } from './keys.js';

/** Digests to try for a key when the input does not name one: the curve's own, then SHA-256 (cosign's default). */
export function defaultDigests(kind: KeyKind): DigestAlgorithm[] {
  if (kind.kind === 'ecdsa')
    return kind.curve === 'P-256'
      ? ['sha256']
      : kind.curve === 'P-384'
        ? ['sha384', 'sha256']
        : ['sha512', 'sha256'];
  return ['sha256'];
}

const request = (
  key: PublicKeyRef,
  scheme: VerifyRequest['scheme'],
  data: Uint8Array,
  signature: Uint8Array,
): VerifyRequest => ({ key, scheme, data, signature });

/** RSA: PKCS#1 v1.5, then PSS (any salt length), each as the key allows. */
function* rsaOver(
  key: PublicKeyRef,
  hash: HashAlgorithm,
  data: Uint8Array,
  signature: Uint8Array,
): CryptoTask<boolean> {
  return (
    (yield request(key, { kind: 'rsa-pkcs1v15', hash }, data, signature)) ||
    (yield request(key, { kind: 'rsa-pss', hash }, data, signature))
  );
}

/** One signature over `data` hashed with `hash` (ignored by Ed25519). */
function* over(
  key: PublicKeyRef,
  kind: KeyKind,
  hash: HashAlgorithm,
  data: Uint8Array,
  signature: Uint8Array,
): CryptoTask<boolean> {
  if (kind.kind === 'rsa') return yield* rsaOver(key, hash, data, signature);
  if (kind.kind === 'ed25519') return yield request(key, { kind: 'ed25519' }, data, signature);
  return yield request(key, { kind: 'ecdsa', hash }, data, signature);
}

// DER DigestInfo prefixes (RFC 8017, section 9.2, note 1): the encoded hash follows them.
const DIGEST_INFO: Record<DigestAlgorithm, Uint8Array> = {
  sha256: fromHex('3031300d060960864801650304020105000420'),
  sha384: fromHex('3041300d060960864801650304020205000430'),
  sha512: fromHex('3051300d060960864801650304020305000440'),
};

/**
 * RSASSA-PKCS1-v1_5 over a given digest (RFC 8017 §8.2.2: the public operation, then the
 * encoded message compared with `00 01 FF.. 00 DigestInfo`). Hand-written because neither
 * WebCrypto nor the seam's schemes verify RSA over a digest without the message (the seam's
 * `rsa-pkcs1v15` hashes the data itself); public values only, so no constant-time concern.
 * The same code in every runtime; used only for a digest-only artifact and an RSA key.
 */
export function rsaPkcs1OverDigest(
  spki: Uint8Array,
  algorithm: DigestAlgorithm,
  digest: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    const { modulus, exponent } = rsaPublicOf(spki);
    const k = modulus.length;
    if (signature.length !== k) return false;
    const n = bigintOf(modulus);
    const s = bigintOf(signature);
    if (s >= n) return false;
    let m = modPow(s, bigintOf(exponent), n);
    const em = new Uint8Array(k);
    for (let i = k - 1; i >= 0; i--, m >>= 8n) em[i] = Number(m & 0xffn);
    const t = DIGEST_INFO[algorithm];
    const tLen = t.length + digest.length;
    if (k < tLen + 11) return false;
    const psEnd = k - tLen - 1;
    if (em[0] !== 0x00 || em[1] !== 0x01 || em[psEnd] !== 0x00) return false;
    for (let i = 2; i < psEnd; i++) if (em[i] !== 0xff) return false;
    for (let i = 0; i < t.length; i++) if (em[psEnd + 1 + i] !== t[i]) return false;
    for (let i = 0; i < digest.length; i++) {
      if (em[psEnd + 1 + t.length + i] !== digest[i]) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Verify a message signature over the artifact. With the bytes, the seam verifies over
 * them; with only a digest, ECDSA is checked on the digest (`ecdsa-prehashed`) and RSA
 * PKCS#1 v1.5 by its encoded digest ({@link rsaPkcs1OverDigest}). Ed25519 and RSA-PSS need
 * the bytes.
 */
export function* verifyMessage(
  key: SignerKey,
  digests: readonly DigestAlgorithm[],
  artifact: Artifact,
  signature: Uint8Array,
): CryptoTask<{ ok: boolean; reason?: string }> {
  const { kind, ref } = key;
  if (kind.kind === 'unsupported' || !ref)
    return {
      ok: false,
      reason: `unsupported key type ${kind.kind === 'unsupported' ? kind.type : 'unknown'}`,
    };
  if (kind.kind === 'ed25519') {
    if (!artifact.bytes)
      return {
        ok: false,
        reason: 'an Ed25519 signature can only be checked against the artifact bytes, not a digest',
      };
    return { ok: yield request(ref, { kind: 'ed25519' }, artifact.bytes, signature) };
  }
  for (const alg of digests) {
    if (artifact.bytes) {
      if (yield* over(ref, kind, alg, artifact.bytes, signature)) return { ok: true };
      continue;
    }
    const digest = artifact.digest(alg);
    if (!digest) continue;
    if (kind.kind === 'ecdsa') {
      if (yield request(ref, { kind: 'ecdsa-prehashed' }, digest, signature)) return { ok: true };
    } else if (!kind.pss && rsaPkcs1OverDigest(ref.spki, alg, digest, signature)) {
      return { ok: true };
    }
  }
  if (!artifact.bytes && !digests.some((a) => artifact.digest(a))) {
    return {
      ok: false,
      reason: `the artifact digest given is not one the signature uses (${digests.join(', ')})`,
    };
  }
  return { ok: false };
}

/** Verify a DSSE signature over the PAE of the envelope. */
export function* verifyDsse(
  key: SignerKey,
  payloadType: string,
  payload: Uint8Array,
  signature: Uint8Array,
): CryptoTask<boolean> {
  const { kind, ref } = key;
  if (kind.kind === 'unsupported' || !ref) return false;
  const message = preAuthEncoding(payloadType, payload);
  if (kind.kind === 'ed25519') return yield request(ref, { kind: 'ed25519' }, message, signature);
  for (const alg of defaultDigests(kind)) {
    if (yield* over(ref, kind, alg, message, signature)) return true;
  }
  return false;
}
