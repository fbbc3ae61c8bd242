import { argumentError, isKeyRef, requireViewAndKey } from './arguments.js';
import { asyncBackend, syncBackend } from './crypto/platform.js';
import {
  type CryptoTask,
  type PublicKeyRef,
  runCryptoAsync,
  runCryptoSync,
  type SignatureScheme,
  type VerifyRequest,
} from './crypto/seam.js';
import { OID } from './der/oids.js';
import { children, contentOf, decodeOid, readTlv } from './der/reader.js';
import { type HashAlgorithm, importPublicKey, type PublicKeyObject } from './keys.js';
import type { CertificateView } from './x509/certificate.js';

const SIGNATURE_ALGORITHMS: Readonly<
  Record<string, { readonly hash: HashAlgorithm | null; readonly rsa?: true; readonly pss?: true }>
> = {
  [OID.ecdsaWithSha256]: { hash: 'sha256' },
  [OID.ecdsaWithSha384]: { hash: 'sha384' },
  [OID.ecdsaWithSha512]: { hash: 'sha512' },
  [OID.sha256WithRsa]: { hash: 'sha256', rsa: true },
  [OID.sha384WithRsa]: { hash: 'sha384', rsa: true },
  [OID.sha512WithRsa]: { hash: 'sha512', rsa: true },
  [OID.rsassaPss]: { hash: null, pss: true },
  [OID.ed25519]: { hash: null },
};

const PSS_HASHES: Readonly<Record<string, HashAlgorithm>> = {
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

/** The hash of RSASSA-PSS parameters (SEQUENCE { [0] hashAlgorithm, ... }); the SHA-1 default is refused. */
function pssHash(params: Uint8Array | undefined): HashAlgorithm | undefined {
  if (!params) return undefined;
  try {
    const first = children(params, readTlv(params, 0))[0];
    if (first?.tag !== 0xa0) return undefined;
    const algId = children(params, first)[0];
    const oid = algId && children(params, algId)[0];
    return oid ? PSS_HASHES[decodeOid(contentOf(params, oid))] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The seam request that checks `cert`'s signature by `issuerKey` over the TBSCertificate
 * bytes, or `undefined` when the signature algorithm is not one we verify (ECDSA P-256/384/521
 * with SHA-2, RSA PKCS#1 v1.5 and PSS with SHA-2, Ed25519): such a certificate does not verify.
 */
export function certificateSignatureRequest(
  cert: CertificateView,
  issuerKey: PublicKeyRef,
): VerifyRequest | undefined {
  requireViewAndKey('certificateSignatureRequest', cert, 'cert', issuerKey, 'issuerKey');
  if (!isKeyRef(issuerKey)) {
    throw argumentError(
      'certificateSignatureRequest',
      'issuerKey',
      'a key { spki, algorithm }',
      issuerKey,
    );
  }
  const alg = SIGNATURE_ALGORITHMS[cert.signatureAlgorithm];
  if (!alg) return undefined;
  let scheme: SignatureScheme;
  if (alg.pss) {
    const hash = pssHash(cert.signatureAlgorithmParams);
    if (!hash) return undefined;
    scheme = { kind: 'rsa-pss', hash };
  } else if (alg.hash === null) {
    scheme = { kind: 'ed25519' };
  } else {
    scheme = alg.rsa ? { kind: 'rsa-pkcs1v15', hash: alg.hash } : { kind: 'ecdsa', hash: alg.hash };
  }
  return { key: issuerKey, scheme, data: cert.tbs, signature: cert.signature };
}

/** Does `cert` carry a valid signature by `issuerKey`? (A seam task: see `crypto/seam.ts`.) */
export function* checkCertificateSignature(
  cert: CertificateView,
  issuerKey: PublicKeyRef,
): CryptoTask<boolean> {
  const request = certificateSignatureRequest(cert, issuerKey);
  return request ? yield request : false;
}

const fromKeyObject = new WeakMap<object, PublicKeyRef | null>();

/** The seam key of a Node `KeyObject` (exported as SPKI and classified once per object). */
function keyRefOf(key: { export(options: object): unknown }): PublicKeyRef | undefined {
  let ref = fromKeyObject.get(key);
  if (ref === undefined) {
    try {
      const der = new Uint8Array(key.export({ type: 'spki', format: 'der' }) as Uint8Array);
      const { spki, algorithm } = importPublicKey(der, 'spki', {});
      ref = { spki, algorithm };
    } catch {
      ref = null;
    }
    fromKeyObject.set(key, ref);
  }
  return ref ?? undefined;
}

/**
 * Does `cert` carry a valid signature by `issuerKey`? The TBSCertificate bytes are verified
 * through the crypto seam (ECDSA P-256/384/521 with SHA-2, RSA PKCS#1 v1.5 and PSS with
 * SHA-2, Ed25519); any other algorithm, or a key that does not fit, is `false`. Synchronous:
 * `node:crypto` on Node; elsewhere @noble for ECDSA/Ed25519 (an RSA check throws
 * `CRYPTO_UNAVAILABLE`: use {@link verifyCertificateSignatureAsync}).
 *
 * @param issuerKey - `{ spki, algorithm }` (a `TrustedKey`, or a `TrustedCertificate`'s
 *   `spki` and `keyAlgorithm`), or on Node a public `KeyObject`.
 * @throws TrustRootError ARGUMENT_INVALID when `cert` is not a certificate view or
 *   `issuerKey` not a public key.
 */
export function verifyCertificateSignature(
  cert: CertificateView,
  issuerKey: PublicKeyRef | PublicKeyObject,
): boolean {
  requireViewAndKey('verifyCertificateSignature', cert, 'cert', issuerKey, 'issuerKey');
  const key = isKeyRef(issuerKey)
    ? (issuerKey as PublicKeyRef)
    : keyRefOf(issuerKey as PublicKeyObject);
  if (!key) return false;
  return runCryptoSync(checkCertificateSignature(cert, key), syncBackend);
}

/**
 * {@link verifyCertificateSignature} for every runtime: WebCrypto outside Node (every
 * algorithm, RSA included), `node:crypto` on Node. Same arguments, same answers.
 */
export async function verifyCertificateSignatureAsync(
  cert: CertificateView,
  issuerKey: PublicKeyRef | PublicKeyObject,
): Promise<boolean> {
  requireViewAndKey('verifyCertificateSignatureAsync', cert, 'cert', issuerKey, 'issuerKey');
  const key = isKeyRef(issuerKey)
    ? (issuerKey as PublicKeyRef)
    : keyRefOf(issuerKey as PublicKeyObject);
  if (!key) return false;
  return runCryptoAsync(checkCertificateSignature(cert, key), asyncBackend);
}
