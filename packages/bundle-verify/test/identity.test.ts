import {
  buildTrustedRoot,
  createFulcioChain,
  DEFAULT_GITHUB_CLAIMS,
  DEFAULT_OIDC_ISSUER,
  DEFAULT_WORKFLOW_URI,
  mintSigstoreBundle,
  type TestCertificate,
  TestRekorV1,
} from '@flareo/testkit';
import { parsePemTrustBundle, parseTrustedRoot } from '@flareo/trust-root';
import { describe, expect, it } from 'vitest';
import { parseSigningCertificate } from '../src/certificate.js';
import { FULCIO_EXTENSIONS, identityOf, MAX_POLICY_REGEXP_LENGTH } from '../src/identity.js';
import {
  type BundleVerifyErrorCode,
  compileIdentityPolicy,
  createVerifier,
  type IdentityPolicy,
} from '../src/index.js';
import { rejection as expectStep } from './support/rejection.js';

const artifact = new TextEncoder().encode('identity policy artifact');
const chain = createFulcioChain({ seed: 'bv-identity' });
const rekor = new TestRekorV1({ seed: 'bv-identity-rekor' });
const verifier = createVerifier(
  parseTrustedRoot({
    ...buildTrustedRoot({ certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }] }),
    tlogs: [rekor.transparencyLogInstance()],
  }),
);
const leaf = chain.leaf();
const bundles = new Map<TestCertificate, object>();
const bundleOf = (certificate: TestCertificate) => {
  let b = bundles.get(certificate);
  if (!b) {
    b = mintSigstoreBundle({
      version: '0.2',
      content: { kind: 'message', artifact },
      signer: { certificate },
      rekor,
    }).json;
    bundles.set(certificate, b);
  }
  return b;
};
const verify = (policy: IdentityPolicy, certificate: TestCertificate = leaf) =>
  verifier.verifyBundle(bundleOf(certificate), artifact, policy);

const rejection = (
  fn: () => unknown,
  code: BundleVerifyErrorCode,
  detail: Record<string, unknown> = {},
) => expectStep(fn, code, 'identity', detail);

describe('identity policy: matches', () => {
  it.each<[string, IdentityPolicy]>([
    ['any identity ({})', {}],
    ['SAN exact', { subjectAlternativeName: DEFAULT_WORKFLOW_URI }],
    [
      'SAN anchored regexp',
      {
        subjectAlternativeName: {
          regexp: 'https://github\\.com/flareo/demo/\\.github/workflows/.*@refs/tags/v.*',
        },
      },
    ],
    [
      'SAN regexp with alternation (anchored as a whole)',
      { subjectAlternativeName: { regexp: 'nope|https://github\\.com/flareo/.*' } },
    ],
    ['issuer exact', { issuer: DEFAULT_OIDC_ISSUER }],
    ['issuer regexp', { issuer: { regexp: 'https://token\\.actions\\.githubusercontent\\.com' } }],
    [
      'SAN and issuer',
      { subjectAlternativeName: DEFAULT_WORKFLOW_URI, issuer: DEFAULT_OIDC_ISSUER },
    ],
    [
      'Fulcio v2 extensions by name',
      {
        extensions: {
          sourceRepositoryURI: 'https://github.com/flareo/demo',
          sourceRepositoryRef: 'refs/tags/v1.0.0',
          runnerEnvironment: 'github-hosted',
          buildSignerURI: DEFAULT_WORKFLOW_URI,
        },
      },
    ],
    [
      'Fulcio v1 extensions by name',
      {
        extensions: {
          githubWorkflowRepository: 'flareo/demo',
          githubWorkflowTrigger: 'push',
          githubWorkflowSha: DEFAULT_GITHUB_CLAIMS.workflowSha,
        },
      },
    ],
    [
      'an extension by dotted OID (v1 issuer, raw)',
      { extensions: { '1.3.6.1.4.1.57264.1.1': DEFAULT_OIDC_ISSUER } },
    ],
    [
      'an extension by regexp',
      { extensions: { sourceRepositoryRef: { regexp: 'refs/tags/v[0-9]+\\.[0-9]+\\.[0-9]+' } } },
    ],
  ])('%s', (_name, policy) => {
    const result = verify(policy);
    if (result.signer.kind !== 'certificate') throw new Error('expected a certificate signer');
    expect(result.signer.identity.subjectAlternativeNames).toEqual([DEFAULT_WORKFLOW_URI]);
  });

  it('an email SAN, and any one of several SANs, can match', () => {
    const multi = chain.leaf({
      seed: 'bv-identity-multi',
      san: { uri: ['https://flareo.test/a'], email: ['release@flareo.test'] },
    });
    expect(verify({ subjectAlternativeName: 'release@flareo.test' }, multi).signer.kind).toBe(
      'certificate',
    );
    expect(verify({ subjectAlternativeName: 'https://flareo.test/a' }, multi).signer.kind).toBe(
      'certificate',
    );
  });

  it('a compiled policy is reusable and gives the same answer', () => {
    const compiled = compileIdentityPolicy({
      subjectAlternativeName: { regexp: 'https://github\\.com/flareo/.*' },
    });
    expect(Object.isFrozen(compiled)).toBe(true);
    expect(verifier.verifyBundle(bundleOf(leaf), artifact, compiled).signer.kind).toBe(
      'certificate',
    );
    const other = chain.leaf({
      seed: 'bv-identity-other',
      san: { uri: ['https://gitlab.com/flareo/demo'] },
    });
    rejection(
      () => verifier.verifyBundle(bundleOf(other), artifact, compiled),
      'IDENTITY_MISMATCH',
    );
  });

  it('the identity lists SANs, issuer and Fulcio extensions by name', () => {
    const identity = identityOf(parseSigningCertificate(leaf.der));
    expect(identity).toMatchObject({
      subjectAlternativeNames: [DEFAULT_WORKFLOW_URI],
      issuer: DEFAULT_OIDC_ISSUER,
      extensions: {
        issuerV1: DEFAULT_OIDC_ISSUER,
        issuer: DEFAULT_OIDC_ISSUER,
        githubWorkflowRepository: 'flareo/demo',
        sourceRepositoryURI: 'https://github.com/flareo/demo',
        runInvocationURI: DEFAULT_GITHUB_CLAIMS.runInvocationUri,
      },
    });
    expect(FULCIO_EXTENSIONS.sourceRepositoryURI).toBe(12);
  });
});

describe('identity policy: mismatches → IDENTITY_MISMATCH with expected and actual', () => {
  it('a wrong SAN', () => {
    rejection(
      () =>
        verify({
          subjectAlternativeName:
            'https://github.com/evil/demo/.github/workflows/release.yml@refs/tags/v1.0.0',
        }),
      'IDENTITY_MISMATCH',
      {
        field: 'subjectAlternativeName',
        expected: JSON.stringify(
          'https://github.com/evil/demo/.github/workflows/release.yml@refs/tags/v1.0.0',
        ),
        actual: [DEFAULT_WORKFLOW_URI],
      },
    );
  });

  it('the unanchored-regexp trap: a prefix regexp does NOT match a longer SAN', () => {
    rejection(
      () => verify({ subjectAlternativeName: { regexp: 'https://github.com/flareo/' } }),
      'IDENTITY_MISMATCH',
      {
        field: 'subjectAlternativeName',
        expected: '/^(?:https://github.com/flareo/)$/',
        actual: [DEFAULT_WORKFLOW_URI],
      },
    );
    // Nor does a suffix or an infix.
    rejection(
      () => verify({ subjectAlternativeName: { regexp: 'release\\.yml@refs/tags/v1\\.0\\.0' } }),
      'IDENTITY_MISMATCH',
    );
    rejection(() => verify({ subjectAlternativeName: { regexp: 'flareo' } }), 'IDENTITY_MISMATCH');
  });

  it('a lookalike SAN with an unescaped dot matches only when the regexp allows it', () => {
    const lookalike = chain.leaf({
      seed: 'bv-identity-look',
      san: { uri: ['https://githubXcom/flareo/demo'] },
    });
    expect(
      verify({ subjectAlternativeName: { regexp: 'https://github.com/flareo/demo' } }, lookalike)
        .signer.kind,
    ).toBe('certificate');
    rejection(
      () =>
        verify(
          { subjectAlternativeName: { regexp: 'https://github\\.com/flareo/demo' } },
          lookalike,
        ),
      'IDENTITY_MISMATCH',
    );
  });

  it('exact matching is exact (case and trailing characters)', () => {
    rejection(
      () => verify({ subjectAlternativeName: DEFAULT_WORKFLOW_URI.toUpperCase() }),
      'IDENTITY_MISMATCH',
    );
    rejection(
      () => verify({ subjectAlternativeName: `${DEFAULT_WORKFLOW_URI}/` }),
      'IDENTITY_MISMATCH',
    );
    rejection(() => verify({ issuer: `${DEFAULT_OIDC_ISSUER}/` }), 'IDENTITY_MISMATCH', {
      field: 'issuer',
      actual: DEFAULT_OIDC_ISSUER,
    });
  });

  it('a wrong issuer, exact and regexp', () => {
    rejection(() => verify({ issuer: 'https://accounts.google.com' }), 'IDENTITY_MISMATCH', {
      field: 'issuer',
      expected: '"https://accounts.google.com"',
      actual: DEFAULT_OIDC_ISSUER,
    });
    rejection(
      () => verify({ issuer: { regexp: 'https://token\\.actions' } }),
      'IDENTITY_MISMATCH',
      { field: 'issuer' },
    );
  });

  it('a wrong Fulcio extension value', () => {
    rejection(
      () => verify({ extensions: { sourceRepositoryURI: 'https://github.com/flareo/other' } }),
      'IDENTITY_MISMATCH',
      {
        field: 'extensions.sourceRepositoryURI',
        actual: 'https://github.com/flareo/demo',
      },
    );
  });

  it('a Fulcio extension the certificate does not carry', () => {
    rejection(() => verify({ extensions: { buildTrigger: 'push' } }), 'IDENTITY_MISMATCH', {
      field: 'extensions.buildTrigger',
      actual: undefined,
    });
  });

  it('no SAN at all, against a SAN policy', () => {
    const noSan = chain.leaf({ seed: 'bv-identity-nosan', omitSan: true });
    expect(verify({}, noSan).signer.kind).toBe('certificate');
    rejection(
      () => verify({ subjectAlternativeName: { regexp: '.*' } }, noSan),
      'IDENTITY_MISMATCH',
      {
        field: 'subjectAlternativeName',
        actual: [],
      },
    );
  });

  it('no OIDC issuer extension, against an issuer policy', () => {
    const noIssuer = chain.leaf({ seed: 'bv-identity-noiss', oidcIssuer: null });
    rejection(() => verify({ issuer: { regexp: '.*' } }, noIssuer), 'IDENTITY_MISMATCH', {
      field: 'issuer',
      actual: undefined,
    });
  });

  it('the identity is checked for pinned-key certificates too', () => {
    const pinned = createVerifier(parsePemTrustBundle(leaf.key.publicKeyPem), {
      rekor: { policy: 'disabled' },
    });
    const offline = mintSigstoreBundle({
      version: '0.3',
      content: { kind: 'message', artifact },
      signer: { certificate: leaf },
    });
    expect(
      pinned.verifyBundle(offline.json, artifact, { subjectAlternativeName: DEFAULT_WORKFLOW_URI })
        .signer,
    ).toMatchObject({
      kind: 'certificate',
      trustedBy: { kind: 'pinned-key' },
    });
    rejection(
      () => pinned.verifyBundle(offline.json, artifact, { subjectAlternativeName: 'someone-else' }),
      'IDENTITY_MISMATCH',
    );
  });
});

describe('identity policy: invalid policies → ARGUMENT_INVALID', () => {
  it.each<[string, unknown, string]>([
    [
      'an invalid SAN regexp',
      { subjectAlternativeName: { regexp: '(unclosed' } },
      'subjectAlternativeName',
    ],
    ['an invalid issuer regexp', { issuer: { regexp: '[' } }, 'issuer'],
    ['an empty exact SAN', { subjectAlternativeName: '' }, 'subjectAlternativeName'],
    ['a number as matcher', { issuer: 42 }, 'issuer'],
    [
      'a matcher object without regexp',
      { subjectAlternativeName: { exact: 'x' } },
      'subjectAlternativeName',
    ],
    [
      'an unknown extension name',
      { extensions: { repository: 'flareo/demo' } },
      'extensions.repository',
    ],
    [
      'an invalid extension regexp',
      { extensions: { sourceRepositoryURI: { regexp: '*' } } },
      'extensions.sourceRepositoryURI',
    ],
    ['a policy that is not an object', 'https://github.com/flareo', 'policy'],
  ])('%s', (_name, policy, field) => {
    rejection(() => compileIdentityPolicy(policy as IdentityPolicy), 'ARGUMENT_INVALID', { field });
    rejection(
      () => verifier.verifyBundle(bundleOf(leaf), artifact, policy as IdentityPolicy),
      'ARGUMENT_INVALID',
      { field },
    );
  });

  it('a certificate signer without any policy', () => {
    rejection(() => verifier.verifyBundle(bundleOf(leaf), artifact), 'ARGUMENT_INVALID');
  });
});

describe('identity policy: RE2 syntax and semantics (as cosign evaluates regexps)', () => {
  const san = (regexp: string, match?: 'full' | 'search') =>
    compileIdentityPolicy({
      subjectAlternativeName: match === undefined ? { regexp } : { regexp, match },
    }).san as { test(v: string): boolean };

  it.each<[string, string, string, boolean]>([
    ['a Unicode class \\pL', '\\pL+@example\\.com', 'zoë@example.com', true],
    ['a Unicode class rejecting digits', '\\pL+@example\\.com', 'z0e@example.com', false],
    [
      'a case-insensitive flag (?i)',
      '(?i)HTTPS://GITHUB\\.COM/flareo/.*',
      DEFAULT_WORKFLOW_URI,
      true,
    ],
    [
      'a Go named group (?P<name>…)',
      'https://github\\.com/(?P<owner>[^/]+)/.*',
      DEFAULT_WORKFLOW_URI,
      true,
    ],
    ['a POSIX class [[:alpha:]]', '[[:alpha:]]+://.*', DEFAULT_WORKFLOW_URI, true],
    ['a quoted literal \\Q…\\E', '\\Qhttps://github.com/\\E.*', DEFAULT_WORKFLOW_URI, true],
    ['a quoted literal whose dot is literal', '\\Qa.b\\E', 'aXb', false],
    ['. not matching a newline (RE2 default)', 'a.b', 'a\nb', false],
  ])('%s', (_name, regexp, value, expected) => {
    expect(san(regexp).test(value)).toBe(expected);
  });

  it.each<[string, string, RegExp]>([
    ['a backreference \\1', '(a)\\1', /invalid escape sequence/],
    ['a lookahead (?=', 'https://(?=github).*', /unsupported Perl syntax/],
    ['a negative lookahead (?!', '(?!evil).*', /unsupported Perl syntax/],
    ['a lookbehind (?<=', '(?<=x)y', /unsupported Perl syntax|invalid named capture/],
    ['a repeat count above 1000', 'a{1001}', /invalid repeat count/],
    ['\\Z (not RE2)', 'a\\Z', /invalid escape sequence/],
  ])('refuses %s with ARGUMENT_INVALID naming the reason', (_name, regexp, reason) => {
    const error = rejection(
      () => compileIdentityPolicy({ subjectAlternativeName: { regexp } }),
      'ARGUMENT_INVALID',
      {
        field: 'subjectAlternativeName',
        expected: 'an RE2 regular expression (no backreferences, no lookaround)',
        actual: regexp,
      },
    );
    expect(error.message).toMatch(reason);
  });

  it('full match by default; search only when asked', () => {
    const prefix = '^https://github.com/flareo/demo/.github/workflows/release.yml@refs/tags/';
    expect(san(prefix).test(DEFAULT_WORKFLOW_URI)).toBe(false);
    expect(san(prefix, 'full').test(DEFAULT_WORKFLOW_URI)).toBe(false);
    expect(san(prefix, 'search').test(DEFAULT_WORKFLOW_URI)).toBe(true);
    // An infix matches under search, and anchors still anchor.
    expect(san('workflows/release', 'search').test(DEFAULT_WORKFLOW_URI)).toBe(true);
    expect(san('^workflows/release', 'search').test(DEFAULT_WORKFLOW_URI)).toBe(false);
    expect(san(`^${DEFAULT_WORKFLOW_URI}$`, 'search').test(DEFAULT_WORKFLOW_URI)).toBe(true);
    expect(san(`^${DEFAULT_WORKFLOW_URI}$`, 'search').test(`${DEFAULT_WORKFLOW_URI}x`)).toBe(false);
  });

  it('search through the verifier: a prefix pattern passes, a wrong one names "(search)"', () => {
    const prefix = '^https://github\\.com/flareo/';
    expect(
      verify({ subjectAlternativeName: { regexp: prefix, match: 'search' } }).signer.kind,
    ).toBe('certificate');
    expect(verify({ issuer: { regexp: 'token\\.actions', match: 'search' } }).signer.kind).toBe(
      'certificate',
    );
    rejection(
      () => verify({ subjectAlternativeName: { regexp: '^https://gitlab', match: 'search' } }),
      'IDENTITY_MISMATCH',
      { field: 'subjectAlternativeName', expected: '/^https://gitlab/ (search)' },
    );
  });

  it('refuses an unknown match mode and an over-long pattern', () => {
    rejection(
      () =>
        compileIdentityPolicy({
          subjectAlternativeName: { regexp: 'x', match: 'prefix' as 'full' },
        }),
      'ARGUMENT_INVALID',
      { field: 'subjectAlternativeName', expected: ['full', 'search'], actual: 'prefix' },
    );
    rejection(
      () => compileIdentityPolicy({ issuer: { regexp: 'a'.repeat(MAX_POLICY_REGEXP_LENGTH + 1) } }),
      'ARGUMENT_INVALID',
      { field: 'issuer', actual: MAX_POLICY_REGEXP_LENGTH + 1 },
    );
    expect(() =>
      compileIdentityPolicy({ issuer: { regexp: 'a'.repeat(MAX_POLICY_REGEXP_LENGTH) } }),
    ).not.toThrow();
  });

  it('a catastrophic-backtracking pattern finishes fast on a long hostile value', () => {
    const hostile = `${'a'.repeat(100_000)}!`;
    for (const [regexp, match] of [
      ['(a+)+$', 'full'],
      ['(a+)+$', 'search'],
      ['(a|aa)*b', 'search'],
      ['(.*a){20}', 'full'],
    ] as const) {
      const m = san(regexp, match);
      const started = performance.now();
      expect(m.test(hostile)).toBe(false);
      expect(performance.now() - started).toBeLessThan(2000);
    }
  });
});
