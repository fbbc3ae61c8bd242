import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { DecisionLogRecord } from './decision-log.js';
import { PolicyError, type PolicyErrorCode, type PolicyFieldError } from './errors.js';
import * as validators from './generated/policy-validators.js';
import type { PolicyConfig, PolicyInput, PolicyResult } from './types.js';

/** Outcome of a schema validation. */
export type SchemaValidation =
  | { readonly valid: true; readonly errors: readonly [] }
  | { readonly valid: false; readonly errors: readonly PolicyFieldError[] };

type SchemaName = 'input' | 'config' | 'result' | 'decision-log';

// The schemas of schemas.ts compiled to standalone code at build time
// (scripts/generate-validators.mjs): validating compiles nothing at run time, so no
// `new Function`, which edge workers and strict Content-Security-Policies refuse.
const VALIDATORS: Readonly<Record<SchemaName, ValidateFunction>> = {
  input: validators.input,
  config: validators.config,
  result: validators.result,
  'decision-log': validators.decisionLog,
};

function toFieldErrors(errors: readonly ErrorObject[] | null | undefined): PolicyFieldError[] {
  return (errors ?? []).map((e) => {
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      message = `must not have property ${JSON.stringify(e.params.additionalProperty)}`;
    } else if (e.keyword === 'enum') {
      message = `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    }
    return { path: e.instancePath, message };
  });
}

function run(name: SchemaName, document: unknown): SchemaValidation {
  const fn = VALIDATORS[name];
  if (fn(document)) return { valid: true, errors: [] };
  return { valid: false, errors: toFieldErrors(fn.errors) };
}

function assertValid(name: SchemaName, code: PolicyErrorCode, document: unknown): void {
  const outcome = run(name, document);
  if (outcome.valid) return;
  const shown = outcome.errors
    .slice(0, 3)
    .map((e) => `${e.path || '/'} ${e.message}`)
    .join('; ');
  const more = outcome.errors.length > 3 ? ` (and ${outcome.errors.length - 3} more)` : '';
  throw new PolicyError(
    code,
    `${name} document: expected a document matching the ${name} schema, got ${shown}${more}`,
    {
      fields: outcome.errors,
      expected: `a document matching the ${name} schema`,
      actual: outcome.errors,
    },
  );
}

/** Validate an input document against {@link inputSchema}. Never throws. */
export function validateInput(input: unknown): SchemaValidation {
  return run('input', input);
}
/** Validate a config document against {@link configSchema}. Never throws. */
export function validateConfig(config: unknown): SchemaValidation {
  return run('config', config);
}
/** Validate a result against {@link resultSchema}. Never throws. */
export function validateResult(result: unknown): SchemaValidation {
  return run('result', result);
}
/** Validate a decision-log record against {@link decisionLogSchema}. Never throws. */
export function validateDecisionLog(record: unknown): SchemaValidation {
  return run('decision-log', record);
}

/**
 * Assert that `input` matches {@link inputSchema}; evaluation does not need this (it reports
 * bad facts per rule), but callers storing inputs may want the whole document checked.
 * @throws {PolicyError} `INPUT_INVALID` with every violation in `detail.fields`.
 */
export function assertInput(input: unknown): asserts input is PolicyInput {
  assertValid('input', 'INPUT_INVALID', input);
}
/**
 * Assert that `config` matches {@link configSchema}.
 * @throws {PolicyError} `CONFIG_INVALID` with every violation in `detail.fields`.
 */
export function assertConfig(config: unknown): asserts config is PolicyConfig {
  assertValid('config', 'CONFIG_INVALID', config);
}
/**
 * Assert that `result` matches {@link resultSchema}.
 * @throws {PolicyError} `RESULT_INVALID` with every violation in `detail.fields`.
 */
export function assertResult(result: unknown): asserts result is PolicyResult {
  assertValid('result', 'RESULT_INVALID', result);
}
/**
 * Assert that `record` matches {@link decisionLogSchema}.
 * @throws {PolicyError} `DECISION_LOG_INVALID` with every violation in `detail.fields`.
 */
export function assertDecisionLog(record: unknown): asserts record is DecisionLogRecord {
  assertValid('decision-log', 'DECISION_LOG_INVALID', record);
}
