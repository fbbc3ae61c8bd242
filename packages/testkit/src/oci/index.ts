export type {
  AddedCosignSignature,
  CosignSignatureOptions,
  SimpleSigningPayloadOptions,
} from './cosign.js';
export {
  addCosignSignature,
  COSIGN_ANNOTATIONS,
  COSIGN_SIGNATURE_TYPE,
  cosignSignatureTag,
  referrersFallbackTag,
  simpleSigningPayload,
} from './cosign.js';
export type { WriteOciLayoutOptions } from './layout.js';
export { descriptorOf, OCI_REF_NAME, writeOciLayout } from './layout.js';
export type { OciPushClientOptions } from './push.js';
export { OciPushClient } from './push.js';
export type { BundleReferrerOptions } from './referrer.js';
export { addBundleReferrer } from './referrer.js';
export type { RegistryProcess, TestRegistryOptions } from './registry.js';
export { startTestRegistry } from './registry.js';
export type { SignedImageLayout } from './signed-layout.js';
export { writeSignedImageLayout } from './signed-layout.js';
export type { OciDescriptor, OciPlatform, TestImageOptions } from './store.js';
export {
  addTestImage,
  addTestIndex,
  addTestMultiArchImage,
  OCI_MEDIA_TYPES,
  OciStore,
  sha256Digest,
} from './store.js';
export type { TestTokenServer, TestTokenServerOptions } from './token-server.js';
export { startTestTokenServer } from './token-server.js';
