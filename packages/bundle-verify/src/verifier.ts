import { createHash } from 'node:crypto';
import type { RekorEvidence, RekorPolicy } from '@flareo/rekor-set';
import {
  type CertificateAuthority,
  platformCrypto,
  type SyncCryptoBackend,
  type TrustedKey,
  type TrustRoot,
} from '@flareo/trust-root';
import {
  requireBundleInput,
  requireNormalizedInput,
  requirePolicy,
  requireSignatureInput,
  requireTrustRoot,
  requireVerifierOptions,
} from './arguments.js';
import { Artifact, type ArtifactInput } from './artifact.js';
import type { SigningCertificate } from './certificate.js';
import { BundleVerifyError } from './errors.js';
import {
  type CompiledIdentityPolicy,
  compileIdentityPolicy,
  type IdentityPolicy,
  type SignerIdentity,
} from './identity.js';
import {
  type BundleFormat,
  DEFAULT_LIMITS,
  type InputLimits,
  type NormalizedInput,
  normalizeBundle,
  normalizeKeyedSignature,
} from './input.js';
import type { InTotoStatementSummary, VerifiedStatement } from './intoto.js';
import { checkIdentity, requireIdentityPolicy } from './steps/check-identity.js';
import { checkKeyValidity } from './steps/check-key-validity.js';
import { collectTrustedTimes } from './steps/collect-trusted-times.js';
import type { TimeSource, TrustedTime, Verification, VerifierConfig } from './steps/context.js';
import { resolveSigner } from './steps/resolve-signer.js';
import { verifyCertificatePath } from './steps/verify-certificate-path.js';
import { verifyLogEvidence } from './steps/verify-log-evidence.js';
import { checkSignedContent, verifySignature } from './steps/verify-signature.js';
import { verifyTimestamps } from './steps/verify-timestamps.js';

export type { TimeSource } from './steps/context.js';

/** Options of {@link createVerifier}. Compiled once; the verifier is reused for every bundle. */
export interface VerifierOptions {
  /**
   * Transparency-log requirements. Default `{ policy: 'require-any', threshold: 1 }`: every
   * bundle needs at least one verified log entry (the public-good shape). Use
   * `{ policy: 'disabled' }` for private keys or CAs without Rekor (the controller's DISABLED),
   * `'require-set'` for the controller's REQUIRE_SET.
   */
  readonly rekor?: {
    /** Default `'require-any'`. */
    readonly policy?: RekorPolicy;
    /** Distinct verified entries required. Default 1 (0 when disabled). */
    readonly threshold?: number;
    /** Clock skew allowed for integrated times, seconds. Default 60. */
    readonly clockSkewSeconds?: number;
    /** Accept deprecated Rekor v2 `dsse/0.0.2` entries. Default false. */
    readonly allowDeprecatedDsseV002?: boolean;
  };
  /**
   * Which times may be used to check a certificate's validity. Default `['log', 'timestamp']`:
   * verified SET integrated times and verified RFC 3161 timestamps. Add `'current'` only for
   * long-lived private-CA certificates: the certificate must then be valid now.
   */
  readonly timeSources?: readonly TimeSource[];
  /**
   * Distinct trusted times a certificate signature needs. Default 1. A log entry counts once
   * however often the bundle repeats it (same log id and leaf hash), and an RFC 3161 token
   * counts once however often it is repeated (same TSA and serial number).
   */
  readonly timeThreshold?: number;
  /** Verified SCTs needed when the signing certificate carries SCTs. Default 1. */
  readonly sctThreshold?: number;
  /** Input limits (see `InputLimits`). Defaults: 16 MiB, 10 certificates, 16 log entries, 16 timestamps. */
  readonly limits?: Partial<InputLimits>;
  /** The clock. Default `() => new Date()`. */
  readonly now?: () => Date;
  /**
   * The backend that answers the certificate-chain signature checks (a signing certificate
   * by its trusted issuer), the most expensive public-key operation of a keyless bundle
   * (ECDSA P-384 for the public-good CA). Default `platformCrypto.sync` from
   * `@flareo/trust-root`. Give `memoizeBackend(platformCrypto.sync, { maxEntries })` to pay
   * each recurring check once across many verifications (the same bundle for many
   * artifacts; `flareo verify-batch` does so): answers are unchanged, only work is saved.
   * Not accepted by `createVerifierPool` (a backend cannot cross threads).
   */
  readonly cryptoBackend?: SyncCryptoBackend;
}

/** Who signed, and what made them trusted. */
export type VerifiedSigner =
  | {
      readonly kind: 'key';
      /** The trusted key that verified the signature. */
      readonly key: TrustedKey;
    }
  | {
      readonly kind: 'certificate';
      readonly identity: SignerIdentity;
      readonly certificate: {
        readonly subject: string;
        readonly issuer: string;
        readonly notBefore: Date;
        readonly notAfter: Date;
        readonly fingerprint: string;
      };
      /** How the certificate was trusted: a chain to an authority, or its key pinned in the trust root. */
      readonly trustedBy:
        | {
            readonly kind: 'certificate-authority';
            readonly authority: CertificateAuthority;
            readonly anchor: string;
          }
        | { readonly kind: 'pinned-key'; readonly key: TrustedKey };
    };

/** What a successful verification proved. */
export interface VerificationResult {
  readonly format: BundleFormat;
  readonly content: 'message-signature' | 'dsse';
  readonly signer: VerifiedSigner;
  /** Every trusted time used, by source. */
  readonly times: readonly { readonly source: TimeSource; readonly time: Date }[];
  readonly tlog: RekorEvidence;
  /** The in-toto statement of a DSSE bundle, with the subject that matched the artifact. */
  readonly statement?: InTotoStatementSummary;
  /**
   * DSSE bundles with an in-toto payload: the statement whose signature this verification
   * checked, parsed from the signed payload bytes and deep-frozen, with the envelope's payload
   * type. Read the predicate (SLSA provenance, SBOM, VEX...) from here, never from the bundle
   * JSON: an envelope's other fields are not covered by the signature. Absent for message
   * signatures and for DSSE payloads of other types (whose bytes are the artifact itself).
   */
  readonly verifiedStatement?: VerifiedStatement;
  /** Verified SCT count (0 when the certificate has none or the signer is a key). */
  readonly scts: number;
}

/** A verifier bound to one trust root and one set of options. */
export interface BundleVerifier {
  /**
   * Verify a Sigstore bundle (v0.1–v0.3) or a legacy cosign bundle (JSON text, bytes or
   * object) for `artifact`. `policy` is required when the signer is a certificate (`{}`
   * accepts any identity the trust root vouches for). DSSE bundles may omit the artifact, in
   * which case the in-toto subjects are not checked (the result says so: no `matchedSubject`).
   */
  verifyBundle(
    bundle: string | Uint8Array | object,
    artifact: ArtifactInput | undefined,
    policy?: IdentityPolicy | CompiledIdentityPolicy,
  ): VerificationResult;
  /** KEYED mode: a raw `.sig` sidecar over `artifact`, against each trusted public key in turn. */
  verifySignature(signature: string | Uint8Array, artifact: ArtifactInput): VerificationResult;
  /** The normalised form, for callers that parse themselves. */
  verifyNormalized(
    input: NormalizedInput,
    artifact: ArtifactInput | undefined,
    policy?: IdentityPolicy | CompiledIdentityPolicy,
  ): VerificationResult;
}

const TIME_SOURCES: readonly TimeSource[] = ['log', 'timestamp', 'current'];

function isCompiled(p: IdentityPolicy | CompiledIdentityPolicy): p is CompiledIdentityPolicy {
  return Array.isArray((p as CompiledIdentityPolicy).extensions);
}

/**
 * Compile a trust root and options into a reusable, offline verifier. Build it once at
 * start-up and call it for every bundle; it holds no per-call state. Verification never
 * performs I/O; every failure throws a {@link BundleVerifyError} with the step and a stable
 * code.
 */
export function createVerifier(
  trustRoot: TrustRoot,
  options: VerifierOptions = {},
): BundleVerifier {
  const config = compileOptions(trustRoot, options);

  /**
   * The pipeline, one named step per line (numbered as in docs/architecture.md's table);
   * each step is a file of `src/steps/` and throws a BundleVerifyError naming its step.
   */
  function verifyNormalized(
    input: NormalizedInput,
    artifact: ArtifactInput | undefined,
    policy?: IdentityPolicy | CompiledIdentityPolicy,
  ): VerificationResult {
    const run = begin(config, input, artifact, policy);
    const checked = checkSignedContent(run); // 1-2. digest, in-toto subjects
    const signing = verifySignature(run, resolveSigner(run)); // 3. the signature, by whom
    const stamps = verifyTimestamps(run); // 4. RFC 3161 timestamps
    const tlog = verifyLogEvidence(run, signing, stamps); // 5. transparency log
    const times = collectTrustedTimes(run, tlog, stamps); // 6. trusted times
    let signer: VerifiedSigner;
    let scts = 0;
    if (signing.kind === 'key') {
      checkKeyValidity(signing.key, times); // 7. the key at those times
      signer = { kind: 'key', key: signing.key };
    } else {
      const wanted = requireIdentityPolicy(run, signing.leaf); // 7. a policy for the certificate
      const path = verifyCertificatePath(run, signing, times, tlog); // 7-8. chain, SCTs
      checkIdentity(signing.leaf, wanted); // 9. identity policy
      signer = {
        kind: 'certificate',
        identity: wanted.identity,
        certificate: describeCertificate(signing.leaf),
        trustedBy: path.trustedBy,
      };
      scts = path.scts;
    }
    return finish(run, signer, times, tlog, checked, scts);
  }

  const verifier: BundleVerifier = {
    verifyBundle: (bundle, artifact, policy) => {
      requireBundleInput('verifyBundle', 'bundle', bundle);
      requirePolicy('verifyBundle', 'policy', policy);
      return verifyNormalized(normalizeBundle(bundle, config.limits), artifact, policy);
    },
    verifySignature: (signature, artifact) => {
      requireSignatureInput('verifySignature', 'signature', signature);
      return verifyNormalized(normalizeKeyedSignature(signature), artifact);
    },
    verifyNormalized,
  };
  return Object.freeze(verifier);
}

/** Check the options once and apply every default. */
function compileOptions(trustRoot: TrustRoot, options: VerifierOptions): VerifierConfig {
  requireTrustRoot('createVerifier', 'trustRoot', trustRoot);
  requireVerifierOptions('createVerifier', 'options', options);
  const policy = options.rekor?.policy ?? 'require-any';
  const timeSources = options.timeSources ?? ['log', 'timestamp'];
  for (const s of timeSources) {
    if (!TIME_SOURCES.includes(s)) {
      throw new BundleVerifyError('ARGUMENT_INVALID', `unknown time source ${JSON.stringify(s)}`, {
        step: 'time',
        expected: TIME_SOURCES,
        actual: s,
      });
    }
  }
  return {
    trustRoot,
    rekor: {
      policy,
      threshold: options.rekor?.threshold ?? (policy === 'disabled' ? 0 : 1),
      ...(options.rekor?.clockSkewSeconds === undefined
        ? {}
        : { clockSkewSeconds: options.rekor.clockSkewSeconds }),
      ...(options.rekor?.allowDeprecatedDsseV002 === undefined
        ? {}
        : { allowDeprecatedDsseV002: options.rekor.allowDeprecatedDsseV002 }),
    },
    timeSources,
    timeThreshold: options.timeThreshold ?? 1,
    sctThreshold: options.sctThreshold ?? 1,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    now: options.now ?? (() => new Date()),
    cryptoBackend: options.cryptoBackend ?? platformCrypto.sync,
  };
}

/** Check this call's arguments and build the context every step reads. */
function begin(
  config: VerifierConfig,
  input: NormalizedInput,
  artifactInput: ArtifactInput | undefined,
  policyInput: IdentityPolicy | CompiledIdentityPolicy | undefined,
): Verification {
  requireNormalizedInput('verifyNormalized', 'input', input);
  requirePolicy('verifyNormalized', 'policy', policyInput);
  if (artifactInput === undefined && input.content.kind === 'message') {
    throw new BundleVerifyError(
      'ARGUMENT_INVALID',
      'a message signature needs the artifact (bytes or digest)',
      { step: 'parse', field: 'artifact' },
    );
  }
  return {
    config,
    input,
    artifact: artifactInput === undefined ? undefined : new Artifact(artifactInput),
    policy:
      policyInput === undefined
        ? undefined
        : isCompiled(policyInput)
          ? policyInput
          : compileIdentityPolicy(policyInput),
  };
}

function finish(
  { input }: Verification,
  signer: VerifiedSigner,
  times: readonly TrustedTime[],
  tlog: RekorEvidence,
  checked: ReturnType<typeof checkSignedContent>,
  scts: number,
): VerificationResult {
  return Object.freeze({
    format: input.format,
    content: input.content.kind === 'dsse' ? 'dsse' : 'message-signature',
    signer,
    times: Object.freeze(times),
    tlog,
    ...(checked === undefined
      ? {}
      : { statement: checked.summary, verifiedStatement: checked.verified }),
    scts,
  });
}

function describeCertificate(leaf: SigningCertificate) {
  return Object.freeze({
    subject: leaf.subject,
    issuer: leaf.issuer,
    notBefore: leaf.notBefore,
    notAfter: leaf.notAfter,
    fingerprint: createHash('sha256').update(leaf.der).digest('hex'),
  });
}
