import { createHash, type KeyObject } from 'node:crypto';
import {
  type EntryBinding,
  RekorError,
  type RekorErrorCode,
  type RekorEvidence,
  type RekorPolicy,
  verifyLogEvidence,
} from '@flareo/rekor-set';
import {
  type CertificateAuthority,
  isWithin,
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
import { parseSigningCertificate, type SigningCertificate } from './certificate.js';
import { checkLeaf, checkValidity, verifyChain } from './chain.js';
import { BundleVerifyError, type BundleVerifyErrorCode } from './errors.js';
import {
  type CompiledIdentityPolicy,
  compileIdentityPolicy,
  type IdentityPolicy,
  identityOf,
  matchIdentity,
  type SignerIdentity,
} from './identity.js';
import {
  type BundleFormat,
  DEFAULT_LIMITS,
  type DigestAlgorithm,
  type InputLimits,
  type NormalizedInput,
  normalizeBundle,
  normalizeKeyedSignature,
} from './input.js';
import { checkSubjects, type InTotoStatementSummary } from './intoto.js';
import { defaultDigests, keyKind, verifyDsse, verifyMessage } from './signature.js';

/** Where a trusted time came from. */
export type TimeSource = 'log' | 'timestamp' | 'current';

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
  OPTION_INVALID: 'POLICY_INVALID',
};

const TIME_SOURCES: readonly TimeSource[] = ['log', 'timestamp', 'current'];

function isCompiled(p: IdentityPolicy | CompiledIdentityPolicy): p is CompiledIdentityPolicy {
  return Array.isArray((p as CompiledIdentityPolicy).extensions);
}

/** Hooks for the optional steps provided by other modules (timestamps, SCTs). */
export interface VerifierSteps {
  readonly verifyTimestamp?: (
    signedTimestamp: Uint8Array,
    signature: Uint8Array,
    trustRoot: TrustRoot,
  ) => {
    time: Date;
    /** The authority that signed, and the token's serial number: one token per pair. */
    authority?: { readonly certificates: readonly { readonly fingerprint: string }[] };
    serialNumber?: string;
  };
  readonly verifyScts?: (
    leafDer: Uint8Array,
    issuerDer: Uint8Array,
    trustRoot: TrustRoot,
    options: { threshold: number },
  ) => { verified: readonly unknown[] };
}

/**
 * Compile a trust root and options into a reusable verifier. Verification never performs
 * I/O; every failure throws a {@link BundleVerifyError} with the step and a stable code.
 */
export function createVerifierWith(
  trustRoot: TrustRoot,
  options: VerifierOptions,
  steps: VerifierSteps,
): BundleVerifier {
  requireTrustRoot('createVerifier', 'trustRoot', trustRoot);
  requireVerifierOptions('createVerifier', 'options', options);
  const rekorPolicy = options.rekor?.policy ?? 'require-any';
  const threshold = options.rekor?.threshold ?? (rekorPolicy === 'disabled' ? 0 : 1);
  const timeSources = options.timeSources ?? ['log', 'timestamp'];
  for (const s of timeSources) {
    if (!TIME_SOURCES.includes(s)) {
      throw new BundleVerifyError('POLICY_INVALID', `unknown time source ${JSON.stringify(s)}`, {
        step: 'time',
        expected: TIME_SOURCES,
        actual: s,
      });
    }
  }
  const timeThreshold = options.timeThreshold ?? 1;
  const sctThreshold = options.sctThreshold ?? 1;
  const limits: InputLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const now = options.now ?? (() => new Date());

  function verifyNormalized(
    input: NormalizedInput,
    artifactInput: ArtifactInput | undefined,
    policyInput?: IdentityPolicy | CompiledIdentityPolicy,
  ): VerificationResult {
    requireNormalizedInput('verifyNormalized', 'input', input);
    requirePolicy('verifyNormalized', 'policy', policyInput);
    const content = input.content;
    if (artifactInput === undefined && content.kind === 'message') {
      throw new BundleVerifyError(
        'POLICY_INVALID',
        'a message signature needs the artifact (bytes or digest)',
        { step: 'parse', field: 'artifact' },
      );
    }
    const artifact = artifactInput === undefined ? undefined : new Artifact(artifactInput);
    const policy =
      policyInput === undefined
        ? undefined
        : isCompiled(policyInput)
          ? policyInput
          : compileIdentityPolicy(policyInput);

    // 1. The bundle's own digest must be the artifact's (checked even without log entries).
    if (content.kind === 'message' && content.digest && artifact) {
      const actual = artifact.digest(content.digest.algorithm);
      if (actual && !Buffer.from(actual).equals(Buffer.from(content.digest.value))) {
        throw new BundleVerifyError(
          'DIGEST_MISMATCH',
          `bundle message digest is not the artifact's ${content.digest.algorithm}`,
          {
            step: 'signature',
            field: 'messageSignature.messageDigest',
            expected: `${content.digest.algorithm}:${Buffer.from(actual).toString('hex')}`,
            actual: `${content.digest.algorithm}:${Buffer.from(content.digest.value).toString('hex')}`,
          },
        );
      }
    }
    // 2. In-toto subjects against the artifact.
    const statement =
      content.kind === 'dsse'
        ? checkSubjects(content.payloadType, content.payload, artifact)
        : undefined;

    // 3. Which key signed: a certificate's key, or a trusted key.
    let leaf: SigningCertificate | undefined;
    let pinned: TrustedKey | undefined;
    let signingKey: KeyObject;
    let signerSpki: Uint8Array;
    const signatureBytes = content.signature;
    const digests =
      content.kind === 'message' && content.digest ? [content.digest.algorithm] : undefined;
    const checkWith = (key: KeyObject): { ok: boolean; reason?: string } => {
      const kind = keyKind(key);
      if (content.kind === 'dsse')
        return { ok: verifyDsse(key, kind, content.payloadType, content.payload, signatureBytes) };
      return verifyMessage(
        key,
        kind,
        digests ?? defaultDigests(kind),
        artifact as Artifact,
        signatureBytes,
      );
    };
    if (input.signer.kind === 'certificate') {
      const [leafDer] = input.signer.chain;
      if (!leafDer)
        throw new BundleVerifyError('BUNDLE_MALFORMED', 'empty certificate chain', {
          step: 'parse',
        });
      leaf = parseSigningCertificate(leafDer);
      signingKey = leaf.publicKey;
      signerSpki = leaf.spki;
      const id = createHash('sha256').update(leaf.spki).digest('hex');
      pinned = trustRoot.keysById(id)[0];
      const result = checkWith(signingKey);
      if (!result.ok) throw signatureMismatch(result.reason);
    } else {
      let candidates: readonly TrustedKey[];
      if (input.signer.kind === 'public-key' && input.signer.spki) {
        const id = createHash('sha256').update(input.signer.spki).digest('hex');
        candidates = trustRoot.keysById(id);
        if (!candidates.length) {
          throw new BundleVerifyError(
            'UNTRUSTED_SIGNER',
            `the bundle's public key (id ${id}) is not in the trust root`,
            {
              step: 'trust',
              expected: trustRoot.keys.map((k) => k.id),
              actual: id,
              missing: 'a PUBLIC KEY block for the signing key',
            },
          );
        }
      } else if (input.signer.kind === 'public-key' && input.signer.hint) {
        const hinted = /^[0-9a-f]{64}$/i.test(input.signer.hint)
          ? trustRoot.keysById(input.signer.hint)
          : [];
        candidates = hinted.length ? hinted : trustRoot.keys;
      } else {
        candidates = trustRoot.keys;
      }
      if (!candidates.length) {
        throw new BundleVerifyError(
          'UNTRUSTED_SIGNER',
          'the trust root holds no public keys to verify a keyed signature with',
          {
            step: 'trust',
            missing: 'PUBLIC KEY blocks',
          },
        );
      }
      let reason: string | undefined;
      for (const key of candidates) {
        const result = checkWith(key.keyObject);
        if (result.ok) {
          pinned = key;
          break;
        }
        reason ??= result.reason;
      }
      if (!pinned) {
        throw new BundleVerifyError(
          'UNTRUSTED_SIGNER',
          `no trusted public key verifies the signature (${candidates.length} tried)${reason ? `: ${reason}` : ''}`,
          {
            step: 'trust',
            expected: candidates.map((k) => k.id),
            missing: 'the PUBLIC KEY that made this signature',
          },
        );
      }
      signingKey = pinned.keyObject;
      signerSpki = pinned.spki;
    }

    // 4. RFC 3161 timestamps, verified before the log so that they bound its key window.
    // Every token is verified, but one token counts once as a trusted time: a TSA issues
    // one serial number per token (RFC 3161 §2.4.2), so copies of a token, however they
    // are wrapped, share the pair (TSA signing certificate, serial number).
    const stamped: { source: TimeSource; time: Date }[] = [];
    if (timeSources.includes('timestamp') && input.timestamps.length) {
      if (!steps.verifyTimestamp) {
        throw new BundleVerifyError(
          'TIMESTAMP_INVALID',
          'RFC 3161 timestamps cannot be verified by this build',
          { step: 'timestamp' },
        );
      }
      const seenTokens = new Set<string>();
      for (const ts of input.timestamps) {
        const verified = steps.verifyTimestamp(ts, signatureBytes, trustRoot);
        const tsa = verified.authority?.certificates[0]?.fingerprint;
        const key =
          tsa !== undefined && verified.serialNumber !== undefined
            ? `${tsa}:${verified.serialNumber}`
            : `token:${createHash('sha256').update(ts).digest('hex')}`;
        if (seenTokens.has(key)) continue;
        seenTokens.add(key);
        stamped.push({ source: 'timestamp', time: verified.time });
      }
    }
    const earliestStamp = stamped.reduce<Date | undefined>(
      (a, t) => (a && a <= t.time ? a : t.time),
      undefined,
    );

    // 5. Transparency-log evidence, bound to this signature, signer and content.
    const binding: EntryBinding = {
      signature: signatureBytes,
      verifier: leaf ? { certificate: leaf.der } : { publicKey: signerSpki },
      ...(content.kind === 'dsse'
        ? { dsse: { payloadType: content.payloadType, payload: content.payload } }
        : bindingDigest(content.digest, artifact)),
    };
    let tlog: RekorEvidence;
    try {
      tlog = verifyLogEvidence(input.tlogEntries, binding, trustRoot, {
        policy: rekorPolicy,
        threshold,
        now: now(),
        maxEntries: limits.maxTlogEntries,
        ...(earliestStamp ? { observedTime: earliestStamp } : {}),
        ...(options.rekor?.clockSkewSeconds === undefined
          ? {}
          : { clockSkewSeconds: options.rekor.clockSkewSeconds }),
        ...(options.rekor?.allowDeprecatedDsseV002 === undefined
          ? {}
          : { allowDeprecatedDsseV002: options.rekor.allowDeprecatedDsseV002 }),
      });
    } catch (error) {
      if (error instanceof RekorError) {
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
      throw error;
    }

    // 6. Trusted times.
    // One log entry (one body in one log) gives one trusted time, however often the bundle
    // repeats it: copies must not meet a `timeThreshold` of two.
    const times: { source: TimeSource; time: Date }[] = [];
    if (timeSources.includes('log')) {
      const seenEntries = new Set<string>();
      for (const e of tlog.entries) {
        const key = `${e.logId}:${e.leafHash}`;
        if (!e.integratedTime || seenEntries.has(key)) continue;
        seenEntries.add(key);
        times.push({ source: 'log', time: e.integratedTime });
      }
    }
    times.push(...stamped);
    if (timeSources.includes('current')) times.push({ source: 'current', time: now() });
    const instants = times.map((t) => t.time);

    // 7. Trust in the signer at those times.
    let signer: VerifiedSigner;
    let scts = 0;
    if (leaf) {
      const identity = identityOf(leaf);
      if (!policy) {
        throw new BundleVerifyError(
          'POLICY_INVALID',
          'an identity policy is required for certificate signers (pass {} to accept any identity the trust root vouches for)',
          { step: 'identity' },
        );
      }
      if (pinned) {
        signer = {
          kind: 'certificate',
          identity,
          certificate: describeCert(leaf),
          trustedBy: { kind: 'pinned-key', key: pinned },
        };
      } else {
        if (times.length < timeThreshold) {
          throw new BundleVerifyError(
            'TIME_SOURCE_MISSING',
            `a certificate needs ${timeThreshold} distinct trusted time(s) to be checked at; got ${times.length} (sources allowed: ${timeSources.join(', ')})`,
            {
              step: 'time',
              expected: timeThreshold,
              actual: times.length,
              missing:
                tlog.noLogTime && !input.timestamps.length
                  ? 'a verified SET or RFC 3161 timestamp (Rekor v2 entries carry no time)'
                  : undefined,
            },
          );
        }
        checkLeaf(leaf);
        checkValidity(leaf, instants, 'signing certificate');
        const chain = verifyChain(
          leaf,
          input.signer.kind === 'certificate' ? input.signer.chain.slice(1) : [],
          trustRoot,
          instants,
        );
        if (leaf.extensions.has('1.3.6.1.4.1.11129.2.4.2')) {
          if (!steps.verifyScts) {
            throw new BundleVerifyError(
              'SCT_INVALID',
              'the certificate carries SCTs, which this build cannot verify',
              { step: 'sct' },
            );
          }
          const issuerDer = chain.bundleIntermediates[0]?.der ?? chain.trustedIssuer.der;
          scts = steps.verifyScts(leaf.der, issuerDer, trustRoot, { threshold: sctThreshold })
            .verified.length;
        }
        signer = {
          kind: 'certificate',
          identity,
          certificate: describeCert(leaf),
          trustedBy: {
            kind: 'certificate-authority',
            authority: chain.authority,
            anchor: chain.authority.anchor.subject.replaceAll('\n', ', '),
          },
        };
      }
      matchIdentity(leaf, identity, policy);
    } else {
      const key = pinned as TrustedKey;
      for (const t of instants) {
        if (!isWithin(key.validFor, t)) {
          throw new BundleVerifyError(
            'UNTRUSTED_SIGNER',
            `trusted key ${key.id} is not valid at ${t.toISOString()}`,
            { step: 'trust', expected: key.validFor, actual: t.toISOString() },
          );
        }
      }
      signer = { kind: 'key', key };
    }

    return Object.freeze({
      format: input.format,
      content: content.kind === 'dsse' ? 'dsse' : 'message-signature',
      signer,
      times: Object.freeze(times),
      tlog,
      ...(statement === undefined ? {} : { statement }),
      scts,
    });
  }

  const verifier: BundleVerifier = {
    verifyBundle: (bundle, artifact, policy) => {
      requireBundleInput('verifyBundle', 'bundle', bundle);
      requirePolicy('verifyBundle', 'policy', policy);
      return verifyNormalized(normalizeBundle(bundle, limits), artifact, policy);
    },
    verifySignature: (signature, artifact) => {
      requireSignatureInput('verifySignature', 'signature', signature);
      return verifyNormalized(normalizeKeyedSignature(signature), artifact);
    },
    verifyNormalized,
  };
  return Object.freeze(verifier);
}

function bindingDigest(
  declared: { algorithm: DigestAlgorithm; value: Uint8Array } | undefined,
  artifact: Artifact | undefined,
): { artifactDigest: { algorithm: DigestAlgorithm; digest: Uint8Array } } | Record<string, never> {
  // The log entry names the digest the signer declared (bundle messageDigest), else SHA-256.
  const algorithm = declared?.algorithm ?? 'sha256';
  const digest = artifact?.digest(algorithm) ?? declared?.value;
  return digest ? { artifactDigest: { algorithm, digest } } : {};
}

function describeCert(leaf: SigningCertificate) {
  return Object.freeze({
    subject: leaf.subject,
    issuer: leaf.issuer.replaceAll('\n', ', '),
    notBefore: leaf.notBefore,
    notAfter: leaf.notAfter,
    fingerprint: createHash('sha256').update(leaf.der).digest('hex'),
  });
}

function signatureMismatch(reason?: string): BundleVerifyError {
  return new BundleVerifyError(
    'SIGNATURE_MISMATCH',
    `signature does not verify${reason ? `: ${reason}` : ' over the artifact'}`,
    {
      step: 'signature',
    },
  );
}
