import { constants, type KeyObject, publicDecrypt, verify } from 'node:crypto';
import { preAuthEncoding } from '@flareo/internal/dsse';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import type { Artifact } from './artifact.js';
import type { DigestAlgorithm } from './input.js';

/** What kind of key, as far as signature checking is concerned. */
export type KeyKind =
  | { readonly kind: 'ecdsa'; readonly curve: 'P-256' | 'P-384' | 'P-521' }
  | { readonly kind: 'ed25519' }
  | { readonly kind: 'rsa'; readonly pss: boolean }
  | { readonly kind: 'unsupported'; readonly type: string };

const CURVES: Record<string, 'P-256' | 'P-384' | 'P-521'> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

const kinds = new WeakMap<KeyObject, KeyKind>();

/** Classify a key (cached per KeyObject: reading key details allocates). */
export function keyKind(key: KeyObject): KeyKind {
  let kind = kinds.get(key);
  if (!kind) {
    kind = classify(key);
    kinds.set(key, kind);
  }
  return kind;
}

function classify(key: KeyObject): KeyKind {
  const type = key.asymmetricKeyType ?? 'unknown';
  if (type === 'ec') {
    const curve = CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
    return curve
      ? { kind: 'ecdsa', curve }
      : { kind: 'unsupported', type: `ec ${key.asymmetricKeyDetails?.namedCurve}` };
  }
  if (type === 'ed25519') return { kind: 'ed25519' };
  if (type === 'rsa' || type === 'rsa-pss') {
    return (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048
      ? { kind: 'rsa', pss: type === 'rsa-pss' }
      : { kind: 'unsupported', type: 'rsa < 2048' };
  }
  return { kind: 'unsupported', type };
}

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

function safe(fn: () => boolean): boolean {
  try {
    return fn();
  } catch {
    return false;
  }
}

const DIGEST_INFO: Record<DigestAlgorithm, string> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

const NOBLE = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

function rawPoint(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  return Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x ?? '', 'base64url'),
    Buffer.from(jwk.y ?? '', 'base64url'),
  ]);
}

/**
 * Verify a message signature over the artifact. With the bytes, `node:crypto` does the
 * work; with only a digest, ECDSA is checked on the digest (prehashed) and RSA PKCS#1 v1.5
 * by comparing the DigestInfo. Ed25519 and RSA-PSS need the bytes.
 */
export function verifyMessage(
  key: KeyObject,
  kind: KeyKind,
  digests: readonly DigestAlgorithm[],
  artifact: Artifact,
  signature: Uint8Array,
): { ok: boolean; reason?: string } {
  if (kind.kind === 'unsupported')
    return { ok: false, reason: `unsupported key type ${kind.type}` };
  if (kind.kind === 'ed25519') {
    if (!artifact.bytes)
      return {
        ok: false,
        reason: 'an Ed25519 signature can only be checked against the artifact bytes, not a digest',
      };
    const bytes = artifact.bytes;
    return { ok: safe(() => verify(null, bytes, key, signature)) };
  }
  for (const alg of digests) {
    if (artifact.bytes) {
      const bytes = artifact.bytes;
      const ok =
        kind.kind === 'rsa'
          ? safe(() =>
              verify(alg, bytes, { key, padding: constants.RSA_PKCS1_PADDING }, signature),
            ) ||
            safe(() =>
              verify(
                alg,
                bytes,
                {
                  key,
                  padding: constants.RSA_PKCS1_PSS_PADDING,
                  saltLength: constants.RSA_PSS_SALTLEN_AUTO,
                },
                signature,
              ),
            )
          : safe(() => verify(alg, bytes, key, signature));
      if (ok) return { ok };
      continue;
    }
    const digest = artifact.digest(alg);
    if (!digest) continue;
    if (kind.kind === 'ecdsa') {
      const point = rawPoint(key);
      if (
        safe(() =>
          NOBLE[kind.curve].verify(signature, digest, point, {
            prehash: false,
            format: 'der',
            lowS: false,
          }),
        )
      )
        return { ok: true };
    } else {
      const ok = safe(() => {
        const decoded = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
        return decoded.toString('hex') === DIGEST_INFO[alg] + Buffer.from(digest).toString('hex');
      });
      if (ok) return { ok };
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
export function verifyDsse(
  key: KeyObject,
  kind: KeyKind,
  payloadType: string,
  payload: Uint8Array,
  signature: Uint8Array,
): boolean {
  const message = preAuthEncoding(payloadType, payload);
  if (kind.kind === 'unsupported') return false;
  if (kind.kind === 'ed25519') return safe(() => verify(null, message, key, signature));
  return defaultDigests(kind).some((alg) =>
    kind.kind === 'rsa'
      ? safe(() =>
          verify(alg, message, { key, padding: constants.RSA_PKCS1_PADDING }, signature),
        ) ||
        safe(() =>
          verify(
            alg,
            message,
            {
              key,
              padding: constants.RSA_PKCS1_PSS_PADDING,
              saltLength: constants.RSA_PSS_SALTLEN_AUTO,
            },
            signature,
          ),
        )
      : safe(() => verify(alg, message, key, signature)),
  );
}
