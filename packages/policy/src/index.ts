export {
  canonicalJson,
  configHash,
  DEFAULT_CONFIG,
  RESIDUAL_BUCKETS,
  RULE_IDS,
  resolveConfig,
} from './config.js';
export type { DecisionLogOptions, DecisionLogRecord } from './decision-log.js';
export { createDecisionLog } from './decision-log.js';
export type { PolicyErrorCode, PolicyErrorDetail, PolicyFieldError } from './errors.js';
export { PolicyError } from './errors.js';
export type { CompiledPolicy, QueryOptions } from './evaluate.js';
export {
  CONFIG_DATA_PATH,
  compilePolicy,
  DATA_API_ENDPOINT,
  DECISION_PATH,
  evaluatePolicy,
} from './evaluate.js';
export type { PolicyInputSources, ResidualBySeverity, VerifiedSignature } from './input.js';
export { policyInputFrom } from './input.js';
export { configSchema, decisionLogSchema, inputSchema, resultSchema } from './schemas.js';
export type {
  CveRuleConfig,
  CveRuleId,
  CveSeverity,
  DataApiResponse,
  Enforcement,
  JsonValue,
  PolicyConfig,
  PolicyInput,
  PolicyResult,
  ResidualBucket,
  ResidualCounts,
  ResolvedCveRuleConfig,
  ResolvedPolicyConfig,
  ResolvedRuleConfig,
  RuleConfig,
  RuleId,
  RuleOutcome,
  RuleResult,
  SlsaRuleConfig,
  TrustScoreRuleConfig,
  Verdict,
} from './types.js';
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
