export type { SignOptions, TestKey, TestKeyType } from './keys.js';
export { TEST_KEY_TYPES, testKey, toPem } from './keys.js';
export { SeededStream, seededBytes } from './seed.js';
export type {
  TrustedRootAuthority,
  TrustedRootLog,
  TrustedRootOptions,
} from './trusted-root.js';
export { buildTrustedRoot, keyDetailsFor, TRUSTED_ROOT_MEDIA_TYPE } from './trusted-root.js';
export { readVector, vectorsDir } from './vectors.js';
export type {
  CaKeyUsage,
  CaOptions,
  FulcioChain,
  FulcioChainOptions,
  GitHubWorkflowClaims,
  LeafKeyUsage,
  LeafOptions,
  TestCertificate,
  TestExtendedKeyUsage,
} from './x509.js';
export {
  brokenLeaves,
  certificateToPem,
  createCertificateAuthority,
  createFulcioChain,
  createLeafCertificate,
  DEFAULT_GITHUB_CLAIMS,
  DEFAULT_OIDC_ISSUER,
  DEFAULT_WORKFLOW_URI,
} from './x509.js';
