/** Stable error codes of `@flareo/trust-score`. Callers switch on `code`; messages may change. */
export type TrustScoreErrorCode =
  /** A signal given to {@link computeTrustScore} is missing, of the wrong type or out of range. */
  | 'SIGNAL_INVALID'
  /** An argument or option given by the caller is of the wrong type or out of range. */
  | 'ARGUMENT_INVALID'
  /** The SBOM is not JSON, or not a CycloneDX JSON document. */
  | 'SBOM_INVALID'
  /**
   * The provenance is not the `verifiedStatement` of a `@flareo/bundle-verify` verification
   * result (a DSSE envelope, a statement parsed by the caller, JSON text or bytes).
   */
  | 'PROVENANCE_UNVERIFIED'
  /** The provenance is not a well-formed in-toto Statement with a SLSA provenance predicate. */
  | 'PROVENANCE_INVALID'
  /** The statement is well-formed but its type or predicate type is not SLSA provenance v0.2 or v1. */
  | 'PROVENANCE_UNSUPPORTED'
  /** No subject of the statement carries the artifact digest the caller expects. */
  | 'PROVENANCE_SUBJECT_MISMATCH';

/** Structured detail of a {@link TrustScoreError}. */
export interface TrustScoreErrorDetail {
  /** The field concerned, as a dotted path, e.g. `vulnerabilities.high`. */
  readonly field?: string | undefined;
  /** What was expected, in words or as a value. */
  readonly expected?: unknown;
  /** What was found. */
  readonly actual?: unknown;
}

/** The one error class of `@flareo/trust-score`: every rejected input throws it. */
export class TrustScoreError extends Error {
  override readonly name = 'TrustScoreError';
  readonly code: TrustScoreErrorCode;
  readonly detail: TrustScoreErrorDetail;

  constructor(
    code: TrustScoreErrorCode,
    message: string,
    detail: TrustScoreErrorDetail = {},
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.detail = detail;
  }
}

/** Short, bounded rendering of an unexpected value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
