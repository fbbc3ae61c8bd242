import { isLoopback } from './auth.js';
import type { ControllerConfig } from './config.js';
import { resolveSigningRequirement, type SigningRequirement } from './profile.js';

/** Stable codes of the config validator's findings. */
export type ValidatorCode =
  /** error: a Rekor policy other than DISABLED with `mode: KEYED` (a `.sig` carries no log entry). */
  | 'REKOR_POLICY_REQUIRES_COSIGN_BUNDLE'
  /** error: a Rekor policy other than DISABLED without `rekor.publicKey`. */
  | 'REKOR_POLICY_REQUIRES_PUBLIC_KEY'
  /** error: signatures are enforced but no trust root is configured. */
  | 'TRUST_ROOT_MISSING'
  /** error when enforced, warning otherwise: the trust root file holds no key or certificate. */
  | 'TRUST_ROOT_EMPTY'
  /** error: KEYED signatures are enforced but the trust root holds no PUBLIC KEY block. */
  | 'KEYED_TRUST_ROOT_WITHOUT_KEYS'
  /** warning: production with `required: false` (kept in the audit log). */
  | 'PRODUCTION_SIGNING_NOT_REQUIRED'
  /** warning: `allowUnsignedDevelopment` set where it changes nothing. */
  | 'ALLOW_UNSIGNED_DEVELOPMENT_IGNORED'
  /**
   * warning: CA certificates trusted with `rekor.policy: DISABLED` and no `rekor.publicKey`:
   * certificate signers are checked at the current time (short-lived certificates fail).
   */
  | 'CERTIFICATES_CHECKED_AT_CURRENT_TIME'
  /** warning: CERTIFICATE blocks in the trust root are never used in KEYED mode. */
  | 'CERTIFICATES_UNUSED_IN_KEYED_MODE'
  /**
   * error in production, warning in development: a public CA (the Sigstore public-good
   * Fulcio) is trusted without an identity policy naming both the subject alternative name
   * and the OIDC issuer, so any Sigstore user could sign modules.
   */
  | 'PUBLIC_CA_WITHOUT_IDENTITY'
  /**
   * error in production, warning in development: the API listens beyond loopback with no
   * authentication (neither `controller.auth.tokens` nor `controller.listen.tls.clientCa`).
   */
  | 'LISTEN_WITHOUT_AUTH'
  /** warning: bearer tokens over plain HTTP beyond loopback (anyone on the path reads them). */
  | 'TOKENS_WITHOUT_TLS';

/** One finding of the config validator. */
export interface ValidatorFinding {
  readonly severity: 'error' | 'warn';
  readonly code: ValidatorCode;
  /** JSON path of the setting concerned in `controller.yml`. */
  readonly path: string;
  readonly message: string;
}

/** What the loaded trust material holds (see `loadTrust`). */
export interface TrustInventory {
  /** The trust root file, when configured. */
  readonly trustRoot?: {
    readonly path: string;
    readonly publicKeys: number;
    readonly certificates: number;
    /** Subjects of the CERTIFICATE blocks that are public CAs (see `isPublicAuthority`). */
    readonly publicAuthorities?: readonly string[];
  };
  /** The Rekor key file, when configured. */
  readonly rekor?: { readonly path: string; readonly keys: number };
}

/** The validator's verdict: refuse to start when `errors` is not empty. */
export interface ValidationReport {
  readonly requirement: SigningRequirement;
  readonly errors: readonly ValidatorFinding[];
  readonly warnings: readonly ValidatorFinding[];
}

const S = '/modules/signing';

/**
 * The config validator: checks the combination of settings and what the trust files hold.
 * Pure: the files are read by `loadTrust` before.
 */
export function validateConfig(config: ControllerConfig, trust: TrustInventory): ValidationReport {
  const { signing, runtime } = config;
  const requirement = resolveSigningRequirement(
    runtime.profile,
    signing.required,
    signing.allowUnsignedDevelopment,
  );
  const findings: ValidatorFinding[] = [];
  const add = (
    severity: ValidatorFinding['severity'],
    code: ValidatorCode,
    path: string,
    message: string,
  ) => findings.push({ severity, code, path, message });

  if (signing.rekor.policy !== 'DISABLED') {
    if (signing.mode !== 'COSIGN_BUNDLE') {
      add(
        'error',
        'REKOR_POLICY_REQUIRES_COSIGN_BUNDLE',
        `${S}/rekor/policy`,
        `rekor.policy ${signing.rekor.policy} requires mode COSIGN_BUNDLE (a raw .sig file carries no Rekor entry); mode is ${signing.mode}`,
      );
    }
    if (signing.rekor.publicKey === undefined) {
      add(
        'error',
        'REKOR_POLICY_REQUIRES_PUBLIC_KEY',
        `${S}/rekor/publicKey`,
        `rekor.policy ${signing.rekor.policy} requires rekor.publicKey (the Rekor public key PEM to verify log evidence offline)`,
      );
    }
  }

  const root = trust.trustRoot;
  const held = root ? root.publicKeys + root.certificates : 0;
  if (requirement.enforced && root === undefined) {
    add(
      'error',
      'TRUST_ROOT_MISSING',
      `${S}/trustRoot`,
      `signatures are required (${requirement.because}) but no trustRoot is configured: every install would fail`,
    );
  } else if (root !== undefined && held === 0) {
    add(
      requirement.enforced ? 'error' : 'warn',
      'TRUST_ROOT_EMPTY',
      `${S}/trustRoot`,
      `${root.path} holds no PUBLIC KEY or CERTIFICATE block: ${requirement.enforced ? 'every install would fail' : 'no signature can be verified'}`,
    );
  } else if (root !== undefined && signing.mode === 'KEYED' && root.publicKeys === 0) {
    add(
      requirement.enforced ? 'error' : 'warn',
      'KEYED_TRUST_ROOT_WITHOUT_KEYS',
      `${S}/trustRoot`,
      `mode KEYED verifies .sig files with PUBLIC KEY blocks only, and ${root.path} holds none`,
    );
  }
  if (root !== undefined && root.certificates > 0) {
    if (signing.mode === 'KEYED') {
      add(
        'warn',
        'CERTIFICATES_UNUSED_IN_KEYED_MODE',
        `${S}/trustRoot`,
        `${root.path} holds ${root.certificates} CERTIFICATE block(s), which mode KEYED never uses`,
      );
    } else if (signing.rekor.policy === 'DISABLED' && signing.rekor.publicKey === undefined) {
      add(
        'warn',
        'CERTIFICATES_CHECKED_AT_CURRENT_TIME',
        `${S}/rekor/publicKey`,
        "rekor.policy is DISABLED and no rekor.publicKey is set: certificate signers are checked at the current time (a SET cannot be verified), so short-lived certificates such as Fulcio's will have expired; set rekor.publicKey to use the time of a SET the bundle carries",
      );
    }
  }

  const publicAuthorities = root?.publicAuthorities ?? [];
  if (root !== undefined && publicAuthorities.length > 0 && signing.mode === 'COSIGN_BUNDLE') {
    const missing = [
      ...(signing.identity.subjectAlternativeName === undefined ? ['subjectAlternativeName'] : []),
      ...(signing.identity.issuer === undefined ? ['issuer'] : []),
    ];
    if (missing.length) {
      add(
        runtime.profile === 'production' ? 'error' : 'warn',
        'PUBLIC_CA_WITHOUT_IDENTITY',
        `${S}/identity`,
        `${root.path} trusts a public certificate authority (${publicAuthorities.join('; ')}) that gives a certificate to anyone with an OIDC account, and modules.signing.identity does not name the ${missing.join(' and the ')}: any Sigstore user could sign a module that installs. Set modules.signing.identity.subjectAlternativeName and .issuer to your module authors' identity${runtime.profile === 'production' ? '' : ' (a production controller refuses to start this way)'}`,
      );
    }
  }

  const { host, auth, tls } = config.controller;
  const authenticated = auth.tokensFile !== undefined || tls?.clientCa !== undefined;
  if (!isLoopback(host) && !authenticated) {
    add(
      runtime.profile === 'production' ? 'error' : 'warn',
      'LISTEN_WITHOUT_AUTH',
      '/controller/auth',
      `the install API would listen on ${host}, beyond this machine, without authentication: anyone who reaches the port could install modules. Set controller.auth.tokens (bearer tokens) and/or controller.listen.tls.clientCa (client certificates), or listen on 127.0.0.1${runtime.profile === 'production' ? '' : ' (a production controller refuses to start this way)'}`,
    );
  }
  if (!isLoopback(host) && auth.tokensFile !== undefined && tls === undefined) {
    add(
      'warn',
      'TOKENS_WITHOUT_TLS',
      '/controller/listen/tls',
      `bearer tokens are sent in clear over plain HTTP on ${host}: set controller.listen.tls (certificate and key)`,
    );
  }

  if (requirement.warn) {
    add(
      'warn',
      'PRODUCTION_SIGNING_NOT_REQUIRED',
      `${S}/required`,
      'production controller with modules.signing.required=false: unsigned modules will be installed',
    );
  }
  if (
    signing.allowUnsignedDevelopment !== undefined &&
    (runtime.profile === 'production' || signing.required !== true)
  ) {
    add(
      'warn',
      'ALLOW_UNSIGNED_DEVELOPMENT_IGNORED',
      `${S}/allowUnsignedDevelopment`,
      runtime.profile === 'production'
        ? 'allowUnsignedDevelopment has no effect in the production profile'
        : 'allowUnsignedDevelopment only relaxes required=true; with required unset or false it has no effect',
    );
  }

  return {
    requirement,
    errors: findings.filter((f) => f.severity === 'error'),
    warnings: findings.filter((f) => f.severity === 'warn'),
  };
}
