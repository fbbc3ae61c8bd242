export type { TrustScoreErrorCode, TrustScoreErrorDetail } from './errors.js';
export { TrustScoreError } from './errors.js';
export type {
  IncompleteComponent,
  SbomCompleteness,
  SbomCompletenessOptions,
  SbomField,
} from './sbom.js';
export {
  PACKAGE_COMPONENT_TYPES,
  SBOM_FIELDS,
  STRONG_HASH_ALGORITHMS,
  sbomCompleteness,
} from './sbom.js';
export type {
  FreshnessSignal,
  HoursSinceOptions,
  SbomSignal,
  Severity,
  SignalExplanation,
  SignalName,
  SlsaSignal,
  TrustScore,
  TrustScoreOptions,
  TrustSignals,
  TrustStatus,
  VulnerabilityCounts,
  VulnerabilitySignal,
} from './score.js';
export {
  computeTrustScore,
  freshnessSubscore,
  hoursSince,
  MAX_SLSA_LEVEL,
  SEVERITIES,
  SIGNAL_WEIGHTS,
  TRUST_SCORE_DEFAULTS,
  VULNERABILITY_PENALTIES,
  vulnerabilitySubscore,
} from './score.js';
export type { SlsaAssessment, SlsaLevel, SlsaLevelOptions, TrustedBuilder } from './slsa.js';
export {
  IN_TOTO_STATEMENT_TYPES,
  SLSA_PROVENANCE_TYPES,
  slsaLevelFromProvenance,
} from './slsa.js';
