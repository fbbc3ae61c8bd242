export {
  certificateSignatureRequest,
  verifyCertificateSignature,
  verifyCertificateSignatureAsync,
} from './certificate-signature.js';
export type { IssuerReference, TrustedCertificate } from './certificates.js';
export { canIssue, issuedBy } from './certificates.js';
export { platformCrypto } from './crypto/index.js';
export type {
  MemoizeBackendOptions,
  MemoizedCryptoBackend,
  MemoizedSyncCryptoBackend,
} from './crypto/memo.js';
export { memoizeBackend } from './crypto/memo.js';
export { nobleCryptoBackend } from './crypto/noble.js';
export type {
  CryptoBackend,
  CryptoTask,
  PublicKeyRef,
  SignatureScheme,
  SyncCryptoBackend,
  VerifyRequest,
} from './crypto/seam.js';
export { runCryptoAsync, runCryptoSync, verifySignature } from './crypto/seam.js';
export { webCryptoBackend } from './crypto/web.js';
export type { TrustRootErrorCode, TrustRootErrorDetail } from './errors.js';
export { TrustRootError } from './errors.js';
export type {
  HashAlgorithm,
  KeyAlgorithm,
  PublicKeyObject,
  TrustedKey,
  TrustSource,
} from './keys.js';
export { MIN_RSA_BITS, noteKeyHash, noteKeyId } from './keys.js';
export type {
  CertificateAuthority,
  TimestampAuthority,
  TransparencyLog,
  TrustRootParts,
  TrustRootSummary,
} from './model.js';
export { mergeTrustRoots, TrustRoot } from './model.js';
export type { PemBlock, PemLabel } from './pem.js';
export { parsePemBlocks } from './pem.js';
export type { PemTrustBundleOptions } from './pem-bundle.js';
export { parsePemTrustBundle, parsePemTrustBundleAsync } from './pem-bundle.js';
export { publicGoodTrustedRootJson, publicGoodTrustRoot } from './public-good.js';
export type { TrustedRootOptions } from './trusted-root.js';
export {
  keyIdOf,
  parseTrustedRoot,
  parseTrustedRootAsync,
  TRUSTED_ROOT_MEDIA_TYPES,
} from './trusted-root.js';
export type {
  CertificateAuthorityJson,
  TransparencyLogInstanceJson,
  TrustedRootJson,
} from './trusted-root-schema.js';
export { TRUSTED_ROOT_SCHEMA } from './trusted-root-schema.js';
export { hostOf } from './url.js';
export type { ValidityWindow } from './validity.js';
export { isWithin } from './validity.js';
