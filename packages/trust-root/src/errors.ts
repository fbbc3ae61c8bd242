/**
 * Stable error codes of `@flareo/trust-root`. Callers switch on `code`; messages may change.
 */
export type TrustRootErrorCode =
  /** The input holds no PEM block at all. */
  | 'PEM_EMPTY'
  /** A PEM block is malformed: unterminated, mismatched END label, stray text or headers inside. */
  | 'PEM_MALFORMED'
  /** A PEM block's body is not canonical base64. */
  | 'PEM_BASE64_INVALID'
  /** A well-formed PEM block of a type a trust bundle must not hold (private keys, CRLs, ...). */
  | 'PEM_UNSUPPORTED_BLOCK'
  /** Bytes that should be a public key do not parse as one. */
  | 'KEY_INVALID'
  /** A parsable key of a type or size the Flareo verifiers do not accept. */
  | 'KEY_UNSUPPORTED'
  /** A declared key type (trusted_root `keyDetails`) does not describe the key bytes. */
  | 'KEY_DETAILS_MISMATCH'
  /** Bytes that should be an X.509 certificate do not parse as one. */
  | 'CERTIFICATE_INVALID'
  /** A trusted certificate that must issue others is not a CA (basicConstraints / keyUsage). */
  | 'CERTIFICATE_NOT_CA'
  /** A certificate chain in the trust material does not link: wrong issuer or bad signature. */
  | 'CERTIFICATE_CHAIN_INVALID'
  /** The text is not JSON. */
  | 'JSON_INVALID'
  /** trusted_root.json does not match the schema. */
  | 'TRUSTED_ROOT_INVALID'
  /** trusted_root.json has a media type this version does not understand. */
  | 'TRUSTED_ROOT_MEDIA_TYPE'
  /** A validity window is missing its start, has an unparsable date, or ends before it starts. */
  | 'VALIDITY_INVALID'
  /** A log id in trusted_root.json is neither sha256(SPKI) nor the log's signed-note key hash. */
  | 'LOG_ID_MISMATCH'
  /**
   * An argument given to a function, constructor or method is not of the type or shape the
   * API accepts (for example `undefined` where a string is needed, or an options object that
   * is an array). Programming errors, reported before any parsing starts.
   */
  | 'ARGUMENT_INVALID'
  /**
   * The runtime cannot answer a signature check through the API called: the synchronous
   * functions outside Node verify RSA signatures only through the `…Async` entry points
   * (WebCrypto is asynchronous). Nothing was decided; call the asynchronous entry point.
   */
  | 'CRYPTO_UNAVAILABLE'
  // The codes below come from `@flareo/trust-root/tuf` (fetching trusted_root.json through TUF).
  /** TUF: a mirror's metadata is older than what the client already trusts (rollback attack). */
  | 'TUF_ROLLBACK'
  /** TUF: the newest metadata of a role has expired (freeze attack, or a stale mirror). */
  | 'TUF_EXPIRED'
  /** TUF: metadata does not match the version, length or hash its parent role recorded (mix-and-match). */
  | 'TUF_METADATA_MISMATCH'
  /** TUF: metadata is not signed by a threshold of the keys trusted for its role (incl. an untrusted root rotation). */
  | 'TUF_UNSIGNED'
  /** TUF: metadata is not well-formed TUF JSON of the expected role. */
  | 'TUF_METADATA_INVALID'
  /** TUF: a file is longer than the client allows for it (endless-data attack). */
  | 'TUF_TOO_LARGE'
  /** TUF: the downloaded target does not have the length and hashes its targets metadata lists. */
  | 'TUF_TARGET_MISMATCH'
  /** TUF: the repository's targets do not list the requested target (`trusted_root.json`). */
  | 'TUF_TARGET_MISSING'
  /** TUF: the mirror could not be reached, answered with an HTTP error, or too slowly. */
  | 'TUF_FETCH_FAILED'
  /** TUF: a mirror other than Sigstore's has no cache yet and no initial `root.json` was given. */
  | 'TUF_ROOT_MISSING'
  /** TUF: the on-disk cache cannot be read, or does not hold what its state file says. */
  | 'TUF_CACHE_INVALID'
  /** TUF: another update of the same cache is in progress. */
  | 'TUF_CACHE_LOCKED'
  /** TUF: the cache directory cannot be written. */
  | 'TUF_CACHE_WRITE_FAILED';

/** Structured detail every {@link TrustRootError} may carry. */
export interface TrustRootErrorDetail {
  /** 1-based line number in a PEM input. */
  readonly line?: number | undefined;
  /** JSON pointer-like path in a trusted_root.json input, e.g. `/tlogs/0/publicKey`. */
  readonly path?: string | undefined;
  /** Name of the input (file name or label) the caller gave. */
  readonly source?: string | undefined;
  /** What was expected. */
  readonly expected?: unknown;
  /** What was found. */
  readonly actual?: unknown;
  /** TUF: the role or target a failure is about (`root`, `timestamp`, `snapshot`, `targets`, or the target's name). */
  readonly role?: string | undefined;
  /** TUF: the URL being fetched when it failed. */
  readonly url?: string | undefined;
}

/**
 * The one error class of `@flareo/trust-root`. Parsing never returns a partial model: any
 * problem throws this error with a stable {@link TrustRootError.code}.
 */
export class TrustRootError extends Error {
  override readonly name = 'TrustRootError';
  readonly code: TrustRootErrorCode;
  readonly detail: TrustRootErrorDetail;

  constructor(
    code: TrustRootErrorCode,
    message: string,
    detail: TrustRootErrorDetail = {},
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.detail = detail;
  }
}

/** Prefix a message with where it happened. */
export function where(detail: TrustRootErrorDetail): string {
  const parts: string[] = [];
  if (detail.source) parts.push(detail.source);
  if (detail.line !== undefined) parts.push(`line ${detail.line}`);
  if (detail.path) parts.push(detail.path);
  return parts.length ? `${parts.join(', ')}: ` : '';
}
