import { concatBytes, toHex, utf8Encode } from '@flareo/internal/bytes';
import { type SyncCryptoBackend, schemeFits, type VerifyRequest } from './crypto/seam.js';
import { sha256 } from './keys.js';

/**
 * The key under which a signature check is recorded as passed: sha256 over the scheme and the
 * sha256 of the key's SPKI, of the signed data and of the signature. The build computes the
 * same key for every signature of the embedded public-good root that `node:crypto` verified
 * (`scripts/generate-public-good.mjs`, with its own DER reading and `X509Certificate.verify`),
 * so the two must stay byte-for-byte the same (a test compares them).
 */
export function signatureCheckKey(request: VerifyRequest): string {
  const { scheme } = request;
  const hash = 'hash' in scheme ? scheme.hash : '';
  return toHex(
    sha256(
      concatBytes(
        utf8Encode(`${scheme.kind}:${hash}:`),
        sha256(request.key.spki),
        sha256(request.data),
        sha256(request.signature),
      ),
    ),
  );
}

/** A backend that answers from checks done at build time; counts what it had to verify itself. */
export interface PrecheckedBackend extends SyncCryptoBackend {
  /** Requests that were not among the recorded checks and went to the fallback backend. */
  readonly fallbacks: number;
}

/**
 * A synchronous crypto backend for trust material this package built and checked itself (the
 * embedded public-good root): a request whose check the build recorded as passed is answered
 * `true` without a signature verification (if the key fits the scheme, as every backend
 * requires); anything else — a check not recorded, or recorded for other bytes — goes to
 * `fallback`, the platform's real backend. So the answers are the real backend's answers: a
 * stale or missing record costs time, never a wrong result. Hand-written because it is a
 * cache of our own build artefact, not cryptography.
 */
export function precheckedBackend(
  passed: ReadonlySet<string>,
  fallback: SyncCryptoBackend,
): PrecheckedBackend {
  let fallbacks = 0;
  return {
    name: `prechecked(${fallback.name})`,
    get fallbacks() {
      return fallbacks;
    },
    verify(request: VerifyRequest): boolean {
      if (passed.has(signatureCheckKey(request))) return schemeFits(request.key, request.scheme);
      fallbacks++;
      return fallback.verify(request);
    },
  };
}
