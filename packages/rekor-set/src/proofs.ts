/**
 * `@flareo/rekor-set/proofs`: the single checks `verifyLogEvidence` composes, for tools that
 * prove one piece on its own (a log monitor checking a checkpoint or a consistency proof, a
 * witness, a test of a log) rather than a signature's evidence. Everyday verification needs
 * only the main entry.
 */
export type { BodyOptions, BoundBody } from './body.js';
export { bindBody, SUPPORTED_KINDS } from './body.js';
export type { Checkpoint } from './checkpoint.js';
export {
  MAX_NOTE_SIGNATURES,
  originMatches,
  parseCheckpoint,
  verifyCheckpoint,
} from './checkpoint.js';
export { MAX_BODY_BYTES } from './entry.js';
export type { ProofFailure } from './merkle.js';
export { checkConsistency, checkInclusion, hashLeaf } from './merkle.js';
export { checkSet, setPayload } from './set.js';
export { logEvidenceTask } from './verify.js';
