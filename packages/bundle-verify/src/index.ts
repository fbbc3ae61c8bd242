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
export {
  compileIdentityPolicy,
  FULCIO_EXTENSIONS,
  MAX_POLICY_REGEXP_LENGTH,
} from './identity.js';
export type {
  BundleFormat,
  InputLimits,
  NormalizedInput,
  SignedContent,
  SignerMaterial,
} from './input.js';
export { DEFAULT_LIMITS, MEDIA_TYPES, normalizeBundle, normalizeKeyedSignature } from './input.js';
export type { InTotoStatement, InTotoStatementSummary, VerifiedStatement } from './intoto.js';
export type { VerifierPool, VerifierPoolOptions } from './pool.js';
export { createVerifierPool } from './pool.js';
export type { TrustInput } from './pool-protocol.js';
export type { VerificationSummary } from './summary.js';
export { summarizeResult } from './summary.js';
export type {
  BundleVerifier,
  TimeSource,
  VerificationResult,
  VerifiedSigner,
  VerifierOptions,
} from './verifier.js';
export { createVerifier } from './verifier.js';
