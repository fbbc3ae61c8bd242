export type { DigestAlgorithm, EntryBinding } from './body.js';
export type { LegacyRekorBundleJson, LogEntry, TlogEntryJson } from './entry.js';
export { parseLegacyRekorBundle, parseTlogEntry } from './entry.js';
export type { RekorErrorCode, RekorErrorDetail } from './errors.js';
export { RekorError } from './errors.js';
export type { RekorApiEntry, RekorApiLogEntry, RekorApiOptions } from './rest.js';
export { tlogEntriesFromRekorApi, tlogEntryFromRekorApi } from './rest.js';
export type {
  LogEntryInput,
  RekorEvidence,
  RekorPolicy,
  RekorVerifyOptions,
  VerifiedLogEntry,
} from './verify.js';
export {
  REKOR_POLICIES,
  verifyLogEntry,
  verifyLogEntryAsync,
  verifyLogEvidence,
  verifyLogEvidenceAsync,
} from './verify.js';
