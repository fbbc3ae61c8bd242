import {
  buildTrustedRoot,
  createCertificateAuthority,
  createFulcioChain,
  createLeafCertificate,
  DEFAULT_WORKFLOW_URI,
  mintLegacyCosignBundle,
  mintSigstoreBundle,
  type TestCertificate,
  TestRekorV1,
  testKey,
} from '@flareo/testkit';
import {
  mergeTrustRoots,
  parsePemTrustBundle,
  parseTrustedRoot,
  type TrustRoot,
} from '@flareo/trust-root';
import { describe, expect, it } from 'vitest';
import { type BundleVerifyError, createVerifier, type VerifierOptions } from '../src/index.js';
import { rejection } from './support/rejection.js';

const artifact = new TextEncoder().encode('certificate chain artifact');
const rekor = new TestRekorV1({ seed: 'bv-chain-rekor' });
const rekorPem = parsePemTrustBundle(rekor.publicKeyPem, {
  keysAs: 'tlog',
  logBaseUrl: `https://${rekor.hostname}`,
});
const fulcio = createFulcioChain({ seed: 'bv-chain' });
const fulcioLeaf = fulcio.leaf();
const offline: VerifierOptions = { rekor: { policy: 'disabled' }, timeSources: ['current'] };
const longLived = {
  notBefore: new Date('2025-01-01T00:00:00Z'),
  notAfter: new Date('2035-01-01T00:00:00Z'),
};

// A private CA: root → intermediate → long-lived leaf, as a controller's PEM trust file holds it.
const privateRoot = createCertificateAuthority({
  seed: 'bv-chain-private',
  commonName: 'Acme Root CA',
});
const privateIntermediate = createCertificateAuthority({
  seed: 'bv-chain-private',
  issuer: privateRoot,
  commonName: 'Acme Signing CA',
  pathLenConstraint: 0,
});
const privateLeaf = createLeafCertificate({
  issuer: privateIntermediate,
  seed: 'bv-chain-private',
  ...longLived,
});

const reasons = (error: BundleVerifyError) => (error.detail.actual as string[]).join('; ');

function messageBundle(
  version: '0.1' | '0.2' | '0.3',
  certificate: TestCertificate,
  chain: TestCertificate[] = [],
  withLog = false,
) {
  return mintSigstoreBundle({
    version,
    content: { kind: 'message', artifact },
    signer: { certificate, chain },
    ...(withLog ? { rekor } : {}),
  }).json;
}

function trustedAnchor(trust: TrustRoot, options: VerifierOptions, bundle: object) {
  const result = createVerifier(trust, options).verifyBundle(bundle, artifact, {
    subjectAlternativeName: DEFAULT_WORKFLOW_URI,
  });
  if (result.signer.kind !== 'certificate') throw new Error('expected a certificate signer');
  return result.signer.trustedBy;
}

describe('chains that verify', () => {
  it('a private CA chain in a PEM bundle, Rekor disabled, checked at the current time', () => {
    const trust = parsePemTrustBundle(privateRoot.pem + privateIntermediate.pem, {
      name: 'acme-ca.pem',
    });
    const bundle = messageBundle('0.3', privateLeaf);
    const v = createVerifier(trust, offline);
    const result = v.verifyBundle(bundle, artifact, {
      subjectAlternativeName: DEFAULT_WORKFLOW_URI,
    });
    expect(result.times.map((t) => t.source)).toEqual(['current']);
    expect(result.tlog).toMatchObject({ policy: 'disabled', entries: [] });
    expect(result.signer).toMatchObject({
      kind: 'certificate',
      trustedBy: { kind: 'certificate-authority', anchor: 'CN=Acme Root CA, O=flareo.test' },
    });
  });

  it('PEM block order does not matter', () => {
    const trust = parsePemTrustBundle(privateIntermediate.pem + privateRoot.pem);
    expect(trustedAnchor(trust, offline, messageBundle('0.3', privateLeaf)).kind).toBe(
      'certificate-authority',
    );
  });

  it.each(['0.1', '0.2'] as const)(
    'the intermediate shipped in a v%s bundle chain, the PEM holding only the root',
    (version) => {
      const trust = mergeTrustRoots(parsePemTrustBundle(fulcio.root.pem), rekorPem);
      const bundle = messageBundle(version, fulcioLeaf, [fulcio.intermediate], true);
      expect(trustedAnchor(trust, {}, bundle)).toMatchObject({
        kind: 'certificate-authority',
        anchor: 'CN=Flareo Test Root CA, O=flareo.test',
      });
    },
  );

  it('the intermediate shipped in a legacy bundle cert, the PEM holding only the root', () => {
    const trust = mergeTrustRoots(parsePemTrustBundle(fulcio.root.pem), rekorPem);
    const bundle = mintLegacyCosignBundle({
      artifact,
      signer: { certificate: fulcioLeaf, chain: [fulcio.intermediate] },
      rekor,
    });
    expect(trustedAnchor(trust, {}, bundle).kind).toBe('certificate-authority');
  });

  it('unrelated extra certificates in the bundle chain are ignored', () => {
    const trust = mergeTrustRoots(parsePemTrustBundle(fulcio.root.pem), rekorPem);
    const bundle = messageBundle(
      '0.1',
      fulcioLeaf,
      [privateIntermediate, fulcio.intermediate, privateRoot],
      true,
    );
    expect(trustedAnchor(trust, {}, bundle).kind).toBe('certificate-authority');
  });

  it('a trust anchor that is an intermediate only (not self-signed) is an anchor', () => {
    const trust = parsePemTrustBundle(privateIntermediate.pem);
    expect(trustedAnchor(trust, offline, messageBundle('0.3', privateLeaf))).toMatchObject({
      anchor: 'CN=Acme Signing CA, O=flareo.test',
    });
  });

  it('a pinned key: the certificate SPKI is a PUBLIC KEY of the trust root, no CA needed', () => {
    const trust = parsePemTrustBundle(privateLeaf.key.publicKeyPem, { name: 'pinned.pem' });
    const trustedBy = trustedAnchor(
      trust,
      { rekor: { policy: 'disabled' } },
      messageBundle('0.3', privateLeaf),
    );
    expect(trustedBy).toMatchObject({
      kind: 'pinned-key',
      key: { id: privateLeaf.key.keyId, source: { name: 'pinned.pem' } },
    });
  });
});

describe('chains that do not verify', () => {
  it('the intermediate is neither in the bundle nor in the PEM → UNTRUSTED_SIGNER naming the missing CA', () => {
    const trust = mergeTrustRoots(parsePemTrustBundle(fulcio.root.pem), rekorPem);
    const error = rejection(
      () =>
        createVerifier(trust).verifyBundle(
          messageBundle('0.3', fulcioLeaf, [], true),
          artifact,
          {},
        ),
      'UNTRUSTED_SIGNER',
      'trust',
      {
        missing: 'certificate authority "CN=Flareo Test Intermediate CA, O=flareo.test"',
        expected: 'a chain to a trusted CA',
      },
    );
    expect(error.message).toContain('is not in the trust root');
  });

  it('no CA for the issuer in the trust root → UNTRUSTED_SIGNER with detail.missing', () => {
    const trust = parsePemTrustBundle(privateRoot.pem + privateIntermediate.pem);
    rejection(
      () =>
        createVerifier(mergeTrustRoots(trust, rekorPem)).verifyBundle(
          messageBundle('0.1', fulcioLeaf, [], true),
          artifact,
          {},
        ),
      'UNTRUSTED_SIGNER',
      'trust',
      {
        missing: 'certificate authority "CN=Flareo Test Intermediate CA, O=flareo.test"',
      },
    );
  });

  it('a trust root with keys only, for a certificate → UNTRUSTED_SIGNER', () => {
    const trust = mergeTrustRoots(
      parsePemTrustBundle(testKey('ecdsa-p256', 'bv-chain-k').publicKeyPem),
      rekorPem,
    );
    rejection(
      () =>
        createVerifier(trust).verifyBundle(
          messageBundle('0.1', fulcioLeaf, [], true),
          artifact,
          {},
        ),
      'UNTRUSTED_SIGNER',
      'trust',
      {
        missing: expect.stringContaining('certificate authority'),
      },
    );
  });

  it('a look-alike CA with the same name but another key → UNTRUSTED_SIGNER (signature)', () => {
    const impostorRoot = createCertificateAuthority({
      seed: 'bv-chain-impostor',
      commonName: 'Acme Root CA',
    });
    const impostor = createCertificateAuthority({
      seed: 'bv-chain-impostor',
      issuer: impostorRoot,
      commonName: 'Acme Signing CA',
      omitKeyIdentifiers: true,
    });
    const trust = parsePemTrustBundle(impostorRoot.pem + impostor.pem);
    const error = rejection(
      () =>
        createVerifier(trust, offline).verifyBundle(
          messageBundle('0.3', privateLeaf),
          artifact,
          {},
        ),
      'UNTRUSTED_SIGNER',
      'trust',
    );
    expect(reasons(error)).toContain('does not verify');
  });

  it('the CA validFor window of trusted_root.json does not cover the SET time → UNTRUSTED_SIGNER', () => {
    const rooted = (start: string, end: string) =>
      parseTrustedRoot({
        ...buildTrustedRoot({
          certificateAuthorities: [
            {
              chain: [fulcio.intermediate, fulcio.root],
              start: new Date(start),
              end: new Date(end),
            },
          ],
        }),
        tlogs: [rekor.transparencyLogInstance()],
      });
    const bundle = messageBundle('0.1', fulcioLeaf, [], true);
    expect(
      trustedAnchor(rooted('2023-01-01T00:00:00Z', '2025-01-01T00:00:00Z'), {}, bundle).kind,
    ).toBe('certificate-authority');
    const ended = rejection(
      () =>
        createVerifier(rooted('2020-01-01T00:00:00Z', '2023-12-31T00:00:00Z')).verifyBundle(
          bundle,
          artifact,
          {},
        ),
      'UNTRUSTED_SIGNER',
      'trust',
    );
    expect(reasons(ended)).toContain('is not trusted at 2024-01-01T00:01:00.000Z');
    const notYet = rejection(
      () =>
        createVerifier(rooted('2024-06-01T00:00:00Z', '2030-01-01T00:00:00Z')).verifyBundle(
          bundle,
          artifact,
          {},
        ),
      'UNTRUSTED_SIGNER',
      'trust',
    );
    expect(reasons(notYet)).toContain('not trusted at');
  });

  it('a trusted intermediate not valid at the trusted time → UNTRUSTED_SIGNER', () => {
    const shortRoot = createCertificateAuthority({ seed: 'bv-chain-short' });
    const shortIntermediate = createCertificateAuthority({
      seed: 'bv-chain-short',
      issuer: shortRoot,
      notAfter: new Date('2026-01-01T00:00:00Z'),
    });
    const leaf = createLeafCertificate({
      issuer: shortIntermediate,
      seed: 'bv-chain-short',
      ...longLived,
    });
    const trust = parsePemTrustBundle(shortRoot.pem + shortIntermediate.pem);
    const error = rejection(
      () => createVerifier(trust, offline).verifyBundle(messageBundle('0.3', leaf), artifact, {}),
      'UNTRUSTED_SIGNER',
      'trust',
    );
    expect(reasons(error)).toContain(
      'CA certificate "CN=Flareo Test Intermediate CA, O=flareo.test" is not valid at',
    );
  });

  it('an expired bundle intermediate → UNTRUSTED_SIGNER', () => {
    const oldIntermediate = createCertificateAuthority({
      seed: 'bv-chain-old',
      issuer: fulcio.root,
      notAfter: new Date('2023-01-01T00:00:00Z'),
      pathLenConstraint: 0,
    });
    const leaf = createLeafCertificate({ issuer: oldIntermediate, seed: 'bv-chain-old' });
    const trust = mergeTrustRoots(parsePemTrustBundle(fulcio.root.pem), rekorPem);
    const error = rejection(
      () =>
        createVerifier(trust).verifyBundle(
          messageBundle('0.1', leaf, [oldIntermediate], true),
          artifact,
          {},
        ),
      'UNTRUSTED_SIGNER',
      'trust',
    );
    expect(reasons(error)).toContain('is not valid at');
  });

  it('a bundle "intermediate" that is not a CA → UNTRUSTED_SIGNER', () => {
    const notCa = createCertificateAuthority({
      seed: 'bv-chain-notca',
      issuer: fulcio.root,
      isCA: false,
      commonName: 'Not A CA',
    });
    const leaf = createLeafCertificate({ issuer: notCa, seed: 'bv-chain-notca' });
    const trust = mergeTrustRoots(parsePemTrustBundle(fulcio.root.pem), rekorPem);
    const error = rejection(
      () =>
        createVerifier(trust).verifyBundle(messageBundle('0.1', leaf, [notCa], true), artifact, {}),
      'UNTRUSTED_SIGNER',
      'trust',
    );
    expect(reasons(error)).toContain('is not a CA');
  });

  it("a root's pathLenConstraint 0 forbids a bundle intermediate → UNTRUSTED_SIGNER", () => {
    const strictRoot = createCertificateAuthority({
      seed: 'bv-chain-strict',
      pathLenConstraint: 0,
    });
    const intermediate = createCertificateAuthority({
      seed: 'bv-chain-strict',
      issuer: strictRoot,
      pathLenConstraint: 0,
    });
    const leaf = createLeafCertificate({
      issuer: intermediate,
      seed: 'bv-chain-strict',
      ...longLived,
    });
    const trust = parsePemTrustBundle(strictRoot.pem);
    const error = rejection(
      () =>
        createVerifier(trust, offline).verifyBundle(
          messageBundle('0.1', leaf, [intermediate]),
          artifact,
          {},
        ),
      'UNTRUSTED_SIGNER',
      'trust',
    );
    expect(reasons(error)).toContain('path length');
  });

  it('a leaf valid long ago but expired now, with only the current time → CERTIFICATE_EXPIRED', () => {
    const old = createLeafCertificate({
      issuer: privateIntermediate,
      seed: 'bv-chain-expired',
      notBefore: new Date('2021-01-01T00:00:00Z'),
      notAfter: new Date('2022-01-01T00:00:00Z'),
    });
    const trust = parsePemTrustBundle(privateRoot.pem + privateIntermediate.pem);
    rejection(
      () => createVerifier(trust, offline).verifyBundle(messageBundle('0.3', old), artifact, {}),
      'CERTIFICATE_EXPIRED',
      'certificate',
      {
        expected: '2021-01-01T00:00:00.000Z .. 2022-01-01T00:00:00.000Z',
      },
    );
  });

  // BUG (chain.ts `verifyChain`): only the trusted certificate that directly issued the leaf
  // (or the last bundle intermediate) is checked for validity at the trusted time; the trust
  // root's certificates above it in the same authority are not. Here the PEM holds an expired
  // root (notAfter 2023-06-01) and a long-lived intermediate (to 2040); a leaf issued by the
  // intermediate and logged at 2024-01-01T00:01Z verifies. The function's own contract says
  // "Every certificate on the path must be valid at every trusted time", cosign's CheckExpiry
  // checks the whole chain, and the same root shipped with the intermediate in the *bundle* is
  // rejected ("CA certificate … Root CA is not valid at …"). Expected: UNTRUSTED_SIGNER; actual:
  // success with trustedBy.anchor "CN=Flareo Test Root CA, O=flareo.test".
  it('fixed: an expired root above a trusted intermediate → UNTRUSTED_SIGNER', () => {
    const expiredRoot = createCertificateAuthority({
      seed: 'bv-chain-expired-root',
      notAfter: new Date('2023-06-01T00:00:00Z'),
    });
    const intermediate = createCertificateAuthority({
      seed: 'bv-chain-expired-root',
      issuer: expiredRoot,
      pathLenConstraint: 0,
    });
    const leaf = createLeafCertificate({ issuer: intermediate, seed: 'bv-chain-expired-root' });
    const viaBundle = mergeTrustRoots(parsePemTrustBundle(expiredRoot.pem), rekorPem);
    rejection(
      () =>
        createVerifier(viaBundle).verifyBundle(
          messageBundle('0.1', leaf, [intermediate], true),
          artifact,
          {},
        ),
      'UNTRUSTED_SIGNER',
      'trust',
    );
    const viaTrustRoot = mergeTrustRoots(
      parsePemTrustBundle(expiredRoot.pem + intermediate.pem),
      rekorPem,
    );
    rejection(
      () =>
        createVerifier(viaTrustRoot).verifyBundle(
          messageBundle('0.1', leaf, [], true),
          artifact,
          {},
        ),
      'UNTRUSTED_SIGNER',
      'trust',
    );
  });
});
