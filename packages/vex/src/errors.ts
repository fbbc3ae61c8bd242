import type { VexIssue } from './types.js';

/**
 * Stable error codes of `@flareo/vex`. Callers switch on `code`; messages may change.
 */
export type VexErrorCode =
  /** The input is not JSON, or not a JSON object where one is required. */
  | 'JSON_INVALID'
  /** A document failed validation; `detail.issues` lists every error with its JSON pointer. */
  | 'DOCUMENT_INVALID'
  /** A scanner report is not the shape of the format it was given as. */
  | 'REPORT_INVALID'
  /** A function argument is not what the API accepts (wrong type, unknown option value). */
  | 'ARGUMENT_INVALID'
  /** The builder was asked to emit a document that would not validate in strict mode. */
  | 'BUILD_INVALID'
  /**
   * The input nests arrays and objects deeper than this package reads (64 levels for a VEX
   * document, 128 for a report or a value given to `canonicalJson`), or contains itself.
   * `detail.path` points at the first value beyond the limit.
   */
  | 'INPUT_TOO_DEEP'
  /**
   * `mergeVex` has nothing to merge: no documents, every document dropped by the
   * trusted-author filter (the message says how many, `detail.expected` lists the trusted
   * authors and `detail.actual` the authors found), or no statements in what was kept.
   */
  | 'NOTHING_TO_MERGE'
  /**
   * `mergeVex` with `onConflict: 'reject'`: two documents are the same `@id`, `version` and
   * time with different content; `detail.actual` lists every such conflict.
   */
  | 'MERGE_CONFLICT';

/** Structured detail every {@link VexError} may carry. */
export interface VexErrorDetail {
  /** JSON pointer (RFC 6901) into the input where the problem is, e.g. `/statements/3/status`. */
  readonly path?: string | undefined;
  /** What was expected. */
  readonly expected?: unknown;
  /** What was found. */
  readonly actual?: unknown;
  /** Every validation error, when the error sums up a validation run. */
  readonly issues?: readonly VexIssue[] | undefined;
}

/**
 * The one error class of `@flareo/vex`. Every function that rejects its input throws this
 * error with a stable {@link VexError.code}; bad input never surfaces as a raw `TypeError`.
 */
export class VexError extends Error {
  override readonly name = 'VexError';
  readonly code: VexErrorCode;
  readonly detail: VexErrorDetail;

  constructor(
    code: VexErrorCode,
    message: string,
    detail: VexErrorDetail = {},
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.detail = detail;
  }
}
