/**
 * Stable error codes of the reference controller. Configuration codes stop the controller
 * from starting; module codes become HTTP responses (see `docs/controller.md`).
 */
export type ControllerErrorCode =
  /** The configuration file cannot be read. */
  | 'CONFIG_UNREADABLE'
  /** The configuration file is larger than 1 MiB (or endless, like a device or a pipe). */
  | 'CONFIG_TOO_LARGE'
  /**
   * The configuration file is not valid YAML, or its aliases expand too much
   * (`detail.line`, `detail.column`).
   */
  | 'CONFIG_YAML_INVALID'
  /** The configuration does not match the schema (`detail.problems`, each with its JSON path). */
  | 'CONFIG_SCHEMA_INVALID'
  /** The config validator refused the configuration (`detail.findings`). */
  | 'CONFIG_REJECTED'
  /** A trust root or Rekor key file cannot be read or parsed (`detail.path`, `detail.line`). */
  | 'TRUST_MATERIAL_INVALID'
  /** `controller.auditLog` is a directory, or cannot be created or written (`detail.path`). */
  | 'AUDIT_LOG_UNWRITABLE'
  /** `controller.modulesDir` is not a directory, or cannot be created (`detail.path`). */
  | 'MODULES_DIR_UNUSABLE'
  /**
   * Another live controller holds the modules directory's lock (`detail.actual`: its pid,
   * process start time, host and since when).
   */
  | 'STORE_LOCKED'
  /** The listen address cannot be opened (in use, not permitted). */
  | 'LISTEN_FAILED'
  /**
   * The bearer tokens file (`controller.auth.tokens`) cannot be read, is not valid YAML,
   * does not match its schema, or names a token or hash twice (`detail.path`, `detail.problems`).
   */
  | 'AUTH_TOKENS_INVALID'
  /**
   * `controller.listen.tls` files cannot be read, or the certificate, key and client CA do not
   * make a TLS context (a key that is not the certificate's, say) (`detail.path`).
   */
  | 'TLS_MATERIAL_INVALID'
  /** An API request without credentials where they are required (HTTP 401, `WWW-Authenticate: Bearer`). */
  | 'AUTH_REQUIRED'
  /** A bearer token that matches no token of the tokens file, or a malformed Authorization header (HTTP 401). */
  | 'TOKEN_INVALID'
  /** A valid token without the scope the request needs (`detail.expected`: the scope) (HTTP 403). */
  | 'SCOPE_MISSING'
  /** A module name is empty, too long, or could escape the modules directory. */
  | 'MODULE_NAME_INVALID'
  /** A module of that name is already installed. */
  | 'MODULE_EXISTS'
  /** No module of that name is installed. */
  | 'MODULE_NOT_FOUND'
  /** The module could not be written to disk; nothing was installed. */
  | 'INSTALL_FAILED'
  /** The module's signature did not verify or is missing where required (`detail.reason`). */
  | 'SIGNATURE_VERIFICATION_FAILED'
  /** A malformed install request: not multipart, a missing, unknown or repeated part. */
  | 'REQUEST_INVALID'
  /** A `.sig` sent to a COSIGN_BUNDLE controller or a `.cosign.bundle` to a KEYED one. */
  | 'SIGNATURE_KIND_MISMATCH'
  /** The module or its signature exceeds the configured size limit, or the body is too large. */
  | 'PAYLOAD_TOO_LARGE'
  /** No route has this path (HTTP 404). */
  | 'ROUTE_NOT_FOUND'
  /** The path exists, not with this method (HTTP 405, with an `Allow` header). */
  | 'METHOD_NOT_ALLOWED'
  /** A request body of a content type the API does not take (HTTP 415). */
  | 'UNSUPPORTED_MEDIA_TYPE'
  /** The request's headers are larger than the HTTP parser accepts (HTTP 431). */
  | 'HEADERS_TOO_LARGE'
  /** The client did not send its request in time (HTTP 408). */
  | 'REQUEST_TIMEOUT'
  /** Anything unexpected: logged with its stack, never sent (HTTP 500). */
  | 'INTERNAL_ERROR';

/** Structured detail of a {@link ControllerError}. */
export interface ControllerErrorDetail {
  /** File concerned (configuration, trust root, Rekor key). */
  readonly path?: string;
  /** 1-based line and column of a YAML or PEM problem. */
  readonly line?: number;
  readonly column?: number;
  readonly expected?: unknown;
  readonly actual?: unknown;
  /** Schema problems, each with the JSON path of the offending value. */
  readonly problems?: readonly ConfigProblem[];
  /** Validator findings that refused the configuration. */
  readonly findings?: readonly unknown[];
  /** Why a module was rejected (JSON-safe). */
  readonly reason?: RejectionReason;
}

/** One schema problem in the configuration file. */
export interface ConfigProblem {
  /** JSON path of the offending value, e.g. `/modules/signing/mode`. `/` is the document. */
  readonly path: string;
  readonly message: string;
}

/** The JSON-safe reason of a `SIGNATURE_VERIFICATION_FAILED` rejection. */
export interface RejectionReason {
  /** A `@flareo/bundle-verify` code, or the controller's `SIGNATURE_REQUIRED` / `SIGNATURE_UNVERIFIABLE`. */
  readonly code: string;
  /** The pipeline step that failed (`policy` for the controller's own checks). */
  readonly step: string;
  readonly message: string;
  readonly expected?: unknown;
  readonly actual?: unknown;
  readonly field?: string;
  readonly missing?: string;
  readonly rekorCode?: string;
}

/** The one error class of the controller. */
export class ControllerError extends Error {
  override readonly name = 'ControllerError';
  readonly code: ControllerErrorCode;
  readonly detail: ControllerErrorDetail;

  constructor(
    code: ControllerErrorCode,
    message: string,
    detail: ControllerErrorDetail = {},
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.detail = detail;
  }
}

/** Make a value JSON-safe: bytes become hex, bigints strings, dates ISO strings. */
export function jsonSafe(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (value === null || value === undefined) return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map((v) => jsonSafe(v, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'function') continue;
      out[k] = jsonSafe(v, depth + 1);
    }
    return out;
  }
  if (typeof value === 'function' || typeof value === 'symbol') return String(value);
  return value;
}
