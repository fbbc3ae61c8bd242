import type { SigningCertificate } from './certificate.js';
import { BundleVerifyError } from './errors.js';

/** A value to match: a string means exact equality; `{ regexp }` a full-match regular expression. */
export type Matcher = string | { readonly regexp: string };

/**
 * Who must have signed. Every field given must match; fields left out are not checked.
 * Regular expressions are always anchored: `{ regexp: 'https://github.com/acme/' }` does
 * not match `https://github.com/acme/x` — write `'https://github\\.com/acme/.*'`.
 */
export interface IdentityPolicy {
  /** A subject alternative name (URI, email or DNS) of the signing certificate. */
  readonly subjectAlternativeName?: Matcher;
  /** The OIDC issuer (Fulcio extension 1.3.6.1.4.1.57264.1.8, else the legacy .1.1). */
  readonly issuer?: Matcher;
  /**
   * Fulcio certificate extensions by friendly name (see {@link FULCIO_EXTENSIONS}) or by
   * dotted OID, e.g. `{ sourceRepositoryURI: 'https://github.com/acme/app' }`.
   */
  readonly extensions?: Readonly<Record<string, Matcher>>;
}

/** Friendly names of the Fulcio extensions (OID arc under 1.3.6.1.4.1.57264.1). */
export const FULCIO_EXTENSIONS: Readonly<Record<string, number>> = Object.freeze({
  githubWorkflowTrigger: 2,
  githubWorkflowSha: 3,
  githubWorkflowName: 4,
  githubWorkflowRepository: 5,
  githubWorkflowRef: 6,
  issuer: 8,
  buildSignerURI: 9,
  buildSignerDigest: 10,
  runnerEnvironment: 11,
  sourceRepositoryURI: 12,
  sourceRepositoryDigest: 13,
  sourceRepositoryRef: 14,
  sourceRepositoryIdentifier: 15,
  sourceRepositoryOwnerURI: 16,
  sourceRepositoryOwnerIdentifier: 17,
  buildConfigURI: 18,
  buildConfigDigest: 19,
  buildTrigger: 20,
  runInvocationURI: 21,
  sourceRepositoryVisibilityAtSigning: 22,
});

/** The signer identity a certificate carries. */
export interface SignerIdentity {
  readonly subjectAlternativeNames: readonly string[];
  readonly issuer?: string;
  /** Fulcio extension values by friendly name (or OID when unnamed). */
  readonly extensions: Readonly<Record<string, string>>;
}

interface CompiledMatcher {
  readonly describe: string;
  test(value: string): boolean;
}

/** An identity policy compiled once: regular expressions built and anchored. */
export interface CompiledIdentityPolicy {
  readonly san?: CompiledMatcher;
  readonly issuer?: CompiledMatcher;
  readonly extensions: readonly {
    readonly name: string;
    readonly oid: string;
    readonly matcher: CompiledMatcher;
  }[];
}

const OID = /^\d+(\.\d+)+$/;

function compileMatcher(field: string, m: Matcher): CompiledMatcher {
  if (typeof m === 'string') {
    if (m.length === 0) invalid(field, 'an exact value must not be empty');
    return { describe: JSON.stringify(m), test: (v) => v === m };
  }
  if (typeof m !== 'object' || m === null || typeof m.regexp !== 'string') {
    invalid(field, 'must be a string or { regexp: string }');
  }
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${m.regexp})$`, 'u');
  } catch (cause) {
    invalid(field, `invalid regular expression ${JSON.stringify(m.regexp)}`, cause);
  }
  return { describe: `/^(?:${m.regexp})$/`, test: (v) => re.test(v) };
}

function invalid(field: string, message: string, cause?: unknown): never {
  throw new BundleVerifyError(
    'POLICY_INVALID',
    `identity policy ${field}: ${message}`,
    { step: 'identity', field },
    cause === undefined ? undefined : { cause },
  );
}

export function compileIdentityPolicy(policy: IdentityPolicy): CompiledIdentityPolicy {
  if (
    typeof policy !== 'object' ||
    policy === null ||
    Array.isArray(policy) ||
    policy instanceof Uint8Array
  ) {
    invalid('policy', 'must be an object');
  }
  const ext: unknown = policy.extensions;
  if (ext !== undefined && (typeof ext !== 'object' || ext === null || Array.isArray(ext))) {
    invalid('extensions', 'must be an object of extension name to matcher');
  }
  const extensions = Object.entries(policy.extensions ?? {}).map(([name, matcher]) => {
    const arc = FULCIO_EXTENSIONS[name];
    const oid =
      arc !== undefined
        ? `1.3.6.1.4.1.57264.1.${arc}`
        : OID.test(name)
          ? name
          : invalid(
              `extensions.${name}`,
              'unknown extension name (use a Fulcio name or a dotted OID)',
            );
    return { name, oid, matcher: compileMatcher(`extensions.${name}`, matcher) };
  });
  return Object.freeze({
    ...(policy.subjectAlternativeName === undefined
      ? {}
      : { san: compileMatcher('subjectAlternativeName', policy.subjectAlternativeName) }),
    ...(policy.issuer === undefined ? {} : { issuer: compileMatcher('issuer', policy.issuer) }),
    extensions: Object.freeze(extensions),
  });
}

const NAME_BY_ARC = new Map(Object.entries(FULCIO_EXTENSIONS).map(([n, a]) => [a, n]));

/** The identity a certificate carries: its SANs, OIDC issuer and Fulcio extensions. */
export function identityOf(cert: SigningCertificate): SignerIdentity {
  const extensions: Record<string, string> = {};
  for (const [oid, v] of cert.fulcio) {
    const arc = Number(oid.split('.').pop());
    const name = arc === 1 ? 'issuerV1' : (NAME_BY_ARC.get(arc) ?? oid);
    extensions[name] = v;
  }
  const issuer =
    cert.fulcio.get('1.3.6.1.4.1.57264.1.8') ?? cert.fulcio.get('1.3.6.1.4.1.57264.1.1');
  return Object.freeze({
    subjectAlternativeNames: Object.freeze([...cert.san.uri, ...cert.san.email, ...cert.san.dns]),
    ...(issuer === undefined ? {} : { issuer }),
    extensions: Object.freeze(extensions),
  });
}

/** Check the certificate against the policy; throws IDENTITY_MISMATCH with expected vs actual. */
export function matchIdentity(
  cert: SigningCertificate,
  identity: SignerIdentity,
  policy: CompiledIdentityPolicy,
): void {
  if (policy.san) {
    const san = policy.san;
    if (!identity.subjectAlternativeNames.some((v) => san.test(v))) {
      throw new BundleVerifyError(
        'IDENTITY_MISMATCH',
        `signer identity mismatch: expected a SAN matching ${san.describe}, got ${identity.subjectAlternativeNames.length ? identity.subjectAlternativeNames.map((v) => JSON.stringify(v)).join(', ') : 'no SAN'}`,
        {
          step: 'identity',
          field: 'subjectAlternativeName',
          expected: san.describe,
          actual: identity.subjectAlternativeNames,
        },
      );
    }
  }
  if (policy.issuer) {
    const issuer = policy.issuer;
    if (identity.issuer === undefined || !issuer.test(identity.issuer)) {
      throw new BundleVerifyError(
        'IDENTITY_MISMATCH',
        `signer identity mismatch: expected OIDC issuer ${issuer.describe}, got ${identity.issuer === undefined ? 'none' : JSON.stringify(identity.issuer)}`,
        { step: 'identity', field: 'issuer', expected: issuer.describe, actual: identity.issuer },
      );
    }
  }
  for (const { name, oid, matcher } of policy.extensions) {
    const actual = cert.fulcio.get(oid);
    if (actual === undefined || !matcher.test(actual)) {
      throw new BundleVerifyError(
        'IDENTITY_MISMATCH',
        `signer identity mismatch: expected extension ${name} ${matcher.describe}, got ${actual === undefined ? 'none' : JSON.stringify(actual)}`,
        { step: 'identity', field: `extensions.${name}`, expected: matcher.describe, actual },
      );
    }
  }
}
