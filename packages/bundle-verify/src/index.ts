export type { ArtifactInput } from './artifact.js';
export type { BundleVerifyErrorCode, BundleVerifyErrorDetail, VerificationStep } from './errors.js';
export { BundleVerifyError } from './errors.js';
export type {
  CompiledIdentityPolicy,
  IdentityPolicy,
  Matcher,
  RegexpMatch,
  RegexpMatcher,
  SignerIdentity,
} from './identity.js';
export { compileIdentityPolicy } from './identity.js';
export type { BundleFormat, InputLimits } from './input.js';
export type { InTotoStatement, InTotoStatementSummary, VerifiedStatement } from './intoto.js';
export type { VerificationSummary } from './summary.js';
export { summarizeResult } from './summary.js';
export type {
  BundleVerifier,
  TimeSource,
  VerificationCheck,
  VerificationProgress,
  VerificationResult,
  VerifiedSigner,
  VerifierOptions,
  VerifyCallOptions,
} from './verifier.js';
export { createVerifier } from './verifier.js';
