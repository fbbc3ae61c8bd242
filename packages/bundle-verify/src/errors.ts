/**
 * Stable error codes of `@flareo/bundle-verify`, one per failed step. Every one of them means
 * "do not trust this artifact"; a controller maps all of them to SIGNATURE_VERIFICATION_FAILED.
 */
export type BundleVerifyErrorCode =
  /** The input is not a well-formed bundle, legacy cosign bundle or signature. */
  | 'BUNDLE_MALFORMED'
  /** A well-formed input of a format or media type this version does not verify. */
  | 'UNSUPPORTED_FORMAT'
  /** An input exceeds a size or count limit (hostile input guard). */
  | 'LIMIT_EXCEEDED'
  /**
   * The options, the identity policy, the artifact or another argument is invalid: of the
   * wrong type or shape (for example `null` as the policy or a number as the trust root).
   */
  | 'ARGUMENT_INVALID'
  /** No trusted key or certificate authority vouches for the signer. */
  | 'UNTRUSTED_SIGNER'
  /** The signing certificate is not valid at a trusted time (expired or not yet valid). */
  | 'CERTIFICATE_EXPIRED'
  /** The signing certificate may not sign code (CA flag, key usage, EKU) or is malformed. */
  | 'CERTIFICATE_INVALID'
  /** The signer's identity (SAN, issuer, extensions) does not match the policy. */
  | 'IDENTITY_MISMATCH'
  /** The signature does not verify over the artifact, its digest, or the DSSE envelope. */
  | 'SIGNATURE_MISMATCH'
  /** The bundle's digest or in-toto subject is not the artifact's. */
  | 'DIGEST_MISMATCH'
  /** No trusted time is available for a certificate (no verified SET or timestamp, current time not allowed). */
  | 'TIME_SOURCE_MISSING'
  /** An RFC 3161 timestamp does not verify. */
  | 'TIMESTAMP_INVALID'
  /** An embedded SCT does not verify, or too few SCTs verify. */
  | 'SCT_INVALID'
  /** The policy requires a SignedEntryTimestamp and there is none. */
  | 'SET_MISSING'
  /** A SignedEntryTimestamp does not verify (or its log or time is not trusted). */
  | 'SET_INVALID'
  /** An inclusion proof is missing where required, or does not verify. */
  | 'INCLUSION_PROOF_INVALID'
  /** A checkpoint is missing, malformed, unsigned or from another log. */
  | 'CHECKPOINT_INVALID'
  /** A log entry's body names another artifact, signature or signer. */
  | 'LOG_BODY_MISMATCH'
  /** Transparency-log evidence is absent or insufficient for the policy. */
  | 'TLOG_MISSING'
  /** A log entry comes from a log the trust root does not hold. */
  | 'TLOG_UNTRUSTED';

/** The pipeline step a failure belongs to. */
export type VerificationStep =
  | 'parse'
  | 'trust'
  | 'time'
  | 'certificate'
  | 'identity'
  | 'signature'
  | 'tlog'
  | 'timestamp'
  | 'sct';

/** Structured detail of a {@link BundleVerifyError}. */
export interface BundleVerifyErrorDetail {
  readonly step: VerificationStep;
  /** Field or check concerned. */
  readonly field?: string | undefined;
  readonly expected?: unknown;
  readonly actual?: unknown;
  /** Which trust input would have been needed, when trust is missing. */
  readonly missing?: string | undefined;
  /** The `@flareo/rekor-set` code behind a transparency-log failure. */
  readonly rekorCode?: string | undefined;
}

/** The one error class of `@flareo/bundle-verify`. */
export class BundleVerifyError extends Error {
  override readonly name = 'BundleVerifyError';
  readonly code: BundleVerifyErrorCode;
  readonly detail: BundleVerifyErrorDetail;

  constructor(
    code: BundleVerifyErrorCode,
    message: string,
    detail: BundleVerifyErrorDetail,
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.detail = detail;
  }
}
