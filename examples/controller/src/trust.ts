import { readFileSync } from 'node:fs';
import {
  type BundleVerifier,
  BundleVerifyError,
  type CompiledIdentityPolicy,
  compileIdentityPolicy,
  createVerifier,
  summarizeResult,
  type TimeSource,
  type VerificationSummary,
} from '@flareo/bundle-verify';
import { type NormalizedInput, normalizeBundle } from '@flareo/bundle-verify/input';
import {
  mergeTrustRoots,
  parsePemTrustBundle,
  publicGoodTrustRoot,
  type TrustedCertificate,
  type TrustRoot,
  TrustRootError,
} from '@flareo/trust-root';
import type { ControllerConfig, RekorPolicyName } from './config.js';
import { ControllerError, jsonSafe, type RejectionReason } from './errors.js';
import type { SigningRequirement } from './profile.js';
import type { TrustInventory } from './validator.js';

/** Trust material read from disk once, at start-up. */
export interface LoadedTrust {
  readonly inventory: TrustInventory;
  /** Module trust root merged with the Rekor key(s) as transparency logs; undefined when neither holds anything. */
  readonly trustRoot: TrustRoot | undefined;
  /** Ids (sha256 of the SPKI) of the trusted module-signing keys, for logs. */
  readonly keyIds: readonly string[];
  /** Subjects of the trusted CA certificates, for logs. */
  readonly authorities: readonly string[];
}

function readTrustFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ControllerError(
      'TRUST_MATERIAL_INVALID',
      `cannot read the ${what} ${path}: ${(error as Error).message}`,
      { path },
      { cause: error },
    );
  }
}

function invalid(path: string, what: string, error: TrustRootError): ControllerError {
  return new ControllerError(
    'TRUST_MATERIAL_INVALID',
    `the ${what} ${path} is invalid: ${error.message}`,
    {
      path,
      ...(error.detail.line === undefined ? {} : { line: error.detail.line }),
      ...(error.detail.expected === undefined ? {} : { expected: error.detail.expected }),
      ...(error.detail.actual === undefined ? {} : { actual: error.detail.actual }),
    },
    { cause: error },
  );
}

const spkiOf = (certificate: TrustedCertificate): string =>
  Buffer.from(certificate.spki).toString('hex');

let publicGood: { fingerprints: Set<string>; spkis: Set<string> } | undefined;

/**
 * Whether a CA certificate belongs to a public certificate authority that issues code-signing
 * certificates to anyone: a root or intermediate of the Sigstore public-good Fulcio (by
 * fingerprint, or by public key for a re-issued certificate, from the root embedded in
 * `@flareo/trust-root`), or any certificate whose subject organisation is `sigstore.dev`
 * (the staging and older public-good instances).
 */
export function isPublicAuthority(certificate: TrustedCertificate): boolean {
  if (publicGood === undefined) {
    const certificates = publicGoodTrustRoot().certificateAuthorities.flatMap(
      (a) => a.certificates,
    );
    publicGood = {
      fingerprints: new Set(certificates.map((c) => c.fingerprint)),
      spkis: new Set(certificates.map(spkiOf)),
    };
  }
  if (publicGood.fingerprints.has(certificate.fingerprint)) return true;
  if (publicGood.spkis.has(spkiOf(certificate))) return true;
  // The subject in trust-root's printable form: RDNs joined by ", " (commas inside values escaped).
  return certificate.subject
    .split(/(?<!\\), /)
    .some((rdn) => rdn.trim().toLowerCase() === 'o=sigstore.dev');
}

/**
 * Read and parse the trust root and the Rekor key. A trust root file without any PEM block
 * is reported as empty (the validator decides whether that is fatal); a malformed one, or an
 * unreadable file, is an error.
 * @throws ControllerError `TRUST_MATERIAL_INVALID`
 */
export function loadTrust(config: ControllerConfig): LoadedTrust {
  const roots: TrustRoot[] = [];
  let inventory: { -readonly [K in keyof TrustInventory]: TrustInventory[K] } = {};
  const { trustRoot: trustPath, rekor } = config.signing;
  let moduleRoot: TrustRoot | undefined;
  if (trustPath !== undefined) {
    const text = readTrustFile(trustPath, 'trust root');
    try {
      moduleRoot = parsePemTrustBundle(text, { name: trustPath });
    } catch (error) {
      if (!(error instanceof TrustRootError)) throw error;
      if (error.code !== 'PEM_EMPTY') throw invalid(trustPath, 'trust root', error);
    }
    if (moduleRoot) roots.push(moduleRoot);
    inventory = {
      trustRoot: {
        path: trustPath,
        publicKeys: moduleRoot?.keys.length ?? 0,
        certificates: moduleRoot?.certificateAuthorities.length ?? 0,
        publicAuthorities: (moduleRoot?.certificateAuthorities ?? [])
          .filter((a) => a.certificates.some(isPublicAuthority))
          .map((a) => a.anchor.subject),
      },
    };
  }
  if (rekor.publicKey !== undefined) {
    const text = readTrustFile(rekor.publicKey, 'Rekor public key');
    let logRoot: TrustRoot;
    try {
      logRoot = parsePemTrustBundle(text, {
        name: rekor.publicKey,
        keysAs: 'tlog',
        logBaseUrl: rekor.url,
      });
    } catch (error) {
      if (!(error instanceof TrustRootError)) throw error;
      throw invalid(rekor.publicKey, 'Rekor public key', error);
    }
    if (logRoot.certificateAuthorities.length) {
      throw new ControllerError(
        'TRUST_MATERIAL_INVALID',
        `the Rekor public key ${rekor.publicKey} holds CERTIFICATE blocks; only PUBLIC KEY blocks belong there`,
        { path: rekor.publicKey, expected: 'PUBLIC KEY', actual: 'CERTIFICATE' },
      );
    }
    roots.push(logRoot);
    inventory = { ...inventory, rekor: { path: rekor.publicKey, keys: logRoot.tlogs.length } };
  }
  return {
    inventory,
    trustRoot: roots.length ? mergeTrustRoots(...roots) : undefined,
    keyIds: moduleRoot?.keys.map((k) => k.id) ?? [],
    authorities: moduleRoot?.certificateAuthorities.map((a) => a.anchor.subject) ?? [],
  };
}

const REKOR_POLICY = {
  DISABLED: 'disabled',
  REQUIRE_SET: 'require-set',
  REQUIRE_INCLUSION_PROOF: 'require-inclusion-proof',
} as const satisfies Record<RekorPolicyName, string>;

/** A signature shipped with a module: a `.cosign.bundle` (COSIGN_BUNDLE) or a `.sig` (KEYED). */
export interface ModuleSignature {
  readonly kind: 'bundle' | 'sig';
  readonly bytes: Uint8Array;
}

/** How a module's signature was judged. */
export type SignatureOutcome =
  | {
      readonly status: 'verified';
      readonly kind: 'bundle' | 'sig';
      readonly verification: VerificationSummary;
      /**
       * Set when the signature verified with a weaker guarantee than a transparency log gives:
       * under `rekor.policy: DISABLED`, a certificate checked at the controller's current time
       * because no SET verified (`cosign --insecure-ignore-tlog`). Audited at level `warn`.
       */
      readonly warning?: { readonly code: 'NO_LOG_TIME'; readonly message: string };
    }
  | { readonly status: 'unsigned'; readonly because: string }
  | { readonly status: 'unverified'; readonly kind: 'bundle' | 'sig'; readonly because: string };

function rejected(reason: RejectionReason, cause?: unknown): ControllerError {
  return new ControllerError(
    'SIGNATURE_VERIFICATION_FAILED',
    `signature verification failed: ${reason.code}: ${reason.message}`,
    { reason },
    cause === undefined ? undefined : { cause },
  );
}

/** The verifier reason in JSON-safe form. */
export function reasonOf(error: BundleVerifyError): RejectionReason {
  const d = error.detail;
  return {
    code: error.code,
    step: d.step,
    message: error.message,
    ...(d.expected === undefined ? {} : { expected: jsonSafe(d.expected) }),
    ...(d.actual === undefined ? {} : { actual: jsonSafe(d.actual) }),
    ...(d.field === undefined ? {} : { field: d.field }),
    ...(d.missing === undefined ? {} : { missing: d.missing }),
    ...(d.rekorCode === undefined ? {} : { rekorCode: d.rekorCode }),
  };
}

/**
 * True when one of the bundle's log entries carries a SignedEntryTimestamp (a Sigstore
 * bundle's `inclusionPromise`, or a legacy cosign `rekorBundle`). Only decides which verifier
 * runs under DISABLED: the entries themselves are verified by `@flareo/rekor-set`.
 */
function carriesSet(input: NormalizedInput): boolean {
  return input.tlogEntries.some((entry) => {
    if (typeof entry !== 'object' || entry === null) return false;
    const e = entry as {
      inclusionPromise?: { signedEntryTimestamp?: unknown } | null;
      SignedEntryTimestamp?: unknown;
    };
    const set = e.inclusionPromise?.signedEntryTimestamp ?? e.SignedEntryTimestamp;
    return typeof set === 'string' && set.length > 0;
  });
}

/**
 * The install-time signature check: the configured mode, Rekor policy, time sources and
 * identity policy compiled once over the trust material loaded at start-up.
 */
export class ModuleVerifier {
  readonly #config: ControllerConfig;
  readonly #requirement: SigningRequirement;
  readonly #verifier: BundleVerifier | undefined;
  /** DISABLED with a Rekor key: for bundles that carry a SET (see the constructor). */
  readonly #logged: BundleVerifier | undefined;
  readonly #identity: CompiledIdentityPolicy;

  constructor(config: ControllerConfig, trust: LoadedTrust, requirement: SigningRequirement) {
    this.#config = config;
    this.#requirement = requirement;
    try {
      this.#identity = compileIdentityPolicy(config.signing.identity);
    } catch (error) {
      if (!(error instanceof BundleVerifyError)) throw error;
      throw new ControllerError(
        'CONFIG_SCHEMA_INVALID',
        `modules.signing.identity: ${error.message}`,
        {
          ...(config.source === undefined ? {} : { path: config.source }),
          problems: [{ path: '/modules/signing/identity', message: error.message }],
        },
        { cause: error },
      );
    }
    const root = trust.trustRoot;
    const hasSigners =
      root !== undefined && (root.keys.length > 0 || root.certificateAuthorities.length > 0);
    // Certificates are checked at the integrated time of every verified SET; the current time
    // is added only on explicit opt-in. RFC 3161 timestamps are not a source: a PEM trust root
    // names no timestamp authority.
    const timeSources: TimeSource[] = config.signing.allowCurrentTime
      ? ['log', 'current']
      : ['log'];
    const disabled = config.signing.mode === 'KEYED' || config.signing.rekor.policy === 'DISABLED';
    if (hasSigners && !disabled) {
      this.#verifier = createVerifier(root, {
        rekor: { policy: REKOR_POLICY[config.signing.rekor.policy] },
        timeSources,
      });
    } else if (hasSigners) {
      // DISABLED: the log is not required, but a SET the bundle carries is verified against
      // rekor.publicKey when one is configured, and its integrated time is then the trusted
      // time (every entry the bundle carries must verify: a bad one rejects the module).
      // Without a SET that can be checked, certificates are checked at the current time, as
      // cosign does with --insecure-ignore-tlog.
      this.#verifier = createVerifier(root, {
        rekor: { policy: 'disabled' },
        timeSources: ['current'],
      });
      if (config.signing.mode === 'COSIGN_BUNDLE' && root.tlogs.length > 0) {
        this.#logged = createVerifier(root, { rekor: { policy: 'require-any' }, timeSources });
      }
    }
  }

  /** `true` when a module must carry a signature that verifies. */
  get enforced(): boolean {
    return this.#requirement.enforced;
  }

  /**
   * Judge a module's signature. A signature that is given is always verified when trust
   * material exists, and a failure rejects the module even where unsigned modules are allowed.
   * @throws ControllerError `SIGNATURE_VERIFICATION_FAILED` with the verifier's reason
   */
  check(module: Uint8Array, signature: ModuleSignature | undefined): SignatureOutcome {
    const mode = this.#config.signing.mode;
    if (signature === undefined) {
      if (this.#requirement.enforced) {
        throw rejected({
          code: 'SIGNATURE_REQUIRED',
          step: 'policy',
          message: `no signature was supplied and signatures are required (${this.#requirement.because})`,
          expected: mode === 'KEYED' ? 'a .sig file' : 'a .cosign.bundle file',
          actual: 'none',
        });
      }
      return { status: 'unsigned', because: this.#requirement.because };
    }
    if (this.#verifier === undefined) {
      if (this.#requirement.enforced) {
        // The validator refuses this configuration; kept as a fail-closed guard.
        throw rejected({
          code: 'SIGNATURE_UNVERIFIABLE',
          step: 'trust',
          message: 'the trust root holds no key or certificate',
          missing: 'modules.signing.trustRoot',
        });
      }
      return {
        status: 'unverified',
        kind: signature.kind,
        because: 'no trust root is configured, so the signature was not checked',
      };
    }
    try {
      if (signature.kind === 'sig') {
        const result = this.#verifier.verifySignature(
          Buffer.from(signature.bytes).toString('utf8'),
          module,
        );
        return { status: 'verified', kind: 'sig', verification: summarizeResult(result) };
      }
      const input = normalizeBundle(signature.bytes);
      const logged = this.#logged !== undefined && carriesSet(input);
      const verifier = logged ? (this.#logged as BundleVerifier) : this.#verifier;
      const result = verifier.verifyNormalized(input, module, this.#identity);
      const verification = summarizeResult(result);
      const unlogged =
        this.#config.signing.mode === 'COSIGN_BUNDLE' &&
        this.#config.signing.rekor.policy === 'DISABLED' &&
        !logged &&
        result.signer.kind === 'certificate' &&
        result.signer.trustedBy.kind === 'certificate-authority';
      if (!unlogged) return { status: 'verified', kind: 'bundle', verification };
      const why = !input.tlogEntries.length
        ? 'the bundle carries no Rekor entry'
        : !carriesSet(input)
          ? 'the bundle carries no SET'
          : 'no rekor.publicKey is configured to verify its SET';
      return {
        status: 'verified',
        kind: 'bundle',
        verification,
        warning: {
          code: 'NO_LOG_TIME',
          message: `the signing certificate was checked at the controller's current time, not at a transparency-log time: ${why} (rekor.policy DISABLED)`,
        },
      };
    } catch (error) {
      if (error instanceof BundleVerifyError) throw rejected(reasonOf(error), error);
      throw rejected(
        {
          code: 'VERIFIER_ERROR',
          step: 'parse',
          message: error instanceof Error ? error.message : String(error),
        },
        error,
      );
    }
  }
}
