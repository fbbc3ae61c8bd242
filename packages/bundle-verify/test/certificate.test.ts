import {
  brokenLeaves,
  buildTrustedRoot,
  createCertificateAuthority,
  createFulcioChain,
  createLeafCertificate,
  DEFAULT_OIDC_ISSUER,
  DEFAULT_WORKFLOW_URI,
  mintSigstoreBundle,
  type TestCertificate,
  TestRekorV1,
} from '@flareo/testkit';
import { parsePemTrustBundle, parseTrustedRoot } from '@flareo/trust-root';
import { OID } from '@flareo/trust-root/x509';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSigningCertificate } from '../src/certificate.js';
import { BundleVerifyError, createVerifier } from '../src/index.js';
import { rejection } from './support/rejection.js';

// biome-ignore lint/suspicious/noExplicitAny: tests reach into protobuf-JSON bundles
type Json = any;

const artifact = new TextEncoder().encode('certificate rules artifact');
const chain = createFulcioChain({ seed: 'bv-cert' });
const rekor = new TestRekorV1({ seed: 'bv-cert-rekor' });
const trust = parseTrustedRoot({
  ...buildTrustedRoot({ certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }] }),
  tlogs: [rekor.transparencyLogInstance()],
});
const verifier = createVerifier(trust);
const OIDC_V2 = `${OID.fulcioPrefix}8`;

const bundleFor = (certificate: TestCertificate, integratedTime?: Date) =>
  mintSigstoreBundle({
    version: '0.1',
    content: { kind: 'message', artifact },
    signer: { certificate },
    rekor,
    ...(integratedTime ? { integratedTime } : {}),
  }).json;

describe('parseSigningCertificate', () => {
  // The fields themselves are the shared view's (trust-root's src/x509/certificate.test.ts);
  // here: this package's wrapper and its error.
  it('is the shared certificate view of the DER', () => {
    const leaf = chain.leaf();
    const c = parseSigningCertificate(leaf.der);
    expect(c.der).toBe(leaf.der);
    expect(c.fulcio.get(OIDC_V2)).toBe(DEFAULT_OIDC_ISSUER);
    expect(c.extendedKeyUsage).toEqual([OID.codeSigning]);
  });

  it.each([
    ['empty bytes', new Uint8Array(0)],
    ['a PEM text', new TextEncoder().encode(chain.intermediate.pem)],
    ['a truncated certificate', chain.intermediate.der.subarray(0, 200)],
    ['a SEQUENCE of nothing', new Uint8Array([0x30, 0x00])],
  ])('%s → CERTIFICATE_INVALID', (_name, der) => {
    rejection(() => parseSigningCertificate(der), 'CERTIFICATE_INVALID', 'certificate');
  });

  it('an impossible validity date → CERTIFICATE_INVALID naming it', () => {
    const der = Buffer.from(chain.leaf({ seed: 'der-time' }).der);
    // The leaf's notBefore is 2024-01-01 00:00:00 (UTCTime 240101000000Z): make it April 31.
    const at = der.indexOf(Buffer.from('240101000000Z', 'latin1'));
    expect(at).toBeGreaterThan(0);
    der.write('230431000000Z', at, 'latin1');
    const error = rejection(
      () => parseSigningCertificate(new Uint8Array(der)),
      'CERTIFICATE_INVALID',
      'certificate',
    );
    expect(error.message).toMatch(/notBefore "230431000000Z" is not a valid time/);
  });

  it('a duplicated extension → CERTIFICATE_INVALID', () => {
    const leaf = chain.leaf({
      extraExtensions: [
        {
          oid: '2.5.29.37',
          value: new Uint8Array([
            0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03,
          ]),
        },
      ],
    });
    rejection(() => parseSigningCertificate(leaf.der), 'CERTIFICATE_INVALID', 'certificate');
  });

  it('random and truncated DER only ever fails with CERTIFICATE_INVALID', () => {
    const der = chain.leaf().der;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.nat(der.length - 1).map((n) => der.subarray(0, n)),
        ),
        (bytes) => {
          try {
            parseSigningCertificate(bytes);
          } catch (error) {
            expect(error).toBeInstanceOf(BundleVerifyError);
            expect((error as BundleVerifyError).code).toBe('CERTIFICATE_INVALID');
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('leaf rules at the trusted time', () => {
  const broken = brokenLeaves(chain);

  it('a valid leaf passes (the baseline of every row below)', () => {
    expect(verifier.verifyBundle(bundleFor(chain.leaf()), artifact, {}).signer.kind).toBe(
      'certificate',
    );
  });

  it('a leaf with CA=true → CERTIFICATE_INVALID', () => {
    rejection(
      () => verifier.verifyBundle(bundleFor(broken.caLeaf), artifact, {}),
      'CERTIFICATE_INVALID',
      'certificate',
      {
        field: 'basicConstraints',
        expected: 'cA=false',
        actual: 'cA=true',
      },
    );
  });

  it('a leaf without extendedKeyUsage → CERTIFICATE_INVALID', () => {
    rejection(
      () => verifier.verifyBundle(bundleFor(broken.noEku), artifact, {}),
      'CERTIFICATE_INVALID',
      'certificate',
      {
        field: 'extendedKeyUsage',
        expected: OID.codeSigning,
        actual: null,
      },
    );
  });

  it('a leaf for serverAuth only → CERTIFICATE_INVALID', () => {
    rejection(
      () => verifier.verifyBundle(bundleFor(broken.wrongEku), artifact, {}),
      'CERTIFICATE_INVALID',
      'certificate',
      {
        field: 'extendedKeyUsage',
        actual: ['1.3.6.1.5.5.7.3.1'],
      },
    );
  });

  it('serverAuth next to codeSigning is fine', () => {
    const both = chain.leaf({
      extendedKeyUsage: ['serverAuth', 'codeSigning'],
      seed: 'bv-cert-both',
    });
    expect(verifier.verifyBundle(bundleFor(both), artifact, {}).signer.kind).toBe('certificate');
  });

  it('a key usage without digitalSignature → CERTIFICATE_INVALID', () => {
    const enc = chain.leaf({ keyUsage: ['keyEncipherment'], seed: 'bv-cert-ku' });
    rejection(
      () => verifier.verifyBundle(bundleFor(enc), artifact, {}),
      'CERTIFICATE_INVALID',
      'certificate',
      {
        field: 'keyUsage',
        expected: 'digitalSignature',
        actual: ['keyEncipherment'],
      },
    );
  });

  it('expired at the SET time → CERTIFICATE_EXPIRED with the window and the time', () => {
    const at = new Date('2024-06-01T00:00:00Z');
    rejection(
      () => verifier.verifyBundle(bundleFor(broken.expired, at), artifact, {}),
      'CERTIFICATE_EXPIRED',
      'certificate',
      {
        field: 'validity',
        expected: '2020-01-01T00:00:00.000Z .. 2020-01-01T00:10:00.000Z',
        actual: at.toISOString(),
      },
    );
  });

  it('not yet valid at the SET time → CERTIFICATE_EXPIRED', () => {
    const at = new Date('2024-06-01T00:00:00Z');
    rejection(
      () => verifier.verifyBundle(bundleFor(broken.notYetValid, at), artifact, {}),
      'CERTIFICATE_EXPIRED',
      'certificate',
      {
        expected: '2039-01-01T00:00:00.000Z .. 2039-01-01T00:10:00.000Z',
        actual: at.toISOString(),
      },
    );
  });

  it('a minute after notAfter → CERTIFICATE_EXPIRED; at notAfter exactly it still passes', () => {
    const leaf = chain.leaf({ seed: 'bv-cert-edge' });
    expect(
      verifier.verifyBundle(bundleFor(leaf, new Date('2024-01-01T00:10:00Z')), artifact, {})
        .times[0]?.time,
    ).toEqual(new Date('2024-01-01T00:10:00Z'));
    rejection(
      () => verifier.verifyBundle(bundleFor(leaf, new Date('2024-01-01T00:11:00Z')), artifact, {}),
      'CERTIFICATE_EXPIRED',
      'certificate',
    );
  });
});

describe('tampered certificates', () => {
  // A long-lived private-CA leaf verified without a log, at the current time.
  const root = createCertificateAuthority({ seed: 'bv-cert-private' });
  const leaf = createLeafCertificate({
    issuer: root,
    seed: 'bv-cert-private',
    notBefore: new Date('2025-01-01T00:00:00Z'),
    notAfter: new Date('2035-01-01T00:00:00Z'),
  });
  const offline = createVerifier(parsePemTrustBundle(root.pem), {
    rekor: { policy: 'disabled' },
    timeSources: ['current'],
  });
  const m = mintSigstoreBundle({
    version: '0.3',
    content: { kind: 'message', artifact },
    signer: { certificate: leaf },
  });
  const sanAt = Buffer.from(leaf.der).indexOf(Buffer.from(DEFAULT_WORKFLOW_URI));

  const withCertificate = (der: Uint8Array): Json => {
    const j: Json = structuredClone(m.json);
    j.verificationMaterial.certificate.rawBytes = Buffer.from(der).toString('base64');
    return j;
  };

  it('intact, it verifies offline at the current time', () => {
    expect(
      offline
        .verifyBundle(m.json, artifact, { subjectAlternativeName: DEFAULT_WORKFLOW_URI })
        .times.map((t) => t.source),
    ).toEqual(['current']);
  });

  it('a byte of the SAN → UNTRUSTED_SIGNER (the CA signature no longer verifies)', () => {
    expect(sanAt).toBeGreaterThan(0);
    const der = Buffer.from(leaf.der);
    der[sanAt + 8] = (der[sanAt + 8] ?? 0) ^ 0x01; // 'github' → 'githuc'-like: still parses
    const error = rejection(
      () => offline.verifyBundle(withCertificate(der), artifact, {}),
      'UNTRUSTED_SIGNER',
      'trust',
    );
    expect(String(error.detail.actual)).toContain('does not verify');
  });

  it('a byte of the certificate under a log entry → LOG_BODY_MISMATCH', () => {
    const logged: Json = structuredClone(bundleFor(chain.leaf()));
    const cert = logged.verificationMaterial.x509CertificateChain.certificates[0];
    const der = Buffer.from(cert.rawBytes, 'base64');
    const at = der.indexOf(Buffer.from(DEFAULT_WORKFLOW_URI)) + 8;
    der[at] = (der[at] ?? 0) ^ 0x01;
    cert.rawBytes = der.toString('base64');
    rejection(() => verifier.verifyBundle(logged, artifact, {}), 'LOG_BODY_MISMATCH', 'tlog', {
      rekorCode: 'BODY_VERIFIER_MISMATCH',
    });
  });

  it('a certificate that no longer parses → CERTIFICATE_INVALID', () => {
    const der = Buffer.from(leaf.der);
    der[1] = 0x00; // outer SEQUENCE length
    rejection(
      () => offline.verifyBundle(withCertificate(der), artifact, {}),
      'CERTIFICATE_INVALID',
      'certificate',
    );
  });

  it('the leaf swapped for its CA certificate → SIGNATURE_MISMATCH', () => {
    rejection(
      () => offline.verifyBundle(withCertificate(root.der), artifact, {}),
      'SIGNATURE_MISMATCH',
      'signature',
    );
  });
});
