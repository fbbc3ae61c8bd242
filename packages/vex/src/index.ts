export type { ReportFormat } from './apply/detect.js';
export { detectFormat } from './apply/detect.js';
export { applyToGrype } from './apply/grype.js';
export type {
  ApplyOptions,
  ApplyResult,
  ApplyWarning,
  VexInput,
} from './apply/options.js';
export { applyToSarif, SARIF_LIMITATION, sarifVulnerabilityId } from './apply/sarif.js';
export { applyToTrivy } from './apply/trivy.js';
export type {
  AffectedInput,
  NotAffectedInput,
  ProductInput,
  StatementInput,
  VexBuilderOptions,
} from './builder.js';
export { VexBuilder } from './builder.js';
export { canonicalJson } from './canonical.js';
export { MAX_REPORT_DEPTH, MAX_VEX_DEPTH } from './depth.js';
export type { VexErrorCode, VexErrorDetail } from './errors.js';
export { VexError } from './errors.js';
export type { Subject } from './identity.js';
export { normalizeHash } from './identity.js';
export type { DroppedDocument, MergeConflict, MergeOptions, MergeResult } from './merge.js';
export { mergeVex } from './merge.js';
export type { NormalizedPurl, PurlMismatch } from './purl.js';
export {
  comparePurls,
  normalizeDigest,
  parsePurlSafe as parsePurl,
  purlMatches,
} from './purl.js';
export type {
  Disposition,
  FindingOutcome,
  FindingPackage,
  NegligibleAs,
  Residual,
  ResidualCounts,
  Severity,
} from './residual.js';
export { computeResidual, normalizeSeverity, SEVERITIES } from './residual.js';
export type {
  Candidate,
  NearMiss,
  NearMissField,
  Resolution,
  ResolveQuery,
  StatementRef,
  VexIndexOptions,
} from './resolve.js';
export { createVexIndex, VexIndex } from './resolve.js';
export { HASH_ALGORITHMS, JUSTIFICATIONS, openVexSchema, STATUSES } from './schema.js';
export type {
  VexComponent,
  VexDocument,
  VexHashAlgorithm,
  VexIdentifiers,
  VexIssue,
  VexIssueCode,
  VexJustification,
  VexProduct,
  VexStatement,
  VexStatus,
  VexVulnerability,
} from './types.js';
export type { ParsedVex, ValidateOptions, ValidationMode, ValidationResult } from './validate.js';
export { conformsToOpenVexSchema, OPENVEX_CONTEXT, parseVex, validateVex } from './validate.js';
