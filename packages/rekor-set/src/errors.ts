/** Stable error codes of `@flareo/rekor-set`. Callers switch on `code`; messages may change. */
export type RekorErrorCode =
  /** A log entry (bundle `tlogEntries[]` item or legacy `rekorBundle`) is not well-formed. */
  | 'ENTRY_MALFORMED'
  /** No transparency log of the trust root has the entry's log id. */
  | 'LOG_UNKNOWN'
  /** The log's key was not valid at the entry's integrated time. */
  | 'LOG_KEY_OUTSIDE_VALIDITY'
  /** The policy needs a SignedEntryTimestamp and the entry has none. */
  | 'SET_MISSING'
  /** The SignedEntryTimestamp does not verify with the log key. */
  | 'SET_INVALID'
  /** The integrated time lies in the future (beyond the allowed clock skew). */
  | 'INTEGRATED_TIME_IN_FUTURE'
  /** The canonicalized body is not a Rekor entry we can read. */
  | 'BODY_MALFORMED'
  /** The entry's kind/version is not one we bind (or is deprecated and not allowed). */
  | 'BODY_UNSUPPORTED_KIND'
  /** `kindVersion` disagrees with the body, or the body's kind does not fit the signed content. */
  | 'BODY_KIND_MISMATCH'
  /** The body names another artifact digest or DSSE payload. */
  | 'BODY_DIGEST_MISMATCH'
  /** The body names another signature. */
  | 'BODY_SIGNATURE_MISMATCH'
  /** The body names another certificate or public key. */
  | 'BODY_VERIFIER_MISMATCH'
  /** The policy needs an inclusion proof and the entry has none. */
  | 'PROOF_MISSING'
  /** The Merkle inclusion proof does not lead from the entry to the checkpoint's root. */
  | 'PROOF_INVALID'
  /** An inclusion proof comes without a checkpoint, so its root is not signed. */
  | 'CHECKPOINT_MISSING'
  /** The checkpoint is not a well-formed C2SP signed note / checkpoint. */
  | 'CHECKPOINT_MALFORMED'
  /** A checkpoint signature by the log's key does not verify. */
  | 'CHECKPOINT_INVALID'
  /** No signature line of the checkpoint belongs to the log's key (name and key ID). */
  | 'CHECKPOINT_UNSIGNED'
  /** The checkpoint's origin is not the log's. */
  | 'CHECKPOINT_ORIGIN_MISMATCH'
  /** The proof's tree size or root hash disagrees with the signed checkpoint. */
  | 'CHECKPOINT_MISMATCH'
  /** Fewer distinct verified entries than the threshold, or none of the evidence the policy needs. */
  | 'EVIDENCE_INSUFFICIENT'
  /**
   * An option given to a verify function is invalid, or an argument the caller builds (an
   * entry binding, a trust root, a log, hashes, sizes) is not of the type or shape the API
   * accepts.
   */
  | 'ARGUMENT_INVALID';

/** Structured detail of a {@link RekorError}. */
export interface RekorErrorDetail {
  /** Position of the entry in the list given, when verifying several. */
  readonly entry?: number | undefined;
  /** The entry's log id (hex). */
  readonly logId?: string | undefined;
  /** The entry's log index (decimal). */
  readonly logIndex?: string | undefined;
  /** Field or check concerned, e.g. `spec.signature.content`. */
  readonly field?: string | undefined;
  readonly expected?: unknown;
  readonly actual?: unknown;
}

/** The one error class of `@flareo/rekor-set`: every failed check throws it. */
export class RekorError extends Error {
  override readonly name = 'RekorError';
  readonly code: RekorErrorCode;
  readonly detail: RekorErrorDetail;

  constructor(
    code: RekorErrorCode,
    message: string,
    detail: RekorErrorDetail = {},
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.detail = detail;
  }
}
