import type { RekorEvidence, RekorPolicy } from '@flareo/rekor-set';
import {
  type CertificateAuthority,
  type CryptoBackend,
  type CryptoTask,
  runCryptoAsync,
  runCryptoSync,
  type SyncCryptoBackend,
  type TrustedKey,
  type TrustRoot,
} from '@flareo/trust-root';
import {
  argumentError,
  requireBundleInput,
  requireNormalizedInput,
  requireOptional,
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
  normalizeBundleWithin,
  normalizeKeyedSignature,
} from './input.js';
import type { InTotoStatementSummary, VerifiedStatement } from './intoto.js';
import { sha256Hex } from './keys.js';
import { asyncBackend, syncBackend } from './platform.js';
import { checkIdentity, requireIdentityPolicy } from './steps/check-identity.js';
import { checkKeyValidity } from './steps/check-key-validity.js';
import { collectTrustedTimes } from './steps/collect-trusted-times.js';
import type { TimeSource, TrustedTime, Verification, VerifierConfig } from './steps/context.js';
import { resolveSigner } from './steps/resolve-signer.js';
import { verifyCertificatePath } from './steps/verify-certificate-path.js';
import { verifyLogEvidence } from './steps/verify-log-evidence.js';
import { checkSignedContent, type SigningKey, verifySignature } from './steps/verify-signature.js';
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
   * The backend that answers every signature check of the synchronous methods (`verifyBundle`,
   * `verifySignature`, `verifyNormalized`); the `…Async` methods keep the platform's. Default
   * `platformCrypto.sync` from `@flareo/trust-root`. Give
   * `memoizeBackend(platformCrypto.sync, { maxEntries })` to pay each recurring check once
   * across many verifications (one signing certificate over many bundles, the same bundle for
   * many artifacts; `flareo verify-batch` does so): answers are unchanged, only work is saved.
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

/**
 * One check of the pipeline, reported by {@link VerifyCallOptions.onStep} as it passes, in
 * this order: `parse` (the input read), `digest` (the bundle's message digest or in-toto
 * subject is the artifact's), `signature`, `timestamp` (RFC 3161), `log-set`,
 * `log-inclusion-proof`, `log-checkpoint`, `log-body` (the log entry binds this signature),
 * `trusted-time` (the times the signer is checked at), `certificate-chain`, `sct`, `identity`.
 */
export type VerificationCheck =
  | 'parse'
  | 'digest'
  | 'signature'
  | 'timestamp'
  | 'log-set'
  | 'log-inclusion-proof'
  | 'log-checkpoint'
  | 'log-body'
  | 'trusted-time'
  | 'certificate-chain'
  | 'sct'
  | 'identity';

/** A check that passed, with what it established (plain JSON-able values and Dates). */
export interface VerificationProgress {
  readonly check: VerificationCheck;
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** Per-call options of the verify methods. */
export interface VerifyCallOptions {
  /**
   * Called once for each check as it passes, in pipeline order (a check that does not apply
   * to the input, such as `sct` for a keyed signature, is not reported). On a failure no
   * further event comes and the call throws (or the promise rejects with) the
   * `BundleVerifyError` naming the failed step. An exception thrown by the callback ends the
   * verification with that exception. Default: none.
   */
  readonly onStep?: (event: VerificationProgress) => void;
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
    options?: VerifyCallOptions,
  ): VerificationResult;
  /** KEYED mode: a raw `.sig` sidecar over `artifact`, against each trusted public key in turn. */
  verifySignature(
    signature: string | Uint8Array,
    artifact: ArtifactInput,
    options?: VerifyCallOptions,
  ): VerificationResult;
  /** The normalised form, for callers that parse themselves. */
  verifyNormalized(
    input: NormalizedInput,
    artifact: ArtifactInput | undefined,
    policy?: IdentityPolicy | CompiledIdentityPolicy,
    options?: VerifyCallOptions,
  ): VerificationResult;
  /**
   * {@link BundleVerifier.verifyBundle} in every runtime: the same pipeline, arguments,
   * result and `BundleVerifyError` codes and steps (the promise rejects with them).
   * Signatures are checked with WebCrypto outside Node (@noble where WebCrypto lacks an
   * operation), with `node:crypto` on Node. The synchronous methods outside Node verify
   * ECDSA and Ed25519 only (RSA throws `TrustRootError` `CRYPTO_UNAVAILABLE`): use these.
   */
  verifyBundleAsync(
    bundle: string | Uint8Array | object,
    artifact: ArtifactInput | undefined,
    policy?: IdentityPolicy | CompiledIdentityPolicy,
    options?: VerifyCallOptions,
  ): Promise<VerificationResult>;
  /** {@link BundleVerifier.verifySignature} in every runtime (see `verifyBundleAsync`). */
  verifySignatureAsync(
    signature: string | Uint8Array,
    artifact: ArtifactInput,
    options?: VerifyCallOptions,
  ): Promise<VerificationResult>;
  /** {@link BundleVerifier.verifyNormalized} in every runtime (see `verifyBundleAsync`). */
  verifyNormalizedAsync(
    input: NormalizedInput,
    artifact: ArtifactInput | undefined,
    policy?: IdentityPolicy | CompiledIdentityPolicy,
    options?: VerifyCallOptions,
  ): Promise<VerificationResult>;
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
  // An invalid `cryptoBackend` is refused by createVerifierWith's option checks before use.
  const own = (options as VerifierOptions | undefined)?.cryptoBackend;
  return createVerifierWith(trustRoot, options, { sync: own ?? syncBackend, async: asyncBackend });
}

/** The crypto backends a verifier's synchronous and asynchronous methods run the pipeline with. */
export interface VerifierBackends {
  readonly sync: SyncCryptoBackend;
  readonly async: CryptoBackend;
}

/**
 * {@link createVerifier} with chosen backends. Internal (not exported by the package): the
 * differential test runs the one pipeline on `node:crypto` and on WebCrypto with it.
 */
export function createVerifierWith(
  trustRoot: TrustRoot,
  options: VerifierOptions,
  backends: VerifierBackends,
): BundleVerifier {
  const config = compileOptions(trustRoot, options);

  /**
   * The pipeline, one named step per line (numbered as in docs/architecture.md's table);
   * each step is a file of `src/steps/` and throws a BundleVerifyError naming its step.
   * It is one crypto-seam task: the synchronous methods run it with `runCryptoSync`, the
   * asynchronous ones with `runCryptoAsync` (see `@flareo/trust-root`'s crypto seam).
   */
  function* pipeline(
    fn: string,
    input: NormalizedInput,
    artifact: ArtifactInput | undefined,
    policy: IdentityPolicy | CompiledIdentityPolicy | undefined,
    report: Reporter,
  ): CryptoTask<VerificationResult> {
    const run = begin(config, input, artifact, policy, fn);
    report('parse', { format: input.format, content: input.content.kind });
    const checked = checkSignedContent(run); // 1-2. digest, in-toto subjects
    if (report !== silent) reportDigest(run, checked, report); // its detail only when asked
    const signing = yield* verifySignature(run, resolveSigner(run)); // 3. the signature, by whom
    report('signature', signatureDetail(signing));
    const stamps = yield* verifyTimestamps(run); // 4. RFC 3161 timestamps
    if (stamps.length) report('timestamp', { times: stamps.map((t) => t.time) });
    const tlog = yield* verifyLogEvidence(run, signing, stamps); // 5. transparency log
    if (report !== silent) reportLog(tlog, report);
    const times = collectTrustedTimes(run, tlog, stamps); // 6. trusted times
    let signer: VerifiedSigner;
    let scts = 0;
    if (signing.kind === 'key') {
      checkKeyValidity(signing.key, times); // 7. the key at those times
      if (times.length) report('trusted-time', { times: times.map(copyTime) });
      signer = { kind: 'key', key: signing.key };
    } else {
      const wanted = requireIdentityPolicy(run, signing.leaf); // 7. a policy for the certificate
      // 7-8. chain, SCTs
      const path = yield* verifyCertificatePath(run, signing, times, tlog, report);
      checkIdentity(signing.leaf, wanted); // 9. identity policy
      report('identity', { ...wanted.identity });
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

  const verifyNormalized: BundleVerifier['verifyNormalized'] = (input, artifact, policy, o) =>
    runCryptoSync(
      pipeline('verifyNormalized', input, artifact, policy, reporter('verifyNormalized', o)),
      backends.sync,
    );

  function bundleTask(
    fn: string,
    bundle: string | Uint8Array | object,
    artifact: ArtifactInput | undefined,
    policy: IdentityPolicy | CompiledIdentityPolicy | undefined,
    o: VerifyCallOptions | undefined,
  ): CryptoTask<VerificationResult> {
    requireBundleInput(fn, 'bundle', bundle);
    requirePolicy(fn, 'policy', policy);
    const report = reporter(fn, o);
    // config.limits was checked and completed with the defaults by compileOptions.
    return pipeline(fn, normalizeBundleWithin(bundle, config.limits), artifact, policy, report);
  }

  function signatureTask(
    fn: string,
    signature: string | Uint8Array,
    artifact: ArtifactInput,
    o: VerifyCallOptions | undefined,
  ): CryptoTask<VerificationResult> {
    requireSignatureInput(fn, 'signature', signature);
    const report = reporter(fn, o);
    return pipeline(fn, normalizeKeyedSignature(signature), artifact, undefined, report);
  }

  const verifier: BundleVerifier = {
    verifyBundle: (bundle, artifact, policy, o) =>
      runCryptoSync(bundleTask('verifyBundle', bundle, artifact, policy, o), backends.sync),
    verifySignature: (signature, artifact, o) =>
      runCryptoSync(signatureTask('verifySignature', signature, artifact, o), backends.sync),
    verifyNormalized,
    verifyBundleAsync: async (bundle, artifact, policy, o) =>
      runCryptoAsync(bundleTask('verifyBundleAsync', bundle, artifact, policy, o), backends.async),
    verifySignatureAsync: async (signature, artifact, o) =>
      runCryptoAsync(signatureTask('verifySignatureAsync', signature, artifact, o), backends.async),
    verifyNormalizedAsync: async (input, artifact, policy, o) =>
      runCryptoAsync(
        pipeline(
          'verifyNormalizedAsync',
          input,
          artifact,
          policy,
          reporter('verifyNormalizedAsync', o),
        ),
        backends.async,
      ),
  };
  return Object.freeze(verifier);
}

type Reporter = (check: VerificationCheck, detail?: Record<string, unknown>) => void;

const silent: Reporter = () => {};

/** Check the per-call options; the reporter calls `onStep` with frozen events. */
function reporter(fn: string, options: VerifyCallOptions | undefined): Reporter {
  requireOptional(fn, 'options', options);
  const onStep = options?.onStep;
  if (onStep === undefined) return silent;
  if (typeof onStep !== 'function') {
    throw argumentError(fn, 'options.onStep', 'a function', onStep);
  }
  return (check, detail) =>
    onStep(
      Object.freeze(detail === undefined ? { check } : { check, detail: Object.freeze(detail) }),
    );
}

const copyTime = (t: TrustedTime) => ({ source: t.source, time: t.time });

function reportDigest(
  { input, artifact }: Verification,
  checked: ReturnType<typeof checkSignedContent>,
  report: Reporter,
): void {
  if (!artifact) return;
  const { content } = input;
  if (content.kind === 'dsse') {
    report(
      'digest',
      checked?.summary.matchedSubject
        ? {
            subject: checked.summary.matchedSubject.name,
            algorithm: checked.summary.matchedSubject.algorithm,
          }
        : { payload: true },
    );
  } else if (content.digest) {
    report('digest', { algorithm: content.digest.algorithm });
  }
}

function signatureDetail(signing: SigningKey): Record<string, unknown> {
  return signing.kind === 'key'
    ? { signer: 'key', keyId: signing.key.id }
    : { signer: 'certificate', subject: signing.leaf.subject, issuer: signing.leaf.issuer };
}

function reportLog(tlog: RekorEvidence, report: Reporter): void {
  const { entries } = tlog;
  if (!entries.length) return;
  const count = (pick: (c: RekorEvidence['entries'][number]['checks']) => boolean) =>
    entries.filter((e) => pick(e.checks)).length;
  const set = count((c) => c.set);
  if (set) report('log-set', { entries: set, integratedTime: tlog.integratedTime });
  const proofs = count((c) => c.inclusionProof);
  if (proofs) report('log-inclusion-proof', { entries: proofs });
  const checkpoints = entries.filter((e) => e.checks.checkpoint);
  if (checkpoints.length) {
    report('log-checkpoint', {
      entries: checkpoints.length,
      origins: [...new Set(checkpoints.map((e) => e.checkpoint?.origin))],
    });
  }
  report('log-body', {
    entries: entries.length,
    kinds: [...new Set(entries.map((e) => `${e.kind}/${e.version}`))],
  });
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
  };
}

/** Check this call's arguments and build the context every step reads. */
function begin(
  config: VerifierConfig,
  input: NormalizedInput,
  artifactInput: ArtifactInput | undefined,
  policyInput: IdentityPolicy | CompiledIdentityPolicy | undefined,
  fn: string,
): Verification {
  // The verifyBundle/verifySignature wrappers name their own function in argument errors;
  // what reaches here was normalised by them, so only verifyNormalized's callers see `fn`.
  const name = fn.startsWith('verifyNormalized') ? fn : 'verifyNormalized';
  requireNormalizedInput(name, 'input', input);
  requirePolicy(name, 'policy', policyInput);
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
    fingerprint: sha256Hex(leaf.der),
  });
}
