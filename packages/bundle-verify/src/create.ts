import type { TrustRoot } from '@flareo/trust-root';
import { verifyEmbeddedScts } from './sct.js';
import { verifyRfc3161Timestamp } from './timestamp.js';
import { type BundleVerifier, createVerifierWith, type VerifierOptions } from './verifier.js';

/**
 * Compile a trust root and options into a reusable, offline verifier. Build it once at
 * start-up and call it for every bundle; it holds no per-call state.
 */
export function createVerifier(
  trustRoot: TrustRoot,
  options: VerifierOptions = {},
): BundleVerifier {
  return createVerifierWith(trustRoot, options, {
    verifyTimestamp: verifyRfc3161Timestamp,
    verifyScts: verifyEmbeddedScts,
  });
}
