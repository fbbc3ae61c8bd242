import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { CatalogError, type CatalogErrorCode, SLUG_PATTERN } from './errors.js';

// JSON Schemas (draft-07, ajv) for the files of a module directory that no Flareo library
// validates on its own: the module manifest, the contact file, and the outer shape of the
// CycloneDX SBOM and the Trivy report. OpenVEX is validated by @flareo/vex, provenance by
// @flareo/bundle-verify and @flareo/trust-score. Formats are written as patterns because
// ajv-formats is not a dependency of this package.

/** RFC 3339 date-time with a zone; the calendar is checked in code (`parseRfc3339`). */
export const DATE_TIME_PATTERN =
  '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$';
const EMAIL_PATTERN = '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$';
const HTTPS_PATTERN = '^https://[^\\s]+$';

/** `module.json`: what the module is and which artifact was signed. */
export const moduleManifestSchema = {
  $id: 'urn:flareo:catalog:module-manifest:v1',
  type: 'object',
  required: ['slug', 'name', 'version', 'image', 'digest', 'builtAt'],
  additionalProperties: false,
  properties: {
    slug: { type: 'string', pattern: SLUG_PATTERN },
    name: { type: 'string', minLength: 1, maxLength: 100 },
    version: { type: 'string', pattern: '^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$' },
    description: { type: 'string', maxLength: 500 },
    image: {
      type: 'string',
      description: 'OCI repository without tag or digest, e.g. registry.example/flareo/app',
      pattern: '^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]+([._-][a-z0-9]+)*)+$',
    },
    digest: {
      type: 'string',
      description: 'Digest of the signed artifact (the image manifest)',
      pattern: '^sha256:[0-9a-f]{64}$',
    },
    builtAt: { type: 'string', pattern: DATE_TIME_PATTERN },
    artifact: {
      type: 'string',
      description: 'Optional file in the module directory holding the artifact bytes',
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$',
    },
  },
} as const;

/** `flareo.json`: the module's contact file. Unknown keys are kept. */
export const contactSchema = {
  $id: 'urn:flareo:catalog:contact:v1',
  type: 'object',
  required: ['name', 'contact'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    description: { type: 'string', maxLength: 1000 },
    homepage: { type: 'string', pattern: HTTPS_PATTERN },
    source: { type: 'string', pattern: HTTPS_PATTERN },
    license: { type: 'string', maxLength: 200 },
    contact: {
      type: 'object',
      required: ['email'],
      properties: {
        name: { type: 'string', maxLength: 200 },
        email: { type: 'string', pattern: EMAIL_PATTERN },
        security: { type: 'string', pattern: EMAIL_PATTERN },
      },
    },
  },
} as const;

/** The outer shape of a CycloneDX JSON SBOM (completeness is judged by @flareo/trust-score). */
export const cyclonedxSchema = {
  $id: 'urn:flareo:catalog:cyclonedx-shape:v1',
  type: 'object',
  required: ['bomFormat', 'specVersion', 'components'],
  properties: {
    bomFormat: { const: 'CycloneDX' },
    specVersion: { enum: ['1.2', '1.3', '1.4', '1.5', '1.6'] },
    serialNumber: { type: 'string', pattern: '^urn:uuid:[0-9a-fA-F-]{36}$' },
    version: { type: 'integer', minimum: 1 },
    metadata: { type: 'object' },
    components: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type', 'name'],
        properties: { type: { type: 'string' }, name: { type: 'string', minLength: 1 } },
      },
    },
  },
} as const;

/** The outer shape of a Trivy JSON report (schema version 2). */
export const trivySchema = {
  $id: 'urn:flareo:catalog:trivy-shape:v1',
  type: 'object',
  required: ['SchemaVersion', 'ArtifactName', 'ArtifactType', 'Metadata'],
  properties: {
    SchemaVersion: { const: 2 },
    ArtifactName: { type: 'string', minLength: 1 },
    ArtifactType: { const: 'container_image' },
    Metadata: {
      type: 'object',
      required: ['RepoDigests'],
      properties: { RepoDigests: { type: 'array', items: { type: 'string' }, minItems: 1 } },
    },
    Results: {
      type: 'array',
      items: {
        type: 'object',
        required: ['Target'],
        properties: {
          Target: { type: 'string' },
          Vulnerabilities: {
            type: 'array',
            items: {
              type: 'object',
              required: ['VulnerabilityID', 'PkgName', 'Severity'],
              properties: {
                VulnerabilityID: { type: 'string', minLength: 1 },
                PkgName: { type: 'string', minLength: 1 },
                InstalledVersion: { type: 'string' },
                Severity: { enum: ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] },
              },
            },
          },
        },
      },
    },
  },
} as const;

/** `catalog.json` of a data directory: what the catalog trusts and how it judges. */
export const catalogConfigSchema = {
  $id: 'urn:flareo:catalog:config:v1',
  type: 'object',
  required: ['name', 'identity', 'trustedBuilders'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    identity: {
      type: 'object',
      required: ['subjectAlternativeNameRegexp', 'issuer'],
      additionalProperties: false,
      properties: {
        subjectAlternativeNameRegexp: { type: 'string', minLength: 1 },
        issuer: { type: 'string', minLength: 1 },
      },
    },
    trustedBuilders: {
      type: 'array',
      items: {
        type: 'object',
        required: ['idPattern', 'level'],
        additionalProperties: false,
        properties: {
          idPattern: { type: 'string', minLength: 1 },
          level: { enum: [1, 2, 3] },
        },
      },
    },
    rekorPolicy: { enum: ['require-set', 'require-inclusion-proof', 'require-any'] },
    policy: { type: 'object' },
    requireSignedParts: { type: 'boolean' },
    tokens: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['name', 'sha256', 'scopes'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' },
          sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
          scopes: {
            type: 'array',
            minItems: 1,
            uniqueItems: true,
            items: { enum: ['publish', 'admin'] },
          },
        },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true });
const compiled = new Map<string, ValidateFunction>();

function validatorFor(schema: { $id: string }): ValidateFunction {
  let fn = compiled.get(schema.$id);
  if (!fn) {
    fn = ajv.compile(schema);
    compiled.set(schema.$id, fn);
  }
  return fn;
}

const issuesOf = (errors: readonly ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => ({ path: e.instancePath || '/', message: e.message ?? e.keyword }));

/**
 * Validate `value` against `schema`; throw a {@link CatalogError} with `code` and every
 * issue (JSON pointer and message) when it does not match.
 */
export function assertSchema(
  schema: { $id: string },
  value: unknown,
  code: CatalogErrorCode,
  context: { file: string; slug?: string },
): void {
  const fn = validatorFor(schema);
  if (fn(value)) return;
  const issues = issuesOf(fn.errors);
  const first = issues[0];
  throw new CatalogError(
    code,
    `${context.file} does not match its schema: ${first ? `${first.path} ${first.message}` : 'invalid'}`,
    { ...context, issues },
  );
}
