export type {
  CertificateSigner,
  DsseContent,
  KeySigner,
  MessageContent,
  MintContent,
  MintDigestAlgorithm,
  MintSigner,
  SignedMintContent,
} from './content.js';
export {
  DEFAULT_ARTIFACT,
  IN_TOTO_PAYLOAD_TYPE,
  IN_TOTO_STATEMENT_V1,
  inTotoStatement,
} from './content.js';
export type {
  CosignTimestampJson,
  LegacyCosignBundleJson,
  MintLegacyCosignBundleOptions,
} from './legacy-bundle.js';
export { mintKeyedSignature, mintLegacyCosignBundle } from './legacy-bundle.js';
export type { MintedSigstoreBundle, MintSigstoreBundleOptions } from './sigstore-bundle.js';
export { mintSigstoreBundle, SIGSTORE_BUNDLE_MEDIA_TYPES } from './sigstore-bundle.js';
