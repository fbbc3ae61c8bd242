/**
 * `@flareo/policy/documents`: the JSON Schemas of the four documents (input, config, result,
 * decision-log record), their validators, the config defaults and the OPA paths, for tools
 * that store, check or translate policy documents (an API layer, a Rego twin, a config
 * editor). Deciding needs only the main entry: `compilePolicy` validates the config itself
 * and `evaluate` reports bad input as `error` rule results.
 */
export {
  configHash,
  DEFAULT_CONFIG,
  RESIDUAL_BUCKETS,
  RULE_IDS,
  resolveConfig,
} from './config.js';
export { CONFIG_DATA_PATH, DATA_API_ENDPOINT, DECISION_PATH } from './evaluate.js';
export { configSchema, decisionLogSchema, inputSchema, resultSchema } from './schemas.js';
export type { SchemaValidation } from './validate.js';
export {
  assertConfig,
  assertDecisionLog,
  assertInput,
  assertResult,
  validateConfig,
  validateDecisionLog,
  validateInput,
  validateResult,
} from './validate.js';
