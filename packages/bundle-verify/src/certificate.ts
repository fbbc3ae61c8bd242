import type { KeyObject } from 'node:crypto';
import { type CertificateView, DerError, parseCertificate } from '@flareo/trust-root/x509';
import { BundleVerifyError } from './errors.js';
import { importSpki } from './spki.js';

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

// The key is imported when first used (~75-175 µs): intermediates shipped in a bundle that
// the trust root makes unnecessary never pay for it. One import per certificate object.
const publicKeys = new WeakMap<SigningCertificate, KeyObject>();

/** The subject public key of a bundle certificate, imported once. CERTIFICATE_INVALID when unreadable. */
export function publicKeyOf(cert: SigningCertificate): KeyObject {
  let key = publicKeys.get(cert);
  if (!key) {
    try {
      key = importSpki(cert.spki);
    } catch (cause) {
      malformed('unreadable subject public key', cause);
    }
    publicKeys.set(cert, key);
  }
  return key;
}
