/** Stable error codes of `@flareo/policy`. Callers switch on `code`; messages may change. */
export type PolicyErrorCode =
  /** The config document (OPA `data.flareo.config`) does not match the config schema. */
  | 'CONFIG_INVALID'
  /** An input document failed `assertInput` (schema validation). */
  | 'INPUT_INVALID'
  /** A result document failed `assertResult` (schema validation). */
  | 'RESULT_INVALID'
  /** A decision-log record failed `assertDecisionLog`. */
  | 'DECISION_LOG_INVALID'
  /** An argument or option given by the caller is missing or of the wrong type. */
  | 'ARGUMENT_INVALID';

/** One schema violation: where, and what was expected there. */
export interface PolicyFieldError {
  /** JSON Pointer to the offending value (`""` for the document itself). */
  readonly path: string;
  /** What the schema expects there, e.g. `must be integer`. */
  readonly message: string;
}

/** Structured detail of a {@link PolicyError}. */
export interface PolicyErrorDetail {
  /** Every schema violation found. */
  readonly fields?: readonly PolicyFieldError[] | undefined;
  /** What was expected, in words or as a value. */
  readonly expected?: unknown;
  /** What was found. */
  readonly actual?: unknown;
}

/** The one error class of `@flareo/policy`. Evaluation itself never throws it: bad input becomes `error` rule results. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  readonly code: PolicyErrorCode;
  readonly detail: PolicyErrorDetail;

  constructor(
    code: PolicyErrorCode,
    message: string,
    detail: PolicyErrorDetail = {},
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.detail = detail;
  }
}
