import { toHex } from '@flareo/internal/bytes';
import { requireCertificate } from './arguments.js';
import { checkCertificateSignature } from './certificate-signature.js';
import { syncBackend } from './crypto/platform.js';
import { type CryptoTask, type PublicKeyRef, runCryptoSync } from './crypto/seam.js';
import { DerError } from './der/reader.js';
import { TrustRootError, type TrustRootErrorDetail, where } from './errors.js';
import {
  deferredKeyObject,
  type ImportKeyOptions,
  importPublicKey,
  type KeyAlgorithm,
  type PublicKeyObject,
  sha256,
  type TrustSource,
} from './keys.js';
import {
  type CertificateView,
  parseCertificate as readCertificateView,
} from './x509/certificate.js';

/**
 * An X.509 certificate from trust material: every field of its {@link CertificateView}
 * (read once by the package's own DER reader, see `@flareo/trust-root/x509`) plus what the
 * trust model adds: fingerprint, key id and algorithm, the imported key, self-signature and
 * where it came from.
 */
export interface TrustedCertificate extends CertificateView {
  /** sha256 of the DER, lowercase hex. */
  readonly fingerprint: string;
  /** Issuer and subject are the same name and the certificate verifies with its own key. */
  readonly selfSigned: boolean;
  /** The subject public key's algorithm. */
  readonly keyAlgorithm: KeyAlgorithm;
  /** sha256 of the subject's DER SPKI, lowercase hex. */
  readonly keyId: string;
  /**
   * The subject public key as `node:crypto` imported it once: Node build only (`undefined`
   * in the browser/worker build). New code verifies with `spki` and `keyAlgorithm` through
   * the crypto seam (see {@link keyRefOfCertificate}).
   */
  readonly publicKey: PublicKeyObject;
  readonly source: TrustSource;
}

/** The seam key of a certificate's subject public key. */
export const keyRefOfCertificate = (cert: TrustedCertificate): PublicKeyRef => ({
  spki: cert.spki,
  algorithm: cert.keyAlgorithm,
});

/** Parse and classify one DER certificate (a seam task: the self-signature is checked). */
export function* parseCertificate(
  der: Uint8Array,
  source: TrustSource,
  detail: TrustRootErrorDetail,
  options: ImportKeyOptions = {},
): CryptoTask<TrustedCertificate> {
  let view: CertificateView;
  try {
    view = readCertificateView(der);
  } catch (cause) {
    const reason = cause instanceof DerError ? `: ${cause.message}` : '';
    throw new TrustRootError(
      'CERTIFICATE_INVALID',
      `${where(detail)}not a valid DER X.509 certificate${reason}`,
      detail,
      { cause },
    );
  }
  const key = importPublicKey(view.spki, 'spki', detail, options);
  const selfIssued = view.subjectNameDer === view.issuerNameDer;
  const keyRef: PublicKeyRef = { spki: view.spki, algorithm: key.algorithm };
  const selfSigned = selfIssued && (yield* checkCertificateSignature(view, keyRef));
  const head = {
    ...view,
    fingerprint: toHex(sha256(der)),
    selfSigned,
    keyAlgorithm: key.algorithm,
    keyId: toHex(sha256(key.spki)),
  };
  const frozenSource = Object.freeze(source);
  if (key.deferred) {
    // Same fields in the same order; the key is imported on the first read of `publicKey`.
    const spki = key.spki;
    const result: TrustedCertificate = {
      ...head,
      get publicKey(): PublicKeyObject {
        return deferredKeyObject(spki);
      },
      source: frozenSource,
    };
    return Object.freeze(result);
  }
  const result: TrustedCertificate = {
    ...head,
    publicKey: key.keyObject as PublicKeyObject,
    source: frozenSource,
  };
  return Object.freeze(result);
}

/** What a certificate says about its issuer, for finding that issuer. */
export interface IssuerReference {
  /** Issuer Name in the printable form of `subject` (used when `issuerNameDer` is absent). */
  readonly issuer?: string;
  /** DER of the issuer Name, hex (preferred: exact comparison). */
  readonly issuerNameDer?: string;
  /** authorityKeyIdentifier keyIdentifier, hex. */
  readonly authorityKeyId?: string | undefined;
}

/** True when `issuer` plausibly issued `child` (names and key identifiers agree). */
export function namesLink(child: IssuerReference, issuer: TrustedCertificate): boolean {
  if (
    child.issuerNameDer !== undefined
      ? child.issuerNameDer !== issuer.subjectNameDer
      : child.issuer !== issuer.subject
  ) {
    return false;
  }
  if (child.authorityKeyId && issuer.subjectKeyId) {
    return child.authorityKeyId === issuer.subjectKeyId;
  }
  return true;
}

/** `issuedBy` as a seam task (no argument checks: callers hold parsed certificates). */
export function* checkIssuedBy(
  child: TrustedCertificate,
  issuer: TrustedCertificate,
): CryptoTask<boolean> {
  return (
    namesLink(child, issuer) &&
    (yield* checkCertificateSignature(child, keyRefOfCertificate(issuer)))
  );
}

/**
 * True when `issuer` issued `child`: names link and the signature verifies. Synchronous
 * (`node:crypto` on Node; @noble elsewhere, where an RSA issuer throws `CRYPTO_UNAVAILABLE`).
 */
export function issuedBy(child: TrustedCertificate, issuer: TrustedCertificate): boolean {
  requireCertificate('issuedBy', 'child', child);
  requireCertificate('issuedBy', 'issuer', issuer);
  return runCryptoSync(checkIssuedBy(child, issuer), syncBackend);
}

/** May this certificate issue others? basicConstraints cA, and keyCertSign if keyUsage is present. */
export function canIssue(cert: TrustedCertificate): boolean {
  requireCertificate('canIssue', 'cert', cert);
  return cert.isCA && (cert.keyUsage === undefined || cert.keyUsage.includes('keyCertSign'));
}

/**
 * A self-issued certificate (issuer name = subject name, key identifiers agreeing) must
 * verify with its own key: otherwise its bytes were altered.
 */
export function requireIntactSelfSignature(
  cert: TrustedCertificate,
  detail: TrustRootErrorDetail,
): void {
  if (namesLink(cert, cert) && !cert.selfSigned) {
    throw new TrustRootError(
      'CERTIFICATE_CHAIN_INVALID',
      `${where(detail)}self-signed certificate "${cert.subject}" does not verify with its own key`,
      { ...detail, expected: 'valid self-signature', actual: 'signature mismatch' },
    );
  }
}

export function requireIssuer(
  cert: TrustedCertificate,
  detail: TrustRootErrorDetail,
  role: string,
): void {
  if (!canIssue(cert)) {
    throw new TrustRootError(
      'CERTIFICATE_NOT_CA',
      `${where(detail)}${role} "${cert.subject}" is not a CA certificate (basicConstraints cA=${cert.isCA}, keyUsage ${cert.keyUsage?.join(',') ?? 'absent'})`,
      {
        ...detail,
        expected: 'cA=true and keyCertSign',
        actual: { cA: cert.isCA, keyUsage: cert.keyUsage },
      },
    );
  }
}
