import {
  type CertificateAuthority,
  type CryptoTask,
  certificateSignatureRequest,
  isWithin,
  type PublicKeyRef,
  type TrustedCertificate,
  type TrustRoot,
} from '@flareo/trust-root';
import { type CertificateView, OID } from '@flareo/trust-root/x509';
import { parseSigningCertificate, publicKeyOf, type SigningCertificate } from './certificate.js';
import { BundleVerifyError } from './errors.js';

/** Does `cert` carry a valid signature by `key`? (An unsupported algorithm does not verify.) */
export function* certificateSignature(
  cert: CertificateView,
  key: PublicKeyRef | undefined,
): CryptoTask<boolean> {
  const request = key && certificateSignatureRequest(cert, key);
  return request ? yield request : false;
}

const keyOfTrusted = (c: TrustedCertificate): PublicKeyRef => ({
  spki: c.spki,
  algorithm: c.keyAlgorithm,
});

/** The certificate path that made a signing certificate trusted. */
export interface VerifiedChain {
  readonly authority: CertificateAuthority;
  /** The trusted certificate the path reached. */
  readonly trustedIssuer: TrustedCertificate;
  /** Intermediates taken from the bundle itself, leaf-most first. */
  readonly bundleIntermediates: readonly SigningCertificate[];
}

const fmt = (d: Date) => d.toISOString();

/** Leaf rules: not a CA, may sign (digitalSignature when keyUsage is present), EKU codeSigning. */
export function checkLeaf(leaf: SigningCertificate): void {
  if (leaf.isCA) {
    throw new BundleVerifyError(
      'CERTIFICATE_INVALID',
      'signing certificate is a CA certificate (basicConstraints cA=true)',
      {
        step: 'certificate',
        field: 'basicConstraints',
        expected: 'cA=false',
        actual: 'cA=true',
      },
    );
  }
  if (leaf.keyUsage && !leaf.keyUsage.includes('digitalSignature')) {
    throw new BundleVerifyError(
      'CERTIFICATE_INVALID',
      `signing certificate key usage lacks digitalSignature (has ${leaf.keyUsage.join(', ') || 'none'})`,
      {
        step: 'certificate',
        field: 'keyUsage',
        expected: 'digitalSignature',
        actual: leaf.keyUsage,
      },
    );
  }
  if (!leaf.extendedKeyUsage?.includes(OID.codeSigning)) {
    throw new BundleVerifyError(
      'CERTIFICATE_INVALID',
      `signing certificate is not for code signing (extended key usage ${leaf.extendedKeyUsage?.join(', ') ?? 'absent'})`,
      {
        step: 'certificate',
        field: 'extendedKeyUsage',
        expected: OID.codeSigning,
        actual: leaf.extendedKeyUsage ?? null,
      },
    );
  }
}

/** The certificate must be valid at every trusted time. */
export function checkValidity(
  cert: { notBefore: Date; notAfter: Date; subject: string },
  times: readonly Date[],
  role: string,
): void {
  for (const t of times) {
    if (t < cert.notBefore || t > cert.notAfter) {
      throw new BundleVerifyError(
        'CERTIFICATE_EXPIRED',
        `${role} is not valid at ${fmt(t)} (valid ${fmt(cert.notBefore)} .. ${fmt(cert.notAfter)})`,
        {
          step: 'certificate',
          field: 'validity',
          expected: `${fmt(cert.notBefore)} .. ${fmt(cert.notAfter)}`,
          actual: fmt(t),
        },
      );
    }
  }
}

/** Is `cert` valid at every one of `times`? (Loops rather than closures: run per candidate.) */
function validAtAll(cert: { notBefore: Date; notAfter: Date }, times: readonly Date[]): boolean {
  for (const t of times) if (!(t >= cert.notBefore && t <= cert.notAfter)) return false;
  return true;
}

/** The first of `certs` from `from` on that is not valid at every one of `times`. */
function firstNotValidAtAll<C extends { notBefore: Date; notAfter: Date }>(
  certs: readonly C[],
  from: number,
  times: readonly Date[],
): C | undefined {
  for (let i = from; i < certs.length; i++) {
    const c = certs[i] as C;
    if (!validAtAll(c, times)) return c;
  }
  return undefined;
}

/**
 * Does a certificate of `certs` from `from` on (the trusted CAs above an issuer) have a
 * path-length constraint below the CA certificates under it (`below + 1` for the first)?
 */
function pathLengthExceededAbove(
  certs: readonly { pathLenConstraint?: number }[],
  from: number,
  below: number,
): boolean {
  for (let i = from; i < certs.length; i++) {
    const limit = certs[i]?.pathLenConstraint;
    if (limit !== undefined && below + 1 + (i - from) > limit) return true;
  }
  return false;
}

const keyIdsAgree = (child: SigningCertificate, issuerSki: string | undefined) =>
  !child.authorityKeyId || !issuerSki || child.authorityKeyId === issuerSki;

/**
 * Find a path from `leaf` to a trusted CA certificate, through the bundle's own
 * intermediates when needed. Every certificate on the path must be valid at every trusted
 * time, every authority's window must contain them, CA rules and path-length constraints
 * hold. Intermediates of the trust root were verified when it was loaded.
 */
export function* verifyChain(
  leaf: SigningCertificate,
  bundleCertificates: readonly Uint8Array[],
  trustRoot: TrustRoot,
  times: readonly Date[],
): CryptoTask<VerifiedChain> {
  const intermediates = bundleCertificates.map((der) => parseSigningCertificate(der));
  const reasons: string[] = [];

  function* search(
    cert: SigningCertificate,
    path: SigningCertificate[],
  ): CryptoTask<VerifiedChain | undefined> {
    // 1. A trusted issuer from the trust root.
    for (const { certificate: issuer, authority } of trustRoot.issuerCandidates(cert)) {
      const below = path.length; // CA certificates between the leaf and this issuer
      if (!times.every((t) => isWithin(authority.validFor, t))) {
        reasons.push(
          `authority "${issuer.subject}" is not trusted at ${times.map(fmt).join(', ')}`,
        );
        continue;
      }
      // The issuer and every trust-root certificate above it must be valid at those times.
      const index = authority.certificates.indexOf(issuer);
      const stale =
        index === -1
          ? firstNotValidAtAll([issuer], 0, times)
          : firstNotValidAtAll(authority.certificates, index, times);
      if (stale) {
        reasons.push(
          `CA certificate "${stale.subject}" is not valid at ${times.map(fmt).join(', ')}`,
        );
        continue;
      }
      if (issuer.pathLenConstraint !== undefined && below > issuer.pathLenConstraint) {
        reasons.push(
          `path length ${below} exceeds the constraint ${issuer.pathLenConstraint} of "${issuer.subject}"`,
        );
        continue;
      }
      // Path-length constraints of trusted CAs above the issuer, within its authority.
      if (pathLengthExceededAbove(authority.certificates, index + 1, below)) {
        reasons.push(`path length exceeds a constraint above "${issuer.subject}"`);
        continue;
      }
      if (!(yield* certificateSignature(cert, keyOfTrusted(issuer)))) {
        reasons.push(
          `signature of "${cert.subject || 'leaf'}" does not verify with "${issuer.subject}"`,
        );
        continue;
      }
      return { authority, trustedIssuer: issuer, bundleIntermediates: path };
    }
    // 2. An intermediate shipped in the bundle, then onwards.
    if (path.length >= bundleCertificates.length) return undefined;
    for (const candidate of intermediates) {
      if (candidate === cert || path.includes(candidate)) continue;
      if (
        candidate.subjectNameDer !== cert.issuerNameDer ||
        !keyIdsAgree(cert, candidate.subjectKeyId)
      )
        continue;
      if (!candidate.isCA || (candidate.keyUsage && !candidate.keyUsage.includes('keyCertSign'))) {
        reasons.push(`bundle certificate "${candidate.subject}" is not a CA`);
        continue;
      }
      if (candidate.pathLenConstraint !== undefined && path.length > candidate.pathLenConstraint) {
        reasons.push(
          `path length exceeds the constraint of bundle certificate "${candidate.subject}"`,
        );
        continue;
      }
      if (!validAtAll(candidate, times)) {
        reasons.push(
          `bundle certificate "${candidate.subject}" is not valid at ${times.map(fmt).join(', ')}`,
        );
        continue;
      }
      if (!(yield* certificateSignature(cert, publicKeyOf(candidate).ref))) {
        reasons.push(
          `signature of "${cert.subject || 'leaf'}" does not verify with bundle certificate "${candidate.subject}"`,
        );
        continue;
      }
      const found = yield* search(candidate, [...path, candidate]);
      if (found) return found;
    }
    return undefined;
  }

  const found = yield* search(leaf, []);
  if (found) return found;
  const issuer = leaf.issuer;
  throw new BundleVerifyError(
    'UNTRUSTED_SIGNER',
    reasons.length
      ? `signing certificate does not chain to a trusted CA: ${reasons.join('; ')}`
      : `signing certificate issuer "${issuer}" is not in the trust root (add its CA certificate to the PEM bundle or trusted_root.json)`,
    {
      step: 'trust',
      expected: 'a chain to a trusted CA',
      actual: reasons,
      missing: `certificate authority "${issuer}"`,
    },
  );
}
