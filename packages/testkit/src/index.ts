export * from './bundle/index.js';
export type { EmbeddedScts, SctHash, SctOptions } from './ct/sct.js';
export {
  certificateSpki,
  embedSctExtension,
  embedScts,
  encodeSctList,
  OID_SCT_LIST,
  precertificateTbs,
  precertSignedData,
  sctListExtensionValue,
  signSct,
} from './ct/sct.js';
export type { SignOptions, TestKey, TestKeyType } from './keys.js';
export { TEST_KEY_TYPES, testKey, toPem } from './keys.js';
export type { CanonicalJsonValue } from './log/canonical-json.js';
export { canonicalJson, canonicalJsonBytes } from './log/canonical-json.js';
export type { DsseEnvelopeJson, DsseSigner } from './log/dsse.js';
export { dssePae, signDsseEnvelope } from './log/dsse.js';
export type { MerklePrefix, MerkleTreeOptions } from './log/merkle.js';
export { emptyRoot, leafHash, MerkleTree, nodeHash } from './log/merkle.js';
export type {
  RekorApiBehaviour,
  RekorApiLogEntryJson,
  RekorApiRequest,
  RekorApiServer,
} from './log/rekor-api.js';
export { rekorApiLogEntry, startTestRekorApi } from './log/rekor-api.js';
export type {
  AddEntryOptions,
  DsseV1Input,
  HashedRekordV1Input,
  LegacyRekorBundleJson,
  RawEntryInput,
  RekorSetPayloadFields,
  TestRekorV1Options,
} from './log/rekor-v1.js';
export {
  legacyRekorBundle,
  rekorSetPayload,
  rekorV1Bodies,
  TestRekorV1,
} from './log/rekor-v1.js';
export type {
  DsseAsHashedRekordInput,
  DsseV002Input,
  HashedRekordV002Input,
  RekorV2EntryOptions,
  RekorV2HashAlgorithm,
  RekorV2VerifierInput,
  RekorV2Witness,
  TestRekorV2Options,
} from './log/rekor-v2.js';
export { rekorV2Bodies, TestRekorV2 } from './log/rekor-v2.js';
export type { CheckpointFields, NoteSigner, ParsedNoteSignature } from './log/signed-note.js';
export {
  addNoteSignatures,
  checkpointBody,
  cosignatureV1KeyHash,
  cosignatureV1Message,
  cosignatureV1Signer,
  ecdsaNoteKeyHash,
  ecdsaNoteSigner,
  ed25519NoteKeyHash,
  ed25519NoteSigner,
  ed25519VerifierKey,
  greaseSignatureLine,
  NOTE_SIG_TYPE,
  NOTE_SIGNATURE_PREFIX,
  noteKeyHash,
  noteSignatureLine,
  parseSignedNote,
  rawEd25519PublicKey,
  signNote,
  spkiHashNoteSigner,
} from './log/signed-note.js';
export type {
  CheckpointOptions,
  InclusionProofJson,
  LogEntryRecord,
  TlogEntryJson,
  TransparencyLogInstanceJson,
} from './log/tlog-base.js';
export { TestTransparencyLog } from './log/tlog-base.js';
export * from './oci/index.js';
export { SeededStream, seededBytes } from './seed.js';
export { findTool } from './tools.js';
export type {
  TrustedRootAuthority,
  TrustedRootLog,
  TrustedRootOptions,
} from './trusted-root.js';
export { buildTrustedRoot, keyDetailsFor, TRUSTED_ROOT_MEDIA_TYPE } from './trusted-root.js';
export type {
  MintedTimestamp,
  TestTimestampAuthorityOptions,
  TimestampRequestOptions,
  TsaCertificateOptions,
  TsaHash,
} from './tsa/tsa.js';
export {
  createTsaCertificate,
  DEFAULT_TSA_POLICY,
  OID_TIME_STAMPING,
  TestTimestampAuthority,
} from './tsa/tsa.js';
export * from './tuf/index.js';
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
