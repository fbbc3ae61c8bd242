import type { SigningCertificate } from '../certificate.js';
import { BundleVerifyError } from '../errors.js';
import {
  type CompiledIdentityPolicy,
  identityOf,
  matchIdentity,
  type SignerIdentity,
} from '../identity.js';
import type { Verification } from './context.js';

/** The signing certificate's identity, with the policy it will be checked against. */
export interface IdentityCheck {
  readonly identity: SignerIdentity;
  readonly policy: CompiledIdentityPolicy;
}

/**
 * Read the certificate's identity and require an identity policy (ARGUMENT_INVALID at the
 * `identity` step when none was given). Runs before the certificate path, so a missing policy
 * is reported first.
 */
export function requireIdentityPolicy(
  { policy }: Verification,
  leaf: SigningCertificate,
): IdentityCheck {
  const identity = identityOf(leaf);
  if (!policy) {
    throw new BundleVerifyError(
      'ARGUMENT_INVALID',
      'an identity policy is required for certificate signers (pass {} to accept any identity the trust root vouches for)',
      { step: 'identity' },
    );
  }
  return { identity, policy };
}

/**
 * Step 9 (`identity`): SAN and issuer (exact or regular expression) and Fulcio extension
 * values must satisfy the policy (IDENTITY_MISMATCH with expected vs actual otherwise).
 */
export function checkIdentity(leaf: SigningCertificate, { identity, policy }: IdentityCheck): void {
  matchIdentity(leaf, identity, policy);
}
