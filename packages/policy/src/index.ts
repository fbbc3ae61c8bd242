export type { DecisionLogOptions, DecisionLogRecord } from './decision-log.js';
export { createDecisionLog } from './decision-log.js';
export type { PolicyErrorCode, PolicyErrorDetail, PolicyFieldError } from './errors.js';
export { PolicyError } from './errors.js';
export type { CompiledPolicy, QueryOptions } from './evaluate.js';
export { compilePolicy, evaluatePolicy } from './evaluate.js';
export type { PolicyInputSources, ResidualBySeverity, VerifiedSignature } from './input.js';
export { policyInputFrom } from './input.js';
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
