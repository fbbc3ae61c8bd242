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
import { rejection as expectStep } from '../test/support/expect-rejection.js';
import { parseSigningCertificate } from './certificate.js';
import { identityOf } from './identity.js';
import {
  type BundleVerifyErrorCode,
  compileIdentityPolicy,
  createVerifier,
  FULCIO_EXTENSIONS,
  type IdentityPolicy,
} from './index.js';

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

describe('identity policy: invalid policies → POLICY_INVALID', () => {
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
    rejection(() => compileIdentityPolicy(policy as IdentityPolicy), 'POLICY_INVALID', { field });
    rejection(
      () => verifier.verifyBundle(bundleOf(leaf), artifact, policy as IdentityPolicy),
      'POLICY_INVALID',
      { field },
    );
  });

  it('a certificate signer without any policy', () => {
    rejection(() => verifier.verifyBundle(bundleOf(leaf), artifact), 'POLICY_INVALID');
  });
});
