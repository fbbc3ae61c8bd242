/** Why an image could not be proven signed (or a signature did not verify). */
export type ImageVerifyErrorCode =
  /** No signature (cosign signature manifest or Sigstore bundle referrer) was found for the image. */
  | 'NO_SIGNATURES'
  /** Signatures were found but none verified; `detail.signatures` says why for each. */
  | 'NO_VERIFIED_SIGNATURE'
  /** A verified simple-signing payload names another image digest. */
  | 'PAYLOAD_DIGEST_MISMATCH'
  /** A verified payload's `critical.type` is not a cosign container image signature. */
  | 'PAYLOAD_TYPE_INVALID'
  /** A payload is not the simple-signing JSON shape. */
  | 'PAYLOAD_INVALID'
  /** A signature layer lacks its signature annotation or carries a malformed one. */
  | 'SIGNATURE_MALFORMED'
  /** A verified payload's `optional` claims do not include a required annotation. */
  | 'ANNOTATION_MISMATCH'
  /** A DSSE bundle referrer is an attestation of a predicate type not accepted as a signature. */
  | 'PREDICATE_TYPE_MISMATCH'
  /** A referrer manifest's `subject` is not the image. */
  | 'SUBJECT_MISMATCH'
  /** The OCI image layout is missing a file or is not well formed. */
  | 'LAYOUT_INVALID'
  /** A blob or manifest is not the bytes its descriptor names (digest or size). */
  | 'BLOB_DIGEST_MISMATCH'
  /** A manifest or index is not well-formed JSON of a supported media type. */
  | 'MANIFEST_INVALID'
  /** The image (tag, digest or layout entry) does not exist. */
  | 'IMAGE_NOT_FOUND'
  /** The registry answered with an unexpected status, or could not be reached. */
  | 'REGISTRY_ERROR'
  /** The registry refused the credentials, or its auth challenge could not be answered. */
  | 'AUTH_FAILED'
  /** The image reference is not a valid `registry/repository[:tag][@digest]`. */
  | 'REFERENCE_INVALID'
  /** A size or count limit was exceeded. */
  | 'LIMIT_EXCEEDED'
  /** Bad options or policy given by the caller. */
  | 'ARGUMENT_INVALID';

/** Structured detail of an {@link ImageVerifyError}. */
export interface ImageVerifyErrorDetail {
  /** What was expected (a digest, a type, a value). */
  readonly expected?: unknown;
  /** What was found. */
  readonly actual?: unknown;
  /** The image digest concerned. */
  readonly image?: string;
  /** The manifest, blob or file concerned. */
  readonly location?: string;
  /** HTTP status, for registry errors. */
  readonly status?: number;
  /** Per-signature outcomes (NO_VERIFIED_SIGNATURE). */
  readonly signatures?: readonly unknown[];
  /** The full verification result (NO_SIGNATURES, NO_VERIFIED_SIGNATURE). */
  readonly result?: unknown;
  readonly [key: string]: unknown;
}

/** The one error class of `@flareo/image-verify`. */
export class ImageVerifyError extends Error {
  override readonly name = 'ImageVerifyError';
  readonly code: ImageVerifyErrorCode;
  readonly detail: ImageVerifyErrorDetail;

  constructor(
    code: ImageVerifyErrorCode,
    message: string,
    detail: ImageVerifyErrorDetail = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.detail = detail;
  }
}
