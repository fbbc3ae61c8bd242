import {
  createCertificateAuthority,
  createFulcioChain,
  createLeafCertificate,
  testKey,
} from '@flareo/testkit';
import { describe, expect, it } from 'vitest';
import { TrustRootError } from './errors.js';
import { parsePemTrustBundle } from './pem-bundle.js';

const chain = createFulcioChain({ seed: 'pem-bundle' });

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TrustRootError);
    return (error as TrustRootError).code;
  }
  throw new Error('expected a rejection');
}

/** Flip one bit in the signature (the last bytes of the DER). */
function tamperSignature(der: Uint8Array): Uint8Array {
  const copy = new Uint8Array(der);
  copy[copy.length - 3] = (copy[copy.length - 3] ?? 0) ^ 0x01;
  return copy;
}
const pemOf = (der: Uint8Array) =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64')}\n-----END CERTIFICATE-----\n`;

describe('certificates in PEM bundles', () => {
  it('links an intermediate to its root, in either order, into one authority', () => {
    for (const text of [
      chain.root.pem + chain.intermediate.pem,
      chain.intermediate.pem + chain.root.pem,
    ]) {
      const root = parsePemTrustBundle(text);
      expect(root.certificateAuthorities).toHaveLength(1);
      const [ca] = root.certificateAuthorities;
      expect(ca?.anchor.selfSigned).toBe(true);
      expect(ca?.certificates.map((c) => c.fingerprint)).toEqual([
        root.certificateAuthorities[0]?.certificates[0]?.fingerprint,
        ca?.anchor.fingerprint,
      ]);
      expect(ca?.certificates[0]?.subject).toContain('Intermediate');
    }
  });

  it('treats an intermediate whose issuer is absent as an anchor', () => {
    const root = parsePemTrustBundle(chain.intermediate.pem);
    expect(root.certificateAuthorities).toHaveLength(1);
    expect(root.certificateAuthorities[0]?.anchor.selfSigned).toBe(false);
  });

  it('mixes keys and certificates in any order', () => {
    const text = `${testKey('ecdsa-p256', 'a').publicKeyPem}${chain.root.pem}${testKey('ed25519', 'b').publicKeyPem}`;
    const root = parsePemTrustBundle(text, { name: 'module-trust.pem' });
    expect(root.keys.map((k) => k.algorithm.kind)).toEqual(['ecdsa', 'ed25519']);
    expect(root.certificateAuthorities).toHaveLength(1);
    expect(root.keys[0]?.source).toEqual({
      kind: 'pem',
      name: 'module-trust.pem',
      location: 'line 1',
    });
  });

  it('keeps two independent roots as two authorities and finds issuers by name and key id', () => {
    const other = createFulcioChain({ seed: 'pem-bundle-2' });
    const root = parsePemTrustBundle(chain.root.pem + chain.intermediate.pem + other.root.pem);
    expect(root.certificateAuthorities).toHaveLength(2);
    const leaf = parsePemTrustBundle(chain.intermediate.pem).certificateAuthorities[0]?.anchor;
    if (!leaf) throw new Error('no cert');
    const candidates = root.issuerCandidates(leaf);
    // Both roots share a subject name; only the right one has the matching key identifier.
    expect(candidates.map((c) => c.certificate.subjectKeyId)).toEqual([leaf.authorityKeyId]);
  });

  it('deduplicates a certificate given twice', () => {
    const root = parsePemTrustBundle(chain.root.pem + chain.root.pem);
    expect(root.certificateAuthorities).toHaveLength(1);
  });

  it.each([
    ['a leaf (not a CA)', () => pemOf(chain.leaf().der), 'CERTIFICATE_NOT_CA'],
    [
      'a CA without keyCertSign',
      () => createCertificateAuthority({ seed: 'noksign', keyUsage: ['digitalSignature'] }).pem,
      'CERTIFICATE_NOT_CA',
    ],
    [
      'a "CA" with cA=false',
      () => createCertificateAuthority({ seed: 'notca', isCA: false }).pem,
      'CERTIFICATE_NOT_CA',
    ],
    [
      'an intermediate whose signature by the bundled root is broken',
      () => chain.root.pem + pemOf(tamperSignature(chain.intermediate.der)),
      'CERTIFICATE_CHAIN_INVALID',
    ],
    [
      'a root whose self-signature is broken',
      () => pemOf(tamperSignature(chain.root.der)),
      'CERTIFICATE_CHAIN_INVALID',
    ],
    [
      'bytes that are not a certificate',
      () => pemOf(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05])),
      'CERTIFICATE_INVALID',
    ],
  ])('rejects %s', (_name, make, code) => {
    expect(codeOf(() => parsePemTrustBundle(make()))).toBe(code);
  });

  it('rejects an intermediate that names a bundled root but was signed by another key', () => {
    const impostor = createCertificateAuthority({
      seed: 'impostor',
      commonName: 'Flareo Test Intermediate CA',
      issuer: createCertificateAuthority({ seed: 'pem-bundle', omitKeyIdentifiers: true }),
      omitKeyIdentifiers: true,
    });
    const realRootWithoutIds = createCertificateAuthority({
      seed: 'other-root',
      omitKeyIdentifiers: true,
    });
    // Same issuer name as the impostor's issuer, no key identifiers to tell them apart.
    expect(realRootWithoutIds.subject).toBe(impostor.x509.issuer.split('\n').at(-1)?.slice(3));
    expect(codeOf(() => parsePemTrustBundle(realRootWithoutIds.pem + impostor.pem))).toBe(
      'CERTIFICATE_CHAIN_INVALID',
    );
  });

  it('accepts a three-level private CA', () => {
    const root = createCertificateAuthority({ seed: 'corp', commonName: 'Corp Root' });
    const mid = createCertificateAuthority({
      seed: 'corp',
      commonName: 'Corp Policy CA',
      issuer: root,
      pathLenConstraint: 1,
    });
    const issuing = createCertificateAuthority({
      seed: 'corp',
      commonName: 'Corp Issuing CA',
      issuer: mid,
    });
    const trust = parsePemTrustBundle(issuing.pem + root.pem + mid.pem);
    expect(trust.certificateAuthorities).toHaveLength(1);
    expect(
      trust.certificateAuthorities[0]?.certificates.map((c) => c.subject.split(', ')[0]?.slice(3)),
    ).toEqual(['Corp Issuing CA', 'Corp Policy CA', 'Corp Root']);
    const leaf = createLeafCertificate({ issuer: issuing, seed: 'corp' });
    expect(leaf.x509.verify(issuing.key.publicKey)).toBe(true);
  });
});

describe('PEM keys as log keys', () => {
  it('turns a rekor.pub into a tlog whose id is sha256(SPKI)', () => {
    const key = testKey('ecdsa-p256', 'rekor');
    const root = parsePemTrustBundle(key.publicKeyPem, {
      keysAs: 'tlog',
      logBaseUrl: 'https://rekor.example.test',
    });
    expect(root.keys).toHaveLength(0);
    expect(root.tlogs).toHaveLength(1);
    expect(root.tlogs[0]).toMatchObject({
      kind: 'tlog',
      logId: key.keyId,
      host: 'rekor.example.test',
    });
    expect(root.tlogsById(key.keyId)).toHaveLength(1);
  });

  it('turns a CT key file into a ctlog', () => {
    const key = testKey('ecdsa-p256', 'ct');
    const root = parsePemTrustBundle(key.publicKeyPem, { keysAs: 'ctlog' });
    expect(root.ctlogsById(key.keyId)).toHaveLength(1);
    expect(root.tlogs).toHaveLength(0);
  });

  it('rejects input that is not UTF-8', () => {
    expect(codeOf(() => parsePemTrustBundle(new Uint8Array([0xff, 0xfe, 0x00])))).toBe(
      'PEM_MALFORMED',
    );
  });
});
