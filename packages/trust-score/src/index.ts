export type { TrustScoreErrorCode, TrustScoreErrorDetail } from './errors.js';
export { TrustScoreError } from './errors.js';
export type {
  IncompleteComponent,
  SbomCompleteness,
  SbomCompletenessOptions,
  SbomField,
} from './sbom.js';
export { sbomCompleteness } from './sbom.js';
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
export { computeTrustScore, hoursSince, TRUST_SCORE_DEFAULTS } from './score.js';
export type {
  SlsaAssessment,
  SlsaLevel,
  SlsaLevelOptions,
  TrustedBuilder,
  VerifiedProvenance,
} from './slsa.js';
export { slsaLevelFromProvenance } from './slsa.js';
