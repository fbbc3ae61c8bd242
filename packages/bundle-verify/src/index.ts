export type { ArtifactInput } from './artifact.js';
export { artifactFromStream } from './artifact.js';
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
export type { VerifierPool, VerifierPoolOptions } from './pool.js';
export { createVerifierPool } from './pool.js';
export type { VerificationSummary } from './summary.js';
export { summarizeResult } from './summary.js';
export type { TrustInput } from './trust-input.js';
export { loadTrustInputs } from './trust-input.js';
export type {
  BundleVerifier,
  TimeSource,
  VerificationResult,
  VerifiedSigner,
  VerifierOptions,
} from './verifier.js';
export { createVerifier } from './verifier.js';
