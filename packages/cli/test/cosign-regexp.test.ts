import {
  buildTrustedRoot,
  createFulcioChain,
  DEFAULT_OIDC_ISSUER,
  DEFAULT_WORKFLOW_URI,
  mintSigstoreBundle,
  TestRekorV1,
} from '@flareo/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { anchoredForm } from '../src/verification.js';
import { flareo, json, Scratch } from './helpers.js';

const scratch = new Scratch();
afterAll(() => scratch.remove());

const artifact = new TextEncoder().encode('regexp artifact\n');
const artifactPath = scratch.write('artifact.txt', artifact);
const chain = createFulcioChain({ seed: 'cli-regexp-ca' });
const rekor = new TestRekorV1({ seed: 'cli-regexp-rekor' });
const trustedRoot = scratch.write('trusted_root.json', {
  ...buildTrustedRoot({ certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }] }),
  tlogs: [rekor.transparencyLogInstance()],
});
const bundle = scratch.write(
  'artifact.sigstore.json',
  mintSigstoreBundle({
    version: '0.3',
    content: { kind: 'message', artifact },
    signer: { certificate: chain.leaf() },
    rekor,
  }).json,
);
const run = (...identity: string[]) =>
  flareo(['verify', '--trust-root', trustedRoot, '--bundle', bundle, ...identity, artifactPath]);

describe('anchoredForm: the full-match pattern equal to a search', () => {
  it.each<[string, string | undefined]>([
    ['^https://github.com/acme/', '^https://github.com/acme/.*$'],
    ['@acme\\.example$', '^.*@acme\\.example$'],
    ['acme', '^.*acme.*$'],
    ['^exact$', undefined],
    ['\\Aexact\\z', undefined],
    ['(?i)^acme$', undefined],
    ['(?i)acme', '^(?i).*acme.*$'],
    ['^a$|^b$', undefined],
    ['^a$|b', '^(?:a|.*b.*)$'],
    ['^(a|b)', '^(a|b).*$'],
    ['^[|$]x', '^[|$]x.*$'],
    ['^price\\$', '^price\\$.*$'],
    ['^price\\\\$', undefined],
  ])('%s → %s', (pattern, form) => {
    expect(anchoredForm(pattern)).toBe(form);
  });
});

describe('identity regexp flags: RE2, searched as cosign does', () => {
  it('a prefix pattern passes (search), with one warning showing the anchored form', async () => {
    const r = await run(
      '--certificate-identity-regexp',
      '^https://github.com/flareo/demo/.github/workflows/release.yml@refs/tags/',
      '--certificate-oidc-issuer',
      DEFAULT_OIDC_ISSUER,
    );
    expect(r.code, r.stderr).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toEqual([
      'warning: --certificate-identity-regexp "^https://github.com/flareo/demo/.github/workflows/release.yml@refs/tags/" is not anchored at both ends; as in cosign it matches anywhere in the value, so it accepts what "^https://github.com/flareo/demo/.github/workflows/release.yml@refs/tags/.*$" accepts. Anchor it (^…$) to accept only what you mean.',
    ]);
  });

  it('an anchored pattern passes without a warning; an unanchored issuer regexp warns', async () => {
    const [anchored, issuer] = await Promise.all([
      run(
        '--certificate-identity-regexp',
        '^https://github\\.com/flareo/demo/\\.github/workflows/release\\.yml@refs/tags/v\\d+\\.\\d+\\.\\d+$',
        '--certificate-oidc-issuer-regexp',
        '^https://token\\.actions\\.githubusercontent\\.com$',
      ),
      run(
        '--certificate-identity',
        DEFAULT_WORKFLOW_URI,
        '--certificate-oidc-issuer-regexp',
        'githubusercontent',
      ),
    ]);
    expect(anchored.code, anchored.stderr).toBe(0);
    expect(anchored.stderr).not.toContain('warning');
    expect(issuer.code, issuer.stderr).toBe(0);
    expect(issuer.stderr).toContain(
      'warning: --certificate-oidc-issuer-regexp "githubusercontent" is not anchored at both ends',
    );
    expect(issuer.stderr).toContain('"^.*githubusercontent.*$"');
  });

  it('RE2 syntax: \\pL, (?i) and (?P<name>…) work', async () => {
    const r = await run(
      '--certificate-identity-regexp',
      '(?i)^HTTPS://GITHUB\\.COM/(?P<owner>\\pL+)/demo/.*$',
      '--certificate-oidc-issuer',
      DEFAULT_OIDC_ISSUER,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('warning');
  });

  it('a search that finds nothing fails with IDENTITY_MISMATCH naming the search', async () => {
    const r = await run(
      '--certificate-identity-regexp',
      '^https://gitlab\\.com/',
      '--certificate-oidc-issuer',
      DEFAULT_OIDC_ISSUER,
      '--json',
    );
    expect(r.code).toBe(1);
    const error = json(r).error as Record<string, unknown>;
    expect(error).toMatchObject({
      code: 'IDENTITY_MISMATCH',
      field: 'subjectAlternativeName',
      expected: '/^https://gitlab\\.com// (search)',
    });
  });

  it.each([
    ['a backreference', '(a)\\1', 'invalid escape sequence'],
    ['a lookahead', '^https://(?=github)', 'unsupported Perl syntax'],
    ['an unclosed group', '(', 'missing closing )'],
  ])('%s is refused before verifying (exit 2, naming the flag)', async (_name, pattern, reason) => {
    const r = await run(
      '--certificate-identity-regexp',
      pattern,
      '--certificate-oidc-issuer',
      DEFAULT_OIDC_ISSUER,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--certificate-identity-regexp is not a valid regular expression');
    expect(r.stderr).toContain(reason);
    expect(r.stderr).toContain('RE2');
  });
});

describe('verify-batch: cosign’s flags search, a manifest line’s own regexps match whole', () => {
  it('the flag searches (with the warning); the same pattern as identityRegexp fails', async () => {
    const prefix = '^https://github.com/flareo/';
    const line = { bundle: bundle, artifact: artifactPath };
    const flagManifest = scratch.write('flag.jsonl', `${JSON.stringify(line)}\n`);
    const ownManifest = scratch.write(
      'own.jsonl',
      `${JSON.stringify({ ...line, identityRegexp: prefix, issuer: DEFAULT_OIDC_ISSUER })}\n`,
    );
    const [flag, own] = await Promise.all([
      flareo([
        'verify-batch',
        '--trust-root',
        trustedRoot,
        '--certificate-identity-regexp',
        prefix,
        '--certificate-oidc-issuer',
        DEFAULT_OIDC_ISSUER,
        flagManifest,
      ]),
      flareo(['verify-batch', '--trust-root', trustedRoot, ownManifest]),
    ]);
    expect(flag.code, flag.stderr).toBe(0);
    expect(flag.stderr).toContain('"^https://github.com/flareo/.*$"');
    expect(own.code).toBe(1);
    expect(own.stdout + own.stderr).toContain('IDENTITY_MISMATCH');
  });
});
