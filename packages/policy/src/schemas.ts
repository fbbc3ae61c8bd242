/**
 * JSON Schemas (draft 2020-12) of the policy's documents. They are plain data: validate with
 * any JSON Schema 2020-12 validator, or with `validateInput` / `validateConfig` /
 * `validateResult` / `validateDecisionLog` from this package. The same documents ship as
 * `@flareo/policy/schemas/<name>.schema.json`.
 */

const DIALECT = 'https://json-schema.org/draft/2020-12/schema';

const count = { type: 'integer', minimum: 0 } as const;

const residual = {
  type: 'object',
  description: 'Findings of one severity still open after VEX.',
  required: ['unaddressed', 'under_investigation', 'affected'],
  properties: {
    unaddressed: { ...count, description: 'Findings with no VEX statement.' },
    under_investigation: { ...count, description: 'Findings VEX marks under_investigation.' },
    affected: { ...count, description: 'Findings VEX marks affected.' },
  },
  additionalProperties: false,
} as const;

/** Schema of the input document (OPA `input`). Unknown properties are allowed and ignored. */
export const inputSchema = {
  $schema: DIALECT,
  $id: 'urn:flareo:policy:input:v1',
  title: 'Flareo admission policy input',
  type: 'object',
  required: ['module', 'signature', 'rekor', 'sbom', 'slsa', 'vulnerabilities', 'trust_score'],
  properties: {
    module: {
      type: 'object',
      required: ['name', 'digest'],
      properties: {
        name: { type: 'string', minLength: 1 },
        digest: {
          type: 'string',
          pattern: '^(sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})$',
        },
        version: { type: 'string' },
      },
    },
    signature: {
      type: 'object',
      required: ['present', 'verified'],
      properties: {
        present: { type: 'boolean' },
        verified: { type: 'boolean' },
        identity: { type: 'string' },
        issuer: { type: 'string' },
      },
    },
    rekor: {
      type: 'object',
      required: ['entry_present'],
      properties: {
        entry_present: { type: 'boolean' },
        log_index: { type: 'integer', minimum: 0 },
      },
    },
    sbom: {
      type: 'object',
      required: ['present'],
      properties: {
        present: { type: 'boolean' },
        completeness: { type: 'number', minimum: 0, maximum: 1 },
      },
    },
    slsa: {
      type: 'object',
      required: ['level'],
      properties: {
        level: { type: 'integer', minimum: 0, maximum: 3 },
        builder_id: { type: 'string' },
      },
    },
    vulnerabilities: {
      type: 'object',
      required: ['critical', 'high', 'medium', 'low'],
      properties: { critical: residual, high: residual, medium: residual, low: residual },
    },
    trust_score: { type: 'number', minimum: 0, maximum: 100 },
  },
} as const;

const enforcement = { enum: ['enforce', 'warn'] } as const;
const ruleProperties = {
  enabled: { type: 'boolean' },
  enforcement,
} as const;
const simpleRule = {
  type: 'object',
  properties: ruleProperties,
  additionalProperties: false,
} as const;
const cveRule = {
  type: 'object',
  properties: {
    ...ruleProperties,
    max: { type: 'integer', minimum: 0 },
    count: {
      type: 'array',
      items: { enum: ['unaddressed', 'under_investigation', 'affected'] },
      minItems: 1,
      uniqueItems: true,
    },
  },
  additionalProperties: false,
} as const;

/** Schema of the config document (OPA `data.flareo.config`). Unknown properties are rejected. */
export const configSchema = {
  $schema: DIALECT,
  $id: 'urn:flareo:policy:config:v1',
  title: 'Flareo admission policy config',
  type: 'object',
  properties: {
    rules: {
      type: 'object',
      properties: {
        'cve-critical': cveRule,
        'cve-high': cveRule,
        'cve-medium': cveRule,
        'cve-low': cveRule,
        'signature-verified': simpleRule,
        'rekor-entry': simpleRule,
        'sbom-present': simpleRule,
        'slsa-level': {
          type: 'object',
          properties: { ...ruleProperties, min_level: { type: 'integer', minimum: 0, maximum: 3 } },
          additionalProperties: false,
        },
        'trust-score': {
          type: 'object',
          properties: {
            ...ruleProperties,
            min_score: { type: 'number', minimum: 0, maximum: 100 },
          },
          additionalProperties: false,
        },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const;

/** Every rule id, in the order results list them (the schema's enum and `RULE_IDS`). */
export const ruleIds = [
  'cve-critical',
  'cve-high',
  'cve-low',
  'cve-medium',
  'rekor-entry',
  'sbom-present',
  'signature-verified',
  'slsa-level',
  'trust-score',
] as const;

/** Schema of the result (the value of OPA's `result`). */
export const resultSchema = {
  $schema: DIALECT,
  $id: 'urn:flareo:policy:result:v1',
  title: 'Flareo admission policy result',
  type: 'object',
  required: ['verdict', 'allow', 'deny', 'warn', 'rules'],
  properties: {
    verdict: { enum: ['pass', 'warn', 'fail'] },
    allow: { type: 'boolean' },
    deny: { type: 'array', items: { type: 'string' } },
    warn: { type: 'array', items: { type: 'string' } },
    rules: {
      type: 'array',
      items: {
        type: 'object',
        required: ['rule', 'result', 'enforcement', 'message', 'expected', 'actual'],
        properties: {
          rule: { enum: ruleIds },
          result: { enum: ['pass', 'fail', 'warn', 'error', 'skip'] },
          enforcement,
          message: { type: 'string', minLength: 1 },
          expected: true,
          actual: true,
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;

/** Schema of a decision-log record (OPA decision-log event field names). */
export const decisionLogSchema = {
  $schema: DIALECT,
  $id: 'urn:flareo:policy:decision-log:v1',
  title: 'Flareo admission decision-log record',
  type: 'object',
  required: ['decision_id', 'path', 'result', 'timestamp', 'bundles'],
  properties: {
    decision_id: { type: 'string', minLength: 1 },
    path: { const: 'flareo/admission/decision' },
    input: true,
    result: { $ref: 'urn:flareo:policy:result:v1' },
    timestamp: {
      type: 'string',
      format: 'date-time',
      pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$',
    },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    bundles: {
      type: 'object',
      required: ['flareo'],
      properties: {
        flareo: {
          type: 'object',
          required: ['revision'],
          properties: { revision: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' } },
          additionalProperties: false,
        },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const;
