import {
  type BundleVerifier,
  BundleVerifyError,
  type CompiledIdentityPolicy,
  compileIdentityPolicy,
  createVerifier,
  type IdentityPolicy,
  summarizeResult,
  type VerificationSummary,
  type VerifierOptions,
} from '@flareo/bundle-verify';
import type { TrustRoot } from '@flareo/trust-root';
import type { CollectedImage, CollectedSignature, SignatureOrigin } from './collect.js';
import { ImageVerifyError } from './errors.js';
import { COSIGN_ANNOTATIONS, COSIGN_SIGNATURE_TYPE, type Platform, platformName } from './oci.js';

/** What the caller requires of an image's signatures. */
export interface ImageVerifyPolicy {
  /**
   * The signer identity (SAN and OIDC issuer, exact or anchored regexp; Fulcio extensions).
   * Required: `{}` accepts any identity the trust root vouches for.
   */
  readonly identity: IdentityPolicy | CompiledIdentityPolicy;
  /**
   * Claims a cosign signature's payload must carry in `optional` (like `cosign verify -a
   * key=value`); values compare as strings. Signatures without the claims do not count.
   * Sigstore bundle referrers carry no such claims and never satisfy a non-empty requirement.
   * Default none.
   */
  readonly requireAnnotations?: Readonly<Record<string, string>>;
  /**
   * In-toto predicate types a DSSE bundle referrer may carry to count as an image signature.
   * Other attestations attached to the image (SLSA provenance, SBOMs) are listed, not counted.
   * Default `['https://sigstore.dev/cosign/sign/v1']` (what `cosign sign` writes in a bundle).
   */
  readonly acceptedPredicateTypes?: readonly string[];
}

/** The predicate type of the in-toto statement `cosign sign` puts in a Sigstore bundle. */
export const COSIGN_SIGN_PREDICATE_TYPE = 'https://sigstore.dev/cosign/sign/v1';

/** Options of {@link createImageVerifier}: the `@flareo/bundle-verify` verifier options. */
export type ImageVerifierOptions = VerifierOptions;

/** The decoded simple-signing payload of a cosign signature. */
export interface SimpleSigningClaims {
  readonly dockerReference?: string;
  readonly dockerManifestDigest: string;
  readonly type: string;
  /** The `optional` claims (cosign `-a key=value` annotations), when present. */
  readonly optional?: Readonly<Record<string, unknown>>;
}

/** The outcome for one signature found. */
export type SignatureReport =
  | {
      readonly verified: true;
      readonly kind: 'cosign' | 'bundle';
      readonly origin: SignatureOrigin;
      /** Signer identity, trust anchor, times and transparency-log entries. */
      readonly result: VerificationSummary;
      /** The simple-signing claims (cosign signatures). */
      readonly claims?: SimpleSigningClaims;
    }
  | {
      readonly verified: false;
      readonly kind: 'cosign' | 'bundle' | 'unreadable';
      readonly origin: SignatureOrigin;
      /** An `ImageVerifyError` code, or the `BundleVerifyError` code of the failed step. */
      readonly code: string;
      readonly message: string;
      readonly detail: Readonly<Record<string, unknown>>;
      /** What the cryptographic verification proved before a claim check failed. */
      readonly result?: VerificationSummary;
      readonly claims?: SimpleSigningClaims;
    };

/** The verification of one image (and its platform images, when collected). */
export interface ImageVerificationResult {
  /** True when at least one signature verified here and in every collected platform. */
  readonly verified: boolean;
  readonly reference: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly platform?: Platform;
  /** Every signature found, in the order found, verified or not. */
  readonly signatures: readonly SignatureReport[];
  /** Per-platform results of a multi-arch index, when the loader collected them. */
  readonly platforms?: readonly ImageVerificationResult[];
}

/** A verifier of image signatures, bound to one trust root and set of options. */
export interface ImageVerifier {
  /**
   * Verify what a loader collected. Pure: no I/O. Returns the result when the image (and
   * every collected platform image) has at least one verified signature; otherwise throws
   * `ImageVerifyError` `NO_SIGNATURES` or `NO_VERIFIED_SIGNATURE` with the full result in
   * `detail.result`.
   */
  verifyImage(collected: CollectedImage, policy: ImageVerifyPolicy): ImageVerificationResult;
  /** Like {@link verifyImage} but never throws for a failed verification: read `verified`. */
  inspectImage(collected: CollectedImage, policy: ImageVerifyPolicy): ImageVerificationResult;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function fail(
  kind: 'cosign' | 'bundle' | 'unreadable',
  origin: SignatureOrigin,
  code: string,
  message: string,
  detail: Readonly<Record<string, unknown>>,
  extra: { result?: VerificationSummary; claims?: SimpleSigningClaims } = {},
): SignatureReport {
  return { verified: false, kind, origin, code, message, detail, ...extra };
}

function fromError(
  kind: 'cosign' | 'bundle',
  origin: SignatureOrigin,
  error: unknown,
): SignatureReport {
  if (error instanceof BundleVerifyError || error instanceof ImageVerifyError) {
    return fail(kind, origin, error.code, error.message, { ...error.detail });
  }
  throw error;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Decode a simple-signing payload (only after its signature verified). */
function parseClaims(payload: Uint8Array): SimpleSigningClaims {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(payload));
  } catch (cause) {
    throw new ImageVerifyError('PAYLOAD_INVALID', 'the signed payload is not JSON', {}, { cause });
  }
  const critical = isRecord(json) ? json.critical : undefined;
  const image = isRecord(critical) ? critical.image : undefined;
  const digest = isRecord(image) ? image['docker-manifest-digest'] : undefined;
  const type = isRecord(critical) ? critical.type : undefined;
  if (typeof digest !== 'string' || typeof type !== 'string') {
    throw new ImageVerifyError(
      'PAYLOAD_INVALID',
      'the signed payload lacks critical.image.docker-manifest-digest or critical.type',
      { expected: 'simple-signing JSON' },
    );
  }
  const identity = isRecord(critical) ? critical.identity : undefined;
  const reference = isRecord(identity) ? identity['docker-reference'] : undefined;
  const optional = isRecord(json) && isRecord(json.optional) ? json.optional : undefined;
  return {
    ...(typeof reference === 'string' ? { dockerReference: reference } : {}),
    dockerManifestDigest: digest,
    type,
    ...(optional === undefined ? {} : { optional }),
  };
}

function checkAnnotations(
  claims: SimpleSigningClaims,
  required: Readonly<Record<string, string>>,
): void {
  for (const [key, value] of Object.entries(required)) {
    const actual = claims.optional?.[key];
    const text =
      actual === undefined
        ? undefined
        : typeof actual === 'string'
          ? actual
          : JSON.stringify(actual);
    if (text !== value) {
      throw new ImageVerifyError(
        'ANNOTATION_MISMATCH',
        `annotation ${key}: expected ${JSON.stringify(value)}, got ${text === undefined ? 'none' : JSON.stringify(text)}`,
        { key, expected: value, actual: text },
      );
    }
  }
}

function verifyCosign(
  verifier: BundleVerifier,
  signature: Extract<CollectedSignature, { kind: 'cosign' }>,
  imageDigest: string,
  identity: IdentityPolicy | CompiledIdentityPolicy,
  required: Readonly<Record<string, string>>,
): SignatureReport {
  const { origin, annotations, payload } = signature;
  const base64Signature = annotations[COSIGN_ANNOTATIONS.signature];
  if (!base64Signature) {
    return fail('cosign', origin, 'SIGNATURE_MALFORMED', 'the layer has no signature annotation', {
      expected: COSIGN_ANNOTATIONS.signature,
    });
  }
  // The Rekor bundle and the RFC 3161 timestamp annotations hold JSON.
  const parsed: { rekorBundle?: unknown; rfc3161Timestamp?: unknown } = {};
  for (const [field, key, what] of [
    ['rekorBundle', COSIGN_ANNOTATIONS.bundle, 'Rekor bundle'],
    ['rfc3161Timestamp', COSIGN_ANNOTATIONS.timestamp, 'RFC 3161 timestamp'],
  ] as const) {
    const text = annotations[key];
    if (text === undefined) continue;
    try {
      parsed[field] = JSON.parse(text);
    } catch (cause) {
      return fail('cosign', origin, 'SIGNATURE_MALFORMED', `the ${what} annotation is not JSON`, {
        expected: key,
        cause: (cause as Error).message,
      });
    }
  }
  const certificate = annotations[COSIGN_ANNOTATIONS.certificate];
  const chain = annotations[COSIGN_ANNOTATIONS.chain];
  const cert = certificate
    ? `${certificate.trimEnd()}\n${chain ? `${chain.trimEnd()}\n` : ''}`
    : undefined;
  // The layer maps onto a legacy cosign bundle verified over the exact payload bytes.
  const legacy = {
    base64Signature,
    ...(cert === undefined ? {} : { cert }),
    ...parsed,
  };
  let result: VerificationSummary;
  try {
    result = summarizeResult(verifier.verifyBundle(legacy, payload, identity));
  } catch (error) {
    return fromError('cosign', origin, error);
  }
  let claims: SimpleSigningClaims;
  try {
    claims = parseClaims(payload);
  } catch (error) {
    return { ...fromError('cosign', origin, error), result } as SignatureReport;
  }
  if (claims.dockerManifestDigest !== imageDigest) {
    return fail(
      'cosign',
      origin,
      'PAYLOAD_DIGEST_MISMATCH',
      `the signature is for ${claims.dockerManifestDigest}, not ${imageDigest}`,
      { expected: imageDigest, actual: claims.dockerManifestDigest },
      { result, claims },
    );
  }
  if (claims.type !== COSIGN_SIGNATURE_TYPE) {
    return fail(
      'cosign',
      origin,
      'PAYLOAD_TYPE_INVALID',
      `critical.type is ${JSON.stringify(claims.type)}`,
      { expected: COSIGN_SIGNATURE_TYPE, actual: claims.type },
      { result, claims },
    );
  }
  try {
    checkAnnotations(claims, required);
  } catch (error) {
    const e = error as ImageVerifyError;
    return fail('cosign', origin, e.code, e.message, { ...e.detail }, { result, claims });
  }
  return { verified: true, kind: 'cosign', origin, result, claims };
}

function verifyReferrer(
  verifier: BundleVerifier,
  signature: Extract<CollectedSignature, { kind: 'bundle' }>,
  imageDigest: string,
  identity: IdentityPolicy | CompiledIdentityPolicy,
  required: Readonly<Record<string, string>>,
  predicateTypes: readonly string[],
): SignatureReport {
  const { origin } = signature;
  let result: VerificationSummary;
  try {
    // The image digest is the artifact: a message signature's digest must equal it, a DSSE
    // statement must name it among its subjects (bundle-verify checks both).
    result = summarizeResult(
      verifier.verifyBundle(signature.bundle, { digest: imageDigest }, identity),
    );
  } catch (error) {
    return fromError('bundle', origin, error);
  }
  if (result.content === 'dsse' && result.statement?.matchedSubject === undefined) {
    return fail(
      'bundle',
      origin,
      'PAYLOAD_DIGEST_MISMATCH',
      'no in-toto subject is the image',
      {
        expected: imageDigest,
      },
      { result },
    );
  }
  if (
    result.content === 'dsse' &&
    !predicateTypes.includes(result.statement?.predicateType ?? '')
  ) {
    return fail(
      'bundle',
      origin,
      'PREDICATE_TYPE_MISMATCH',
      `an attestation (${result.statement?.predicateType}), not an image signature`,
      { expected: predicateTypes, actual: result.statement?.predicateType },
      { result },
    );
  }
  const keys = Object.keys(required);
  if (keys.length > 0) {
    return fail(
      'bundle',
      origin,
      'ANNOTATION_MISMATCH',
      'a Sigstore bundle carries no signed annotations to match',
      { expected: required, actual: undefined },
      { result },
    );
  }
  return { verified: true, kind: 'bundle', origin, result };
}

/**
 * Create an image verifier: cosign signature layers are verified as legacy cosign bundles over
 * their simple-signing payload (then the payload must name the image digest and the cosign
 * signature type, and carry the required annotations); Sigstore bundle referrers are verified
 * with the image digest as the artifact. Everything through `@flareo/bundle-verify`.
 */
export function createImageVerifier(
  trustRoot: TrustRoot,
  options: ImageVerifierOptions = {},
): ImageVerifier {
  const verifier = createVerifier(trustRoot, options);

  const inspect = (
    collected: CollectedImage,
    policy: ImageVerifyPolicy,
  ): ImageVerificationResult => {
    if (typeof policy !== 'object' || policy === null || policy.identity === undefined) {
      throw new ImageVerifyError(
        'ARGUMENT_INVALID',
        'policy.identity is required ({} accepts any identity the trust root vouches for)',
        { expected: 'policy.identity' },
      );
    }
    let identity: IdentityPolicy | CompiledIdentityPolicy;
    try {
      identity = Array.isArray((policy.identity as { extensions?: unknown }).extensions)
        ? policy.identity
        : compileIdentityPolicy(policy.identity as IdentityPolicy);
    } catch (error) {
      if (error instanceof BundleVerifyError) {
        throw new ImageVerifyError(
          'ARGUMENT_INVALID',
          error.message,
          { ...error.detail },
          { cause: error },
        );
      }
      throw error;
    }
    const required = policy.requireAnnotations ?? {};
    if (
      typeof required !== 'object' ||
      required === null ||
      Object.values(required).some((v) => typeof v !== 'string')
    ) {
      throw new ImageVerifyError(
        'ARGUMENT_INVALID',
        'requireAnnotations must map keys to strings',
        {
          expected: '{ [key]: string }',
          actual: required,
        },
      );
    }
    const predicateTypes = policy.acceptedPredicateTypes ?? [COSIGN_SIGN_PREDICATE_TYPE];
    const one = (image: CollectedImage): ImageVerificationResult => {
      if (
        typeof image !== 'object' ||
        image === null ||
        typeof image.digest !== 'string' ||
        !Array.isArray(image.signatures) ||
        (image.platforms !== undefined && !Array.isArray(image.platforms))
      ) {
        throw new ImageVerifyError(
          'ARGUMENT_INVALID',
          'not a collected image: pass what a SignatureSource collect() returned',
          { expected: '{ digest, signatures[] }' },
        );
      }
      const signatures = image.signatures.map((s): SignatureReport => {
        if (s.kind === 'unreadable')
          return fail('unreadable', s.origin, s.code, s.message, s.detail);
        return s.kind === 'cosign'
          ? verifyCosign(verifier, s, image.digest, identity, required)
          : verifyReferrer(verifier, s, image.digest, identity, required, predicateTypes);
      });
      const platforms = image.platforms?.map(one);
      const verified =
        signatures.some((s) => s.verified) && (platforms ?? []).every((p) => p.verified);
      return {
        verified,
        reference: image.reference,
        digest: image.digest,
        mediaType: image.mediaType,
        ...(image.platform === undefined ? {} : { platform: image.platform }),
        signatures,
        ...(platforms === undefined ? {} : { platforms }),
      };
    };
    return one(collected);
  };

  return {
    inspectImage: inspect,
    verifyImage(collected, policy) {
      const result = inspect(collected, policy);
      if (result.verified) return result;
      const failing =
        [result, ...(result.platforms ?? [])].find((r) => !r.signatures.some((s) => s.verified)) ??
        result;
      const none = failing.signatures.length === 0;
      const where = `${failing.reference} (${failing.digest}${failing.platform ? `, ${platformName(failing.platform)}` : ''})`;
      throw new ImageVerifyError(
        none ? 'NO_SIGNATURES' : 'NO_VERIFIED_SIGNATURE',
        none
          ? `no signature found for ${where}`
          : `none of the ${failing.signatures.length} signature(s) of ${where} verified: ${failing.signatures
              .map((s) => (s.verified ? 'verified' : s.code))
              .join(', ')}`,
        {
          image: failing.digest,
          signatures: failing.signatures,
          result,
        },
      );
    },
  };
}
