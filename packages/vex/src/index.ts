// The everyday API: parse and validate, merge, index and resolve, apply to Trivy, Grype and
// SARIF reports, explain, detect a report's format, build documents, and the one error
// class. The building blocks under it are in `@flareo/vex/advanced` (./advanced.ts).
export { detectFormat, type ReportFormat } from './apply/detect.js';
export { applyToGrype } from './apply/grype.js';
export type { ApplyOptions, ApplyResult, ApplyWarning, VexInput } from './apply/options.js';
export { applyToSarif } from './apply/sarif.js';
export { applyToTrivy } from './apply/trivy.js';
export type {
  AffectedInput,
  NotAffectedInput,
  ProductInput,
  StatementInput,
  VexBuilderOptions,
} from './builder.js';
export { VexBuilder } from './builder.js';
export type { VexErrorCode, VexErrorDetail } from './errors.js';
export { VexError } from './errors.js';
export type { Subject } from './identity.js';
export type { DroppedDocument, MergeConflict, MergeOptions, MergeResult } from './merge.js';
export { mergeVex } from './merge.js';
export type {
  Disposition,
  FindingOutcome,
  FindingPackage,
  NegligibleAs,
  Residual,
  ResidualCounts,
  Severity,
} from './residual.js';
export { SEVERITIES } from './residual.js';
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
export { parseVex, validateVex } from './validate.js';
