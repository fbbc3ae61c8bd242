import {
  type EntryBinding,
  RekorError,
  type RekorErrorCode,
  type RekorEvidence,
} from '@flareo/rekor-set';
import { logEvidenceTask } from '@flareo/rekor-set/proofs';
import type { CryptoTask } from '@flareo/trust-root';
import type { Artifact } from '../artifact.js';
import { BundleVerifyError, type BundleVerifyErrorCode } from '../errors.js';
import type { DigestAlgorithm, SignedContent } from '../input.js';
import type { TrustedTime, Verification } from './context.js';
import type { SigningKey } from './verify-signature.js';

const REKOR_CODES: Record<RekorErrorCode, BundleVerifyErrorCode> = {
  ENTRY_MALFORMED: 'BUNDLE_MALFORMED',
  LOG_UNKNOWN: 'TLOG_UNTRUSTED',
  LOG_KEY_OUTSIDE_VALIDITY: 'SET_INVALID',
  SET_MISSING: 'SET_MISSING',
  SET_INVALID: 'SET_INVALID',
  INTEGRATED_TIME_IN_FUTURE: 'SET_INVALID',
  BODY_MALFORMED: 'LOG_BODY_MISMATCH',
  BODY_UNSUPPORTED_KIND: 'LOG_BODY_MISMATCH',
  BODY_KIND_MISMATCH: 'LOG_BODY_MISMATCH',
  BODY_DIGEST_MISMATCH: 'LOG_BODY_MISMATCH',
  BODY_SIGNATURE_MISMATCH: 'LOG_BODY_MISMATCH',
  BODY_VERIFIER_MISMATCH: 'LOG_BODY_MISMATCH',
  PROOF_MISSING: 'INCLUSION_PROOF_INVALID',
  PROOF_INVALID: 'INCLUSION_PROOF_INVALID',
  CHECKPOINT_MISSING: 'CHECKPOINT_INVALID',
  CHECKPOINT_MALFORMED: 'CHECKPOINT_INVALID',
  CHECKPOINT_INVALID: 'CHECKPOINT_INVALID',
  CHECKPOINT_UNSIGNED: 'CHECKPOINT_INVALID',
  CHECKPOINT_ORIGIN_MISMATCH: 'CHECKPOINT_INVALID',
  CHECKPOINT_MISMATCH: 'CHECKPOINT_INVALID',
  EVIDENCE_INSUFFICIENT: 'TLOG_MISSING',
  ARGUMENT_INVALID: 'ARGUMENT_INVALID',
};

/**
 * Step 5 (`tlog`): the log entries must prove, under the Rekor policy and threshold, that
 * this signature by this signer over this content was logged (`@flareo/rekor-set` does the
 * proving). A RekorError becomes the matching BundleVerifyError, kept as `cause`.
 */
export function* verifyLogEvidence(
  { input, artifact, config }: Verification,
  signing: SigningKey,
  stamps: readonly TrustedTime[],
): CryptoTask<RekorEvidence> {
  const { content } = input;
  const { rekor } = config;
  const binding: EntryBinding = {
    signature: content.signature,
    verifier:
      signing.kind === 'certificate'
        ? { certificate: signing.leaf.der }
        : { publicKey: signing.key.spki },
    ...(content.kind === 'dsse'
      ? { dsse: { payloadType: content.payloadType, payload: content.payload } }
      : bindingDigest(content, artifact)),
  };
  const observedTime = stamps.reduce<Date | undefined>(
    (earliest, t) => (earliest && earliest <= t.time ? earliest : t.time),
    undefined,
  );
  try {
    return yield* logEvidenceTask(input.tlogEntries, binding, config.trustRoot, {
      policy: rekor.policy,
      threshold: rekor.threshold,
      now: config.now(),
      maxEntries: config.limits.maxTlogEntries,
      ...(observedTime ? { observedTime } : {}),
      ...(rekor.clockSkewSeconds === undefined ? {} : { clockSkewSeconds: rekor.clockSkewSeconds }),
      ...(rekor.allowDeprecatedDsseV002 === undefined
        ? {}
        : { allowDeprecatedDsseV002: rekor.allowDeprecatedDsseV002 }),
    });
  } catch (error) {
    if (!(error instanceof RekorError)) throw error;
    throw new BundleVerifyError(
      REKOR_CODES[error.code],
      `transparency log: ${error.message}`,
      {
        step: 'tlog',
        rekorCode: error.code,
        field: error.detail.field,
        expected: error.detail.expected,
        actual: error.detail.actual,
        ...(error.code === 'LOG_UNKNOWN'
          ? {
              missing:
                'the transparency log (tlogs in trusted_root.json, or rekor.pub loaded with keysAs "tlog")',
            }
          : {}),
      },
      { cause: error },
    );
  }
}

/** The artifact digest a message signature's log entry names: the declared one, else SHA-256. */
function bindingDigest(
  content: Extract<SignedContent, { kind: 'message' }>,
  artifact: Artifact | undefined,
): { artifactDigest: { algorithm: DigestAlgorithm; digest: Uint8Array } } | Record<string, never> {
  const algorithm = content.digest?.algorithm ?? 'sha256';
  const digest = artifact?.digest(algorithm) ?? content.digest?.value;
  return digest ? { artifactDigest: { algorithm, digest } } : {};
}
