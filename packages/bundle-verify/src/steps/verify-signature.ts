import { equalBytes, toHex } from '@flareo/internal/bytes';
import type { CryptoTask, TrustedKey } from '@flareo/trust-root';
import { publicKeyOf, type SigningCertificate } from '../certificate.js';
import { BundleVerifyError } from '../errors.js';
import { type CheckedStatement, checkSubjects } from '../intoto.js';
import { type SignerKey, signerKeyOfTrusted } from '../keys.js';
import { defaultDigests, verifyDsse, verifyMessage } from '../signature.js';
import type { Verification } from './context.js';
import type { SignerCandidates } from './resolve-signer.js';

/** The key whose signature verified: a certificate's, or a trusted key. */
export type SigningKey =
  | {
      readonly kind: 'certificate';
      readonly leaf: SigningCertificate;
      readonly pinned: TrustedKey | undefined;
    }
  | { readonly kind: 'key'; readonly key: TrustedKey };

const hex = toHex;

/**
 * Steps 1–2 (`signature`): what the bundle says was signed must be the artifact. A message
 * digest in the bundle must equal the artifact's (checked even without log entries); an
 * in-toto statement must name the artifact among its subjects (when an artifact is given).
 * Returns the in-toto statement of a DSSE bundle, parsed from the payload the signature
 * covers (verified by {@link verifySignature} next).
 */
export function checkSignedContent({
  input,
  artifact,
}: Verification): CheckedStatement | undefined {
  const { content } = input;
  if (content.kind === 'dsse') return checkSubjects(content.payloadType, content.payload, artifact);
  if (content.digest && artifact) {
    const { algorithm, value } = content.digest;
    const actual = artifact.digest(algorithm);
    if (actual && !equalBytes(actual, value)) {
      throw new BundleVerifyError(
        'DIGEST_MISMATCH',
        `bundle message digest is not the artifact's ${algorithm}`,
        {
          step: 'signature',
          field: 'messageSignature.messageDigest',
          expected: `${algorithm}:${hex(actual)}`,
          actual: `${algorithm}:${hex(value)}`,
        },
      );
    }
  }
  return undefined;
}

/**
 * Step 3b (`signature`, `trust`): the signature must verify over the artifact, its digest or
 * the DSSE pre-authentication encoding. A certificate's key must verify it
 * (SIGNATURE_MISMATCH); otherwise the first trusted key that verifies it is the signer
 * (UNTRUSTED_SIGNER when none does).
 */
export function* verifySignature(
  { input, artifact }: Verification,
  candidates: SignerCandidates,
): CryptoTask<SigningKey> {
  const { content } = input;
  const digests =
    content.kind === 'message' && content.digest ? [content.digest.algorithm] : undefined;
  function* check(key: SignerKey): CryptoTask<{ ok: boolean; reason?: string }> {
    if (content.kind === 'dsse') {
      return {
        ok: yield* verifyDsse(key, content.payloadType, content.payload, content.signature),
      };
    }
    // A message signature always comes with the artifact (checked when the call began).
    return yield* verifyMessage(
      key,
      digests ?? defaultDigests(key.kind),
      artifact!,
      content.signature,
    );
  }

  if (candidates.kind === 'certificate') {
    const result = yield* check(publicKeyOf(candidates.leaf));
    if (!result.ok) {
      throw new BundleVerifyError(
        'SIGNATURE_MISMATCH',
        `signature does not verify${result.reason ? `: ${result.reason}` : ' over the artifact'}`,
        { step: 'signature' },
      );
    }
    return { kind: 'certificate', leaf: candidates.leaf, pinned: candidates.pinned };
  }
  let reason: string | undefined;
  for (const key of candidates.keys) {
    const result = yield* check(signerKeyOfTrusted(key));
    if (result.ok) return { kind: 'key', key };
    reason ??= result.reason;
  }
  throw new BundleVerifyError(
    'UNTRUSTED_SIGNER',
    `no trusted public key verifies the signature (${candidates.keys.length} tried)${reason ? `: ${reason}` : ''}`,
    {
      step: 'trust',
      expected: candidates.keys.map((k) => k.id),
      missing: 'the PUBLIC KEY that made this signature',
    },
  );
}
