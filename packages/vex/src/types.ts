/** The four OpenVEX 0.2.0 statuses. */
export type VexStatus = 'not_affected' | 'affected' | 'fixed' | 'under_investigation';

/** The five OpenVEX 0.2.0 justification labels for `not_affected`. */
export type VexJustification =
  | 'component_not_present'
  | 'vulnerable_code_not_present'
  | 'vulnerable_code_not_in_execute_path'
  | 'vulnerable_code_cannot_be_controlled_by_adversary'
  | 'inline_mitigations_already_exist';

/** Hash algorithm names allowed as keys of a component's `hashes` map. */
export type VexHashAlgorithm =
  | 'md5'
  | 'sha1'
  | 'sha-256'
  | 'sha-384'
  | 'sha-512'
  | 'sha3-224'
  | 'sha3-256'
  | 'sha3-384'
  | 'sha3-512'
  | 'blake2s-256'
  | 'blake2b-256'
  | 'blake2b-512';

/** Software identifiers of a component. At least one key is required by the schema. */
export interface VexIdentifiers {
  purl?: string;
  cpe22?: string;
  cpe23?: string;
}

/** An OpenVEX component (a subcomponent, or the base of a product). */
export interface VexComponent {
  '@id'?: string;
  identifiers?: VexIdentifiers;
  hashes?: Partial<Record<VexHashAlgorithm, string>>;
}

/** An OpenVEX product: a component plus its subcomponents (which cannot nest). */
export interface VexProduct extends VexComponent {
  subcomponents?: VexComponent[];
}

/** The vulnerability a statement is about. */
export interface VexVulnerability {
  '@id'?: string;
  name: string;
  description?: string;
  aliases?: string[];
}

/** One OpenVEX statement. */
export interface VexStatement {
  '@id'?: string;
  version?: number;
  vulnerability: VexVulnerability;
  timestamp?: string;
  last_updated?: string;
  products?: VexProduct[];
  status: VexStatus;
  supplier?: string;
  status_notes?: string;
  justification?: VexJustification;
  impact_statement?: string;
  action_statement?: string;
  action_statement_timestamp?: string;
}

/**
 * An OpenVEX 0.2.0 document. `@id`, `author`, `timestamp` and `version` are required by the
 * specification; they can only be absent from a document accepted in `lenient` mode, and each
 * absence is reported as a warning.
 */
export interface VexDocument {
  '@context': string;
  '@id'?: string;
  author?: string;
  role?: string;
  timestamp?: string;
  last_updated?: string;
  version?: number;
  tooling?: string;
  statements: VexStatement[];
}

/** Codes of validation findings. Whether a code is an error or a warning depends on the mode. */
export type VexIssueCode =
  /** The JSON does not match the OpenVEX 0.2.0 schema at this path (see `keyword`). */
  | 'SCHEMA_VIOLATION'
  /** `@context` is missing. */
  | 'CONTEXT_MISSING'
  /** `@context` is not an OpenVEX context this package understands. */
  | 'CONTEXT_UNKNOWN'
  /** `@context` has no version (`https://openvex.dev/ns`); read as 0.2.0 when the shape fits. */
  | 'CONTEXT_UNVERSIONED'
  /** `@context` is `…/ns/v0.2.0/` with a trailing slash. */
  | 'CONTEXT_TRAILING_SLASH'
  /** The document uses the legacy v0.0.1 shape and was transcoded to 0.2.0. */
  | 'LEGACY_V001'
  /** The document has no `@id`. */
  | 'DOCUMENT_ID_MISSING'
  /** The document `@id` is not an IRI (no scheme). */
  | 'DOCUMENT_ID_NOT_IRI'
  /** The document has no `author`. */
  | 'AUTHOR_MISSING'
  /** The document has no `timestamp`; its statements have no inherited time. */
  | 'TIMESTAMP_MISSING'
  /** The document has no `version`. */
  | 'VERSION_MISSING'
  /** A `version` is a numeric string instead of an integer; it was converted. */
  | 'VERSION_NOT_INTEGER'
  /** A key that OpenVEX 0.2.0 does not define; removed from the parsed model. */
  | 'EXTRA_KEY'
  /** A vulnerability has an `@id` but no `name`; the `@id` is used as the name. */
  | 'VULNERABILITY_NAME_MISSING'
  /** `not_affected` without `justification` and without `impact_statement`. */
  | 'NOT_AFFECTED_WITHOUT_JUSTIFICATION'
  /** `affected` without `action_statement`. */
  | 'AFFECTED_WITHOUT_ACTION'
  /** A `justification` that is not one of the five labels. */
  | 'JUSTIFICATION_UNKNOWN'
  /** A field that the statement's status does not allow (go-vex's stricter rules). */
  | 'FIELD_NOT_ALLOWED_FOR_STATUS'
  /** A product or subcomponent identified only by `hashes` (the schema needs `@id` or identifiers). */
  | 'COMPONENT_HASHES_ONLY'
  /** The same statement appears twice (the schema's `uniqueItems`). */
  | 'DUPLICATE_STATEMENT'
  /** The same product appears twice in one statement (the schema's `uniqueItems`). */
  | 'DUPLICATE_PRODUCT'
  /** A statement lists no products, so it can never match a finding on its own. */
  | 'STATEMENT_WITHOUT_PRODUCTS'
  /** A `pkg:` identifier that does not parse as a purl; it can never match. */
  | 'PURL_INVALID'
  /** An OCI purl whose version repeats the algorithm (`sha256:sha256:…`). */
  | 'DIGEST_DOUBLED'
  /**
   * The document nests arrays and objects more than 64 levels deep (`MAX_VEX_DEPTH`), or
   * contains itself; nothing else is checked. Always an error.
   */
  | 'INPUT_TOO_DEEP';

/** One validation finding, with the JSON pointer (RFC 6901) of where it is. */
export interface VexIssue {
  readonly code: VexIssueCode;
  /** JSON pointer into the input document, `''` for the document itself. */
  readonly path: string;
  readonly message: string;
  /** For `SCHEMA_VIOLATION`: the JSON Schema keyword that failed. */
  readonly keyword?: string;
  readonly expected?: unknown;
  readonly actual?: unknown;
}
