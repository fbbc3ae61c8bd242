import { type CertificateView, DerError, parseCertificate } from '@flareo/trust-root/x509';
import { BundleVerifyError } from './errors.js';
import { type SignerKey, signerKeyOfCertificate } from './keys.js';

/**
 * A certificate of the bundle (the signing certificate or an intermediate it ships), read
 * once by the shared certificate view of `@flareo/trust-root/x509` and passed to every step.
 */
export type SigningCertificate = CertificateView;

function malformed(message: string, cause?: unknown): never {
  throw new BundleVerifyError(
    'CERTIFICATE_INVALID',
    `signing certificate is malformed: ${message}`,
    { step: 'certificate' },
    cause === undefined ? undefined : { cause },
  );
}

/** Parse a DER certificate for verification. Throws CERTIFICATE_INVALID on malformed input. */
export function parseSigningCertificate(der: Uint8Array): SigningCertificate {
  try {
    return parseCertificate(der);
  } catch (cause) {
    malformed(cause instanceof DerError ? cause.message : 'not a DER X.509 certificate', cause);
  }
}

/**
 * The subject public key of a bundle certificate as the crypto seam takes it, read once per
 * certificate (when first used: intermediates the trust root makes unnecessary never pay for
 * it). CERTIFICATE_INVALID when unreadable (not a key, an EC point off its curve).
 */
export function publicKeyOf(cert: SigningCertificate): SignerKey {
  try {
    return signerKeyOfCertificate(cert);
  } catch (cause) {
    malformed('unreadable subject public key', cause);
  }
}
