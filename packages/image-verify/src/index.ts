export type {
  CollectedImage,
  CollectedSignature,
  CollectOptions,
  SignatureOrigin,
  SignatureSource,
} from './collect.js';
export type { ImageVerifyErrorCode, ImageVerifyErrorDetail } from './errors.js';
export { ImageVerifyError } from './errors.js';
export type { OciLayoutFiles, OciLayoutOptions } from './layout.js';
export { openOciLayout } from './layout.js';
export type { Descriptor, Platform, SourceLimits } from './oci.js';
export { DEFAULT_SOURCE_LIMITS } from './oci.js';
export type { ImageReference } from './reference.js';
export { isLoopbackHost, parseImageReference } from './reference.js';
export type { RegistryAuth, RegistrySourceOptions } from './registry.js';
export { registrySource } from './registry.js';
export type {
  ImageVerificationResult,
  ImageVerifier,
  ImageVerifierOptions,
  ImageVerifyPolicy,
  SignatureReport,
  SimpleSigningClaims,
} from './verify.js';
export { COSIGN_SIGN_PREDICATE_TYPE, createImageVerifier } from './verify.js';
