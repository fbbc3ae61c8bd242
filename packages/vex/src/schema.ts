import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import * as validators from './generated/openvex-validators.js';

/** The five justification labels, in the order the specification lists them. */
export const JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;

/** The four statuses. */
export const STATUSES = ['not_affected', 'affected', 'fixed', 'under_investigation'] as const;

/** Keys allowed in a component's `hashes` map. */
export const HASH_ALGORITHMS = [
  'md5',
  'sha1',
  'sha-256',
  'sha-384',
  'sha-512',
  'sha3-224',
  'sha3-256',
  'sha3-384',
  'sha3-512',
  'blake2s-256',
  'blake2b-256',
  'blake2b-512',
] as const;

const str = { type: 'string' } as const;
const iri = { type: 'string', format: 'iri' } as const;
const time = { type: 'string', format: 'date-time' } as const;
const positiveInt = { type: 'integer', minimum: 1 } as const;

/**
 * Build the OpenVEX 0.2.0 JSON Schema (draft 2020-12), written from the specification's field
 * tables and rules. `lenient` relaxes exactly what real documents get wrong and lenient mode
 * reports as warnings: the document-level `@id`, `author`, `timestamp` and `version`, the
 * `affected` → `action_statement` rule, components named only by hashes, and a vulnerability
 * `@id` that is not an IRI (go-vex matches it as a plain string).
 *
 * Neither variant puts `uniqueItems` on `statements` or `products`: ajv checks that with a
 * quadratic deep comparison, so duplicates are found by one hashing pass instead
 * (see `findDuplicates`).
 */
export function openVexSchema(lenient = false): Record<string, unknown> {
  const naming = lenient
    ? [{ required: ['@id'] }, { required: ['identifiers'] }, { required: ['hashes'] }]
    : [{ required: ['@id'] }, { required: ['identifiers'] }];
  const statusRules: Record<string, unknown>[] = [
    {
      if: { properties: { status: { const: 'not_affected' } } },
      // biome-ignore lint/suspicious/noThenProperty: `then` is a JSON Schema keyword here
      then: { anyOf: [{ required: ['justification'] }, { required: ['impact_statement'] }] },
    },
  ];
  if (!lenient) {
    statusRules.push({
      if: { properties: { status: { const: 'affected' } } },
      // biome-ignore lint/suspicious/noThenProperty: `then` is a JSON Schema keyword here
      then: { required: ['action_statement'] },
    });
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: lenient
      ? 'urn:flareo:vex:schema:openvex-0.2.0-lenient'
      : 'urn:flareo:vex:schema:openvex-0.2.0',
    title: 'OpenVEX 0.2.0 document',
    type: 'object',
    $defs: {
      vulnerability: {
        type: 'object',
        properties: {
          '@id': lenient ? str : iri,
          name: str,
          description: str,
          aliases: { type: 'array', uniqueItems: true, items: str },
        },
        required: ['name'],
        additionalProperties: false,
      },
      identifiers: {
        type: 'object',
        properties: { purl: str, cpe22: str, cpe23: str },
        additionalProperties: false,
        anyOf: [{ required: ['purl'] }, { required: ['cpe22'] }, { required: ['cpe23'] }],
      },
      hashes: {
        type: 'object',
        properties: Object.fromEntries(HASH_ALGORITHMS.map((a) => [a, str])),
        additionalProperties: false,
      },
      subcomponent: {
        type: 'object',
        properties: {
          '@id': iri,
          identifiers: { $ref: '#/$defs/identifiers' },
          hashes: { $ref: '#/$defs/hashes' },
        },
        additionalProperties: false,
        anyOf: naming,
      },
      product: {
        type: 'object',
        properties: {
          '@id': iri,
          identifiers: { $ref: '#/$defs/identifiers' },
          hashes: { $ref: '#/$defs/hashes' },
          subcomponents: {
            type: 'array',
            uniqueItems: true,
            items: { $ref: '#/$defs/subcomponent' },
          },
        },
        additionalProperties: false,
        anyOf: naming,
      },
      statement: {
        type: 'object',
        properties: {
          '@id': iri,
          version: positiveInt,
          vulnerability: { $ref: '#/$defs/vulnerability' },
          timestamp: time,
          last_updated: time,
          products: { type: 'array', items: { $ref: '#/$defs/product' } },
          status: { type: 'string', enum: [...STATUSES] },
          supplier: str,
          status_notes: str,
          justification: { type: 'string', enum: [...JUSTIFICATIONS] },
          impact_statement: str,
          action_statement: str,
          action_statement_timestamp: time,
        },
        required: ['vulnerability', 'status'],
        additionalProperties: false,
        allOf: statusRules,
      },
    },
    properties: {
      '@context': { type: 'string', format: 'uri' },
      '@id': lenient ? str : iri,
      author: str,
      role: str,
      timestamp: time,
      last_updated: time,
      version: positiveInt,
      tooling: str,
      statements: { type: 'array', minItems: 1, items: { $ref: '#/$defs/statement' } },
    },
    required: lenient
      ? ['@context', 'statements']
      : ['@context', '@id', 'author', 'timestamp', 'version', 'statements'],
    additionalProperties: false,
  };
}

/**
 * The compiled validators: {@link openVexSchema} strict and lenient, compiled with
 * `createAjv` (schema-compiler.ts) at build time into standalone code (scripts/generate-validators.mjs), so
 * no process pays for ajv's compiler.
 */
export function schemaValidators(): { strict: ValidateFunction; lenient: ValidateFunction } {
  return validators;
}

/** A duplicate found by {@link findDuplicates}: `index` repeats the item at `firstIndex`. */
export interface Duplicate {
  readonly index: number;
  readonly firstIndex: number;
}

/**
 * Find deep-equal items in one pass by hashing a canonical form of each item. With `bucket`,
 * a cheap key that deep-equal items always share, only items whose key is not unique are
 * put in canonical form (the result is the same, found with less work).
 */
export function findDuplicates(
  items: readonly unknown[],
  canonical: (v: unknown) => string,
  bucket?: (v: unknown) => string,
): Duplicate[] {
  let keys: string[] | undefined;
  let shared: Set<string> | undefined;
  if (bucket) {
    keys = items.map(bucket);
    const once = new Set<string>();
    shared = new Set<string>();
    for (const k of keys) {
      if (once.has(k)) shared.add(k);
      else once.add(k);
    }
  }
  const seen = new Map<string, number>();
  const out: Duplicate[] = [];
  items.forEach((item, index) => {
    if (keys && !shared?.has(keys[index] as string)) return;
    const key = canonical(item);
    const firstIndex = seen.get(key);
    if (firstIndex === undefined) seen.set(key, index);
    else out.push({ index, firstIndex });
  });
  return out;
}

export type { ErrorObject };
