/** Every code a {@link CatalogError} can carry. */
export type CatalogErrorCode =
  /** A slug is not 1–63 lowercase letters, digits and inner hyphens. */
  | 'SLUG_INVALID'
  /** No module with this slug is in the catalog. */
  | 'MODULE_NOT_FOUND'
  /** A module with this slug is already stored (modules are immutable once ingested). */
  | 'MODULE_EXISTS'
  /** A file the module directory must contain is absent. */
  | 'MODULE_FILE_MISSING'
  /** `module.json` or `flareo.json` is not JSON or does not match its schema. */
  | 'MODULE_FILE_INVALID'
  /** The artifact file's digest differs from the digest `module.json` declares. */
  | 'ARTIFACT_DIGEST_MISMATCH'
  /** The signature bundle did not verify (`detail.reason` is the `@flareo/bundle-verify` code). */
  | 'SIGNATURE_REJECTED'
  /**
   * The module's image or its signatures could not be read from the registry (unreachable,
   * image not found, credentials refused); `detail.reason` is the `@flareo/image-verify` code.
   */
  | 'REGISTRY_UNAVAILABLE'
  /** The provenance attestation did not verify or is not usable SLSA provenance. */
  | 'PROVENANCE_REJECTED'
  /**
   * A signed part (contact file, SBOM, Trivy report, VEX document as an in-toto attestation)
   * did not verify, or is missing where the catalog requires it; `detail.reason` says why.
   */
  | 'ATTESTATION_REJECTED'
  /** The SBOM is not a CycloneDX JSON document of the expected shape. */
  | 'SBOM_INVALID'
  /** An OpenVEX document is invalid (strict OpenVEX 0.2.0). */
  | 'VEX_INVALID'
  /** The Trivy report is not a Trivy JSON report of the expected shape. */
  | 'SCAN_INVALID'
  /** `catalog.json` or `trusted_root.json` of the data directory is missing or invalid. */
  | 'CONFIG_INVALID'
  /** Reading or writing the data directory failed. */
  | 'STORE_IO'
  /** A command-line argument or an option is invalid. */
  | 'ARGUMENT_INVALID';

/** Structured detail of a {@link CatalogError}. */
export interface CatalogErrorDetail {
  /** The module the error is about, when known. */
  readonly slug?: string;
  /** The file (relative to the module directory) the error is about. */
  readonly file?: string;
  /** What was expected. */
  readonly expected?: unknown;
  /** What was found. */
  readonly actual?: unknown;
  /** The underlying library's error code (e.g. `IDENTITY_MISMATCH` from `@flareo/bundle-verify`). */
  readonly reason?: string;
  /** Schema or validation issues: JSON pointer and message. */
  readonly issues?: readonly { readonly path: string; readonly message: string }[];
}

/** The one error class of the catalog. */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';
  readonly code: CatalogErrorCode;
  readonly detail: CatalogErrorDetail;

  constructor(
    code: CatalogErrorCode,
    message: string,
    detail: CatalogErrorDetail = {},
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.detail = detail;
  }

  /** A JSON-safe view for logs, API errors and the CLI. */
  toJSON(): { code: CatalogErrorCode; message: string; detail: CatalogErrorDetail } {
    return { code: this.code, message: this.message, detail: this.detail };
  }
}

/** Slugs: 1–63 characters, lowercase letters and digits, hyphens only inside. */
export const SLUG_PATTERN = '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$';
const SLUG_RE = new RegExp(SLUG_PATTERN);

/** True when `value` is a valid module slug. */
export function isSlug(value: unknown): value is string {
  return typeof value === 'string' && SLUG_RE.test(value);
}

/** Throw `SLUG_INVALID` unless `value` is a valid slug. */
export function assertSlug(value: unknown): asserts value is string {
  if (!isSlug(value)) {
    throw new CatalogError('SLUG_INVALID', `invalid module slug ${JSON.stringify(value)}`, {
      expected: SLUG_PATTERN,
      actual: value,
    });
  }
}
