import { type KeyObject, X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectKeyIdentifier,
  KeyUsage,
  type KeyUsageType,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { requireCertificate } from './arguments.js';
import { TrustRootError, type TrustRootErrorDetail, where } from './errors.js';
import { importPublicKey, type KeyAlgorithm, sha256, type TrustSource } from './keys.js';

/** An X.509 certificate from trust material, parsed once with the fields verifiers need. */
export interface TrustedCertificate {
  /** DER bytes. */
  readonly der: Uint8Array;
  /** sha256 of the DER, lowercase hex. */
  readonly fingerprint: string;
  /** `node:crypto` certificate, for fast signature checks of certificates it issued. */
  readonly x509: X509Certificate;
  /** Subject distinguished name as `node:crypto` prints it. */
  readonly subject: string;
  /** Issuer distinguished name as `node:crypto` prints it. */
  readonly issuer: string;
  /** Serial number, uppercase hex. */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** basicConstraints cA. */
  readonly isCA: boolean;
  /** basicConstraints pathLenConstraint, when present. */
  readonly pathLenConstraint?: number;
  /** keyUsage bits, when the extension is present. */
  readonly keyUsage?: readonly KeyUsageType[];
  /** extendedKeyUsage OIDs, when the extension is present. */
  readonly extendedKeyUsage?: readonly string[];
  /** subjectKeyIdentifier, lowercase hex. */
  readonly subjectKeyId?: string;
  /** authorityKeyIdentifier keyIdentifier, lowercase hex. */
  readonly authorityKeyId?: string;
  /** Issuer and subject are the same name and the certificate verifies with its own key. */
  readonly selfSigned: boolean;
  /** The subject public key's algorithm. */
  readonly keyAlgorithm: KeyAlgorithm;
  /** sha256 of the subject's DER SPKI, lowercase hex. */
  readonly keyId: string;
  /** The subject public key, imported once: verify certificates this one issued with it. */
  readonly publicKey: KeyObject;
  /** DER of the subject Name, hex: compare with a child's issuer Name DER. */
  readonly subjectNameDer: string;
  /** DER of the issuer Name, hex. */
  readonly issuerNameDer: string;
  readonly source: TrustSource;
}

/** Parse and classify one DER certificate. */
export function parseCertificate(
  der: Uint8Array,
  source: TrustSource,
  detail: TrustRootErrorDetail,
): TrustedCertificate {
  let x509: X509Certificate;
  let cert: Certificate;
  try {
    x509 = new X509Certificate(Buffer.from(der));
    cert = AsnConvert.parse(der, Certificate);
  } catch (cause) {
    throw new TrustRootError(
      'CERTIFICATE_INVALID',
      `${where(detail)}not a valid DER X.509 certificate`,
      detail,
      { cause },
    );
  }
  const tbs = cert.tbsCertificate;
  let isCA = false;
  let pathLenConstraint: number | undefined;
  let keyUsage: KeyUsageType[] | undefined;
  let extendedKeyUsage: string[] | undefined;
  let subjectKeyId: string | undefined;
  let authorityKeyId: string | undefined;
  try {
    for (const ext of tbs.extensions ?? []) {
      const value = ext.extnValue.buffer;
      switch (ext.extnID) {
        case id_ce_basicConstraints: {
          const bc = AsnConvert.parse(value, BasicConstraints);
          isCA = bc.cA;
          pathLenConstraint = bc.pathLenConstraint;
          break;
        }
        case id_ce_keyUsage:
          keyUsage = AsnConvert.parse(value, KeyUsage).toJSON();
          break;
        case id_ce_extKeyUsage:
          extendedKeyUsage = [...AsnConvert.parse(value, ExtendedKeyUsage)];
          break;
        case id_ce_subjectKeyIdentifier:
          subjectKeyId = Buffer.from(AsnConvert.parse(value, SubjectKeyIdentifier).buffer).toString(
            'hex',
          );
          break;
        case id_ce_authorityKeyIdentifier: {
          const aki = AsnConvert.parse(value, AuthorityKeyIdentifier);
          if (aki.keyIdentifier) {
            authorityKeyId = Buffer.from(aki.keyIdentifier.buffer).toString('hex');
          }
          break;
        }
      }
    }
  } catch (cause) {
    throw new TrustRootError(
      'CERTIFICATE_INVALID',
      `${where(detail)}certificate has a malformed extension`,
      detail,
      { cause },
    );
  }
  const spkiDer = new Uint8Array(AsnConvert.serialize(tbs.subjectPublicKeyInfo));
  const key = importPublicKey(spkiDer, 'spki', detail);
  const selfIssued = x509.subject === x509.issuer;
  const result: TrustedCertificate = {
    der,
    fingerprint: sha256(der).toString('hex'),
    x509,
    subject: x509.subject,
    issuer: x509.issuer,
    serialNumber: x509.serialNumber,
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    isCA,
    ...(pathLenConstraint === undefined ? {} : { pathLenConstraint }),
    ...(keyUsage === undefined ? {} : { keyUsage: Object.freeze(keyUsage) }),
    ...(extendedKeyUsage === undefined
      ? {}
      : { extendedKeyUsage: Object.freeze(extendedKeyUsage) }),
    ...(subjectKeyId === undefined ? {} : { subjectKeyId }),
    ...(authorityKeyId === undefined ? {} : { authorityKeyId }),
    selfSigned: selfIssued && safeVerify(x509, x509),
    keyAlgorithm: key.algorithm,
    keyId: sha256(key.spki).toString('hex'),
    publicKey: key.keyObject,
    subjectNameDer: Buffer.from(AsnConvert.serialize(tbs.subject)).toString('hex'),
    issuerNameDer: Buffer.from(AsnConvert.serialize(tbs.issuer)).toString('hex'),
    source: Object.freeze(source),
  };
  return Object.freeze(result);
}

function safeVerify(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** What a certificate says about its issuer, for finding that issuer. */
export interface IssuerReference {
  /** Issuer Name as `node:crypto` prints it (used when `issuerNameDer` is absent). */
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

/** True when `issuer` issued `child`: names link and the signature verifies. */
export function issuedBy(child: TrustedCertificate, issuer: TrustedCertificate): boolean {
  requireCertificate('issuedBy', 'child', child);
  requireCertificate('issuedBy', 'issuer', issuer);
  return namesLink(child, issuer) && safeVerify(child.x509, issuer.x509);
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
