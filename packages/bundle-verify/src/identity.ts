import { RE2JS } from 're2js';
import type { SigningCertificate } from './certificate.js';
import { BundleVerifyError } from './errors.js';
import { SIMPLE_MAX_VALUE, simpleRegexpSource } from './simple-regexp.js';

/** How a regular expression is applied to a value. */
export type RegexpMatch = 'full' | 'search';

/** A regular-expression matcher of an {@link IdentityPolicy}. */
export interface RegexpMatcher {
  /**
   * The pattern, in RE2 syntax (Go's `regexp`, which cosign uses): `\pL`, `(?i)`, named groups
   * `(?P<name>…)`, POSIX classes `[[:alpha:]]` and `\Q…\E` work; backreferences and
   * lookaround do not exist in RE2 and are refused as `ARGUMENT_INVALID`. Matching runs on an RE2
   * engine in time linear in the value, so no pattern can hang the verifier.
   */
  readonly regexp: string;
  /**
   * Default `'full'`: the pattern must match the whole value, as if written `^(?:…)$`.
   * `'search'`: the pattern may match anywhere in the value, which is how cosign applies
   * `--certificate-identity-regexp` and `--certificate-oidc-issuer-regexp` (Go's
   * `MatchString`); a prefix such as `^https://github.com/acme/` then accepts every value
   * that starts with it. Anchor search patterns yourself (`^…$`) to say exactly what passes.
   */
  readonly match?: RegexpMatch;
}

/** A value to match: a string means exact equality; `{ regexp }` an RE2 regular expression. */
export type Matcher = string | RegexpMatcher;

/** Longest regular expression accepted in a policy, in characters. */
export const MAX_POLICY_REGEXP_LENGTH = 4096;

/**
 * Who must have signed. Every field given must match; fields left out are not checked.
 * Regular expressions are RE2 and anchored by default: `{ regexp: 'https://github.com/acme/' }`
 * does not match `https://github.com/acme/x` — write `'https://github\\.com/acme/.*'`, or ask
 * for cosign's unanchored search with `{ regexp, match: 'search' }`.
 */
export interface IdentityPolicy {
  /** A subject alternative name (URI, email or DNS) of the signing certificate. */
  readonly subjectAlternativeName?: Matcher;
  /** The OIDC issuer (Fulcio extension 1.3.6.1.4.1.57264.1.8, else the legacy .1.1). */
  readonly issuer?: Matcher;
  /**
   * Fulcio certificate extensions by friendly name (the camel-case names of Fulcio's OID
   * table under 1.3.6.1.4.1.57264.1, from `githubWorkflowTrigger` (.2) to `sourceRepositoryVisibilityAtSigning`
   * (.22): `sourceRepositoryURI`, `buildSignerURI`, `githubWorkflowRef`, …) or by dotted OID,
   * e.g. `{ sourceRepositoryURI: 'https://github.com/acme/app' }`. An unknown name is
   * `ARGUMENT_INVALID`.
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

/** An identity policy compiled once: regular expressions built (RE2) for full match or search. */
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
  const match: unknown = m.match ?? 'full';
  if (match !== 'full' && match !== 'search') {
    invalid(field, 'match must be "full" or "search"', undefined, ['full', 'search'], match);
  }
  if (m.regexp.length > MAX_POLICY_REGEXP_LENGTH) {
    invalid(
      field,
      `the regular expression is longer than ${MAX_POLICY_REGEXP_LENGTH} characters`,
      undefined,
      `<= ${MAX_POLICY_REGEXP_LENGTH} characters`,
      m.regexp.length,
    );
  }
  const describe = match === 'search' ? `/${m.regexp}/ (search)` : `/^(?:${m.regexp})$/`;
  const simple = simpleRegexpSource(m.regexp);
  if (simple !== undefined) return { describe, test: simpleTest(m.regexp, simple, match) };
  let re: RE2JS;
  try {
    re = compiledRe2(m.regexp);
  } catch (cause) {
    const reason =
      cause instanceof Error ? cause.message.replace(/^error parsing regexp: /, '') : '';
    invalid(
      field,
      `invalid RE2 regular expression ${JSON.stringify(m.regexp)}${reason ? `: ${reason}` : ''}`,
      cause,
      'an RE2 regular expression (no backreferences, no lookaround)',
      m.regexp,
    );
  }
  return { describe, test: re2Test(re, match) };
}

/** An RE2 program applied as `match` says: the whole value, or anywhere in it. */
const re2Test =
  (re: RE2JS, match: RegexpMatch) =>
  (v: string): boolean =>
    match === 'search' ? re.test(v) : re.testExact(v);

/**
 * A pattern of the simple sublanguage (simple-regexp.ts) as a JavaScript RegExp with the same
 * meaning; a value longer than `SIMPLE_MAX_VALUE` is matched with RE2 instead (compiled then).
 */
function simpleTest(pattern: string, source: string, match: RegexpMatch): (v: string) => boolean {
  const js = new RegExp(match === 'search' ? source : `^(?:${source})$`, 'u');
  // compiledRe2 keeps the program, so a long value compiles the pattern only the first time.
  return (v) =>
    v.length <= SIMPLE_MAX_VALUE ? js.test(v) : re2Test(compiledRe2(pattern), match)(v);
}

/** Compiled RE2 programs by pattern, most recently used last (compiling costs ~100 µs). */
const RE2_CACHE = new Map<string, RE2JS>();
const RE2_CACHE_SIZE = 256;

/** Compile an RE2 pattern once: a policy given uncompiled on every call reuses the program. */
function compiledRe2(pattern: string): RE2JS {
  let re = RE2_CACHE.get(pattern);
  if (re !== undefined) {
    RE2_CACHE.delete(pattern);
  } else {
    re = RE2JS.compile(pattern);
    if (RE2_CACHE.size >= RE2_CACHE_SIZE) {
      RE2_CACHE.delete(RE2_CACHE.keys().next().value as string);
    }
  }
  RE2_CACHE.set(pattern, re);
  return re;
}

function invalid(
  field: string,
  message: string,
  cause?: unknown,
  expected?: unknown,
  actual?: unknown,
): never {
  throw new BundleVerifyError(
    'ARGUMENT_INVALID',
    `identity policy ${field}: ${message}`,
    {
      step: 'identity',
      field,
      ...(expected === undefined ? {} : { expected }),
      ...(actual === undefined ? {} : { actual }),
    },
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
    const arc = Number(oid.slice(oid.lastIndexOf('.') + 1));
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
