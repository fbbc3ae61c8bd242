import { join } from 'node:path';
import { readVector, vectorsDir } from '@flareo/testkit';
import { parseTrustedRoot } from '@flareo/trust-root';
import { describe, expect, it } from 'vitest';
import { createVerifier, type IdentityPolicy } from '../../src/index.js';
import { rejection } from '../support/rejection.js';

// Nine real public-good bundles (npm provenance of sigstore@1.0.0, signed 2023-07-12 by a
// GitHub-login Fulcio certificate), verified offline against the real trusted root.
const dir = vectorsDir();
const BUNDLES = [
  'bundleV01-dsse-no-proof.sigstore',
  'bundleV01-dsse-with-proof.sigstore',
  'bundleV01-full-cert-chain.sigstore',
  'bundleV01-intoto-no-proof.sigstore',
  'bundleV01-intoto-with-proof.sigstore',
  'bundleV02-dsse.sigstore',
  'bundleV02-intoto.sigstore',
  'bundleV03-dsse.sigstore',
  'bundleV03-intoto.sigstore',
] as const;
const IDENTITY: IdentityPolicy = {
  subjectAlternativeName: 'brian@dehamer.com',
  issuer: 'https://github.com/login/oauth',
};

interface Subject {
  name: string;
  digest: Record<string, string>;
}

function load(name: string) {
  const text = readVector(join('sigstore', 'bundles', name));
  const json = JSON.parse(text) as { mediaType: string; dsseEnvelope: { payload: string } };
  const statement = JSON.parse(
    Buffer.from(json.dsseEnvelope.payload, 'base64').toString('utf8'),
  ) as { subject: Subject[] };
  const [subject] = statement.subject;
  if (!subject?.digest.sha512) throw new Error(`${name}: no sha512 subject`);
  return { text, json, subject, digest: `sha512:${subject.digest.sha512}` };
}

describe.skipIf(!dir)('interop: real public-good bundles', () => {
  const trust = parseTrustedRoot(readVector('sigstore/public-good/trusted_root.json'), {
    name: 'trusted_root.json',
  });
  const verifier = createVerifier(trust);

  it('the statement file names the same subject as every bundle', () => {
    const statement = JSON.parse(readVector('sigstore/bundles/statement.json')) as {
      subject: Subject[];
    };
    for (const name of BUNDLES) expect(load(name).subject).toEqual(statement.subject[0]);
  });

  it.each(BUNDLES)('%s verifies with its real identity and the subject digest', (name) => {
    const { text, digest, json } = load(name);
    const result = verifier.verifyBundle(text, { digest }, IDENTITY);
    expect(result.format).toBe(
      json.mediaType.endsWith('0.1')
        ? 'sigstore-bundle-v0.1'
        : json.mediaType.endsWith('0.2')
          ? 'sigstore-bundle-v0.2'
          : 'sigstore-bundle-v0.3',
    );
    expect(result.content).toBe('dsse');
    expect(result.statement?.matchedSubject).toEqual({
      name: 'pkg:npm/sigstore@1.0.0',
      algorithm: 'sha512',
    });
    if (result.signer.kind !== 'certificate') throw new Error('expected a certificate signer');
    expect(result.signer.identity.subjectAlternativeNames).toEqual(['brian@dehamer.com']);
    expect(result.signer.identity.issuer).toBe('https://github.com/login/oauth');
    expect(result.signer.trustedBy).toMatchObject({
      kind: 'certificate-authority',
      anchor: 'CN=sigstore, O=sigstore.dev',
    });
    expect(result.times).toHaveLength(1);
    expect(result.times[0]?.source).toBe('log');
    expect(result.times[0]?.time.toISOString()).toMatch(/^2023-07-12T15:/);
    expect(result.tlog.entries[0]?.checks.set).toBe(true);
    expect(result.tlog.entries[0]?.checks.inclusionProof).toBe(
      name.includes('with-proof') || !name.startsWith('bundleV01'),
    );
    expect(result.scts).toBeGreaterThanOrEqual(1);
  });

  it.each(BUNDLES)('%s verifies without the artifact, and with an anchored SAN regexp', (name) => {
    const { text } = load(name);
    expect(
      verifier.verifyBundle(text, undefined, {
        subjectAlternativeName: { regexp: '.*@dehamer\\.com' },
      }).statement?.matchedSubject,
    ).toBeUndefined();
  });

  it.each(BUNDLES)('%s fails with a wrong identity (IDENTITY_MISMATCH)', (name) => {
    const { text, digest } = load(name);
    const san = rejection(
      () =>
        verifier.verifyBundle(
          text,
          { digest },
          { ...IDENTITY, subjectAlternativeName: 'someone@dehamer.com' },
        ),
      'IDENTITY_MISMATCH',
    );
    expect(san.detail).toMatchObject({
      step: 'identity',
      field: 'subjectAlternativeName',
      actual: ['brian@dehamer.com'],
    });
    const issuer = rejection(
      () =>
        verifier.verifyBundle(
          text,
          { digest },
          { ...IDENTITY, issuer: 'https://token.actions.githubusercontent.com' },
        ),
      'IDENTITY_MISMATCH',
    );
    expect(issuer.detail).toMatchObject({
      step: 'identity',
      field: 'issuer',
      actual: 'https://github.com/login/oauth',
    });
    // The unanchored-regexp trap: a prefix does not match.
    rejection(
      () =>
        verifier.verifyBundle(text, { digest }, { subjectAlternativeName: { regexp: 'brian@' } }),
      'IDENTITY_MISMATCH',
    );
  });

  it.each(BUNDLES)('%s fails with a wrong artifact digest (DIGEST_MISMATCH)', (name) => {
    const { text, digest } = load(name);
    const wrong = `sha512:${(digest.slice(7, 8) === '0' ? '1' : '0') + digest.slice(8)}`;
    const error = rejection(
      () => verifier.verifyBundle(text, { digest: wrong }, IDENTITY),
      'DIGEST_MISMATCH',
    );
    expect(error.detail).toMatchObject({ step: 'signature', field: 'subject', expected: [wrong] });
    rejection(
      () => verifier.verifyBundle(text, new TextEncoder().encode('not the npm tarball'), IDENTITY),
      'DIGEST_MISMATCH',
    );
  });

  it('a trust root without the public-good Fulcio CA rejects them (UNTRUSTED_SIGNER)', () => {
    const root = JSON.parse(readVector('sigstore/public-good/trusted_root.json')) as Record<
      string,
      unknown
    >;
    const noCa = createVerifier(parseTrustedRoot({ ...root, certificateAuthorities: [] }));
    const { text, digest } = load('bundleV03-dsse.sigstore');
    expect(
      rejection(() => noCa.verifyBundle(text, { digest }, IDENTITY), 'UNTRUSTED_SIGNER').detail
        .missing,
    ).toMatch(/sigstore-intermediate/);
  });
});
