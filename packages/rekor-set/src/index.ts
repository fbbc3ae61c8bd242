export type { BodyOptions, BoundBody, DigestAlgorithm, EntryBinding } from './body.js';
export { bindBody, preAuthEncoding, SUPPORTED_KINDS } from './body.js';
export type { Checkpoint } from './checkpoint.js';
export {
  MAX_NOTE_SIGNATURES,
  originMatches,
  parseCheckpoint,
  verifyCheckpoint,
} from './checkpoint.js';
export type { LegacyRekorBundleJson, LogEntry, TlogEntryJson } from './entry.js';
export { MAX_BODY_BYTES, parseLegacyRekorBundle, parseTlogEntry } from './entry.js';
export type { RekorErrorCode, RekorErrorDetail } from './errors.js';
export { RekorError } from './errors.js';
export type { ProofFailure } from './merkle.js';
export { checkConsistency, checkInclusion, hashChildren, hashLeaf } from './merkle.js';
export type { RekorApiEntry, RekorApiLogEntry, RekorApiOptions } from './rest.js';
export { tlogEntriesFromRekorApi, tlogEntryFromRekorApi } from './rest.js';
export { checkSet, setPayload } from './set.js';
export type {
  LogEntryInput,
  RekorEvidence,
  RekorPolicy,
  RekorVerifyOptions,
  VerifiedLogEntry,
} from './verify.js';
export { REKOR_POLICIES, verifyLogEntry, verifyLogEvidence } from './verify.js';
