import { createHash, X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  type Extension,
  KeyUsage,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { describe, expect, it } from 'vitest';
import type { TestKeyType } from './keys.js';
import {
  brokenLeaves,
  certificateToPem,
  createCertificateAuthority,
  createFulcioChain,
  createLeafCertificate,
  DEFAULT_GITHUB_CLAIMS,
  DEFAULT_OIDC_ISSUER,
  DEFAULT_WORKFLOW_URI,
  type TestCertificate,
} from './x509.js';

// RSA-3072/4096 key generation is slow; RSA is covered by rsa-2048.
const KEY_TYPES: TestKeyType[] = ['ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521', 'ed25519', 'rsa-2048'];

const SIG_ALG: Record<string, { oid: string; nullParams: boolean }> = {
  'ecdsa-p256': { oid: '1.2.840.10045.4.3.2', nullParams: false },
  'ecdsa-p384': { oid: '1.2.840.10045.4.3.3', nullParams: false },
  'ecdsa-p521': { oid: '1.2.840.10045.4.3.4', nullParams: false },
  ed25519: { oid: '1.3.101.112', nullParams: false },
  'rsa-2048': { oid: '1.2.840.113549.1.1.11', nullParams: true },
};

const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const FULCIO = '1.3.6.1.4.1.57264.1';

const parse = (cert: TestCertificate): Certificate => AsnConvert.parse(cert.der, Certificate);
const ext = (cert: TestCertificate, oid: string): Extension | undefined =>
  parse(cert).tbsCertificate.extensions?.find((e) => e.extnID === oid);
const extValue = (cert: TestCertificate, oid: string): Uint8Array => {
  const found = ext(cert, oid);
  if (!found) throw new Error(`missing extension ${oid}`);
  return new Uint8Array(found.extnValue.buffer);
};
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
/** Decode a short-form DER UTF8String. */
const utf8String = (bytes: Uint8Array): string => {
  expect(bytes[0]).toBe(0x0c);
  const len = bytes[1] ?? 0;
  if (len < 0x80) return text(bytes.subarray(2, 2 + len));
  const n = len & 0x7f;
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + (bytes[2 + i] ?? 0);
  return text(bytes.subarray(2 + n, 2 + n + length));
};
const ski = (cert: TestCertificate): string =>
  Buffer.from(AsnConvert.parse(extValue(cert, '2.5.29.14'), SubjectKeyIdentifier).buffer).toString(
    'hex',
  );
const aki = (cert: TestCertificate): string => {
  const value = AsnConvert.parse(extValue(cert, '2.5.29.35'), AuthorityKeyIdentifier);
  return Buffer.from(value.keyIdentifier?.buffer ?? new ArrayBuffer(0)).toString('hex');
};
const basicConstraints = (cert: TestCertificate): BasicConstraints =>
  AsnConvert.parse(extValue(cert, '2.5.29.19'), BasicConstraints);
const keyUsage = (cert: TestCertificate): string[] =>
  AsnConvert.parse(extValue(cert, '2.5.29.15'), KeyUsage).toJSON().sort();
const eku = (cert: TestCertificate): string[] => [
  ...AsnConvert.parse(extValue(cert, '2.5.29.37'), ExtendedKeyUsage),
];

function expectIssuedBy(cert: TestCertificate, issuer: TestCertificate): void {
  const reparsed = new X509Certificate(cert.der);
  expect(reparsed.verify(issuer.key.publicKey)).toBe(true);
  expect(cert.x509.checkIssued(issuer.x509)).toBe(true);
  expect(cert.x509.issuer).toBe(issuer.x509.subject);
  const other = createCertificateAuthority({ seed: 'someone-else' });
  expect(cert.x509.verify(other.key.publicKey)).toBe(false);
}

describe('key type matrix', () => {
  const cases = KEY_TYPES.flatMap((ca) => KEY_TYPES.map((leaf) => [ca, leaf] as const));

  it.each(cases)('%s CA issues a verifiable %s leaf', (caType, leafType) => {
    const root = createCertificateAuthority({ seed: 'matrix', keyType: caType });
    expectIssuedBy(root, root);
    const leaf = createLeafCertificate({ issuer: root, seed: 'matrix', keyType: leafType });
    expectIssuedBy(leaf, root);
    expect(leaf.key.type).toBe(leafType);
    expect(Buffer.from(leaf.x509.publicKey.export({ type: 'spki', format: 'der' }))).toEqual(
      Buffer.from(leaf.key.spki),
    );
    const { signatureAlgorithm, tbsCertificate } = parse(leaf);
    const expected = SIG_ALG[caType]!;
    expect(signatureAlgorithm.algorithm).toBe(expected.oid);
    expect(tbsCertificate.signature.algorithm).toBe(expected.oid);
    if (expected.nullParams) expect(signatureAlgorithm.parameters).toBeNull();
    else expect(signatureAlgorithm.parameters).toBeUndefined();
  });

  it.each(KEY_TYPES)('root → %s intermediate → leaf chain verifies', (type) => {
    const chain = createFulcioChain({
      seed: 'matrix',
      rootKeyType: 'ecdsa-p384',
      intermediateKeyType: type,
    });
    expectIssuedBy(chain.intermediate, chain.root);
    const leaf = chain.leaf();
    expectIssuedBy(leaf, chain.intermediate);
    expect(parse(leaf).signatureAlgorithm.algorithm).toBe(SIG_ALG[type]!.oid);
  });
});

describe('createCertificateAuthority', () => {
  it('mints a self-signed root with the documented defaults', () => {
    const root = createCertificateAuthority();
    expect(root.subject).toBe('Flareo Test Root CA');
    expect(root.key.type).toBe('ecdsa-p384');
    expect(root.x509.subject).toBe('O=flareo.test\nCN=Flareo Test Root CA');
    expect(root.x509.issuer).toBe(root.x509.subject);
    expect(root.x509.ca).toBe(true);
    expect(new Date(root.x509.validFrom).toISOString()).toBe('2020-01-01T00:00:00.000Z');
    expect(new Date(root.x509.validTo).toISOString()).toBe('2040-01-01T00:00:00.000Z');
    const bc = basicConstraints(root);
    expect(bc.cA).toBe(true);
    expect(bc.pathLenConstraint).toBeUndefined();
    expect(ext(root, '2.5.29.19')?.critical).toBe(true);
    expect(keyUsage(root)).toEqual(['crlSign', 'keyCertSign']);
    expect(ext(root, '2.5.29.15')?.critical).toBe(true);
    expect(ext(root, '2.5.29.37')).toBeUndefined();
    const spki = parse(root).tbsCertificate.subjectPublicKeyInfo;
    const expectedSki = createHash('sha1')
      .update(new Uint8Array(spki.subjectPublicKey))
      .digest('hex');
    expect(ski(root)).toBe(expectedSki);
    expect(aki(root)).toBe(expectedSki);
    expect(parse(root).tbsCertificate.version).toBe(2);
  });

  it('mints an intermediate with pathLen 0 and the issuer SKI as AKI', () => {
    const root = createCertificateAuthority();
    const intermediate = createCertificateAuthority({
      issuer: root,
      extendedKeyUsage: ['codeSigning'],
    });
    expect(intermediate.subject).toBe('Flareo Test Intermediate CA');
    expect(intermediate.x509.issuer).toBe(root.x509.subject);
    expect(basicConstraints(intermediate).pathLenConstraint).toBe(0);
    expect(aki(intermediate)).toBe(ski(root));
    expect(ski(intermediate)).not.toBe(ski(root));
    expect(eku(intermediate)).toEqual([CODE_SIGNING]);
    expect(intermediate.x509.keyUsage).toEqual([CODE_SIGNING]);
    expect(intermediate.key.keyId).not.toBe(root.key.keyId);
  });

  it('honours names, validity, pathLen, key usage and EKU options', () => {
    const ca = createCertificateAuthority({
      seed: 'opts',
      commonName: 'Custom CA',
      organization: 'example.org',
      keyType: 'ecdsa-p256',
      notBefore: new Date('2021-06-01T12:00:00Z'),
      notAfter: new Date('2060-06-01T12:00:00Z'),
      pathLenConstraint: 3,
      keyUsage: ['digitalSignature', 'keyCertSign'],
      extendedKeyUsage: ['codeSigning', 'serverAuth'],
    });
    expect(ca.subject).toBe('Custom CA');
    expect(ca.x509.subject).toBe('O=example.org\nCN=Custom CA');
    expect(ca.key.type).toBe('ecdsa-p256');
    expect(new Date(ca.x509.validFrom).toISOString()).toBe('2021-06-01T12:00:00.000Z');
    expect(new Date(ca.x509.validTo).toISOString()).toBe('2060-06-01T12:00:00.000Z');
    const validity = parse(ca).tbsCertificate.validity;
    expect(validity.notBefore.utcTime).toBeInstanceOf(Date);
    expect(validity.notAfter.generalTime).toBeInstanceOf(Date);
    expect(basicConstraints(ca).pathLenConstraint).toBe(3);
    expect(keyUsage(ca)).toEqual(['digitalSignature', 'keyCertSign']);
    expect(eku(ca)).toEqual([CODE_SIGNING, SERVER_AUTH]);
  });

  it('uses UTF8String for names outside PrintableString', () => {
    const ca = createCertificateAuthority({ seed: 'utf8', commonName: 'Flareo Tëst CA*' });
    expect(ca.x509.subject).toBe('O=flareo.test\nCN=Flareo Tëst CA*');
    const cn = parse(ca).tbsCertificate.subject[1]?.[0]?.value;
    expect(cn?.utf8String).toBe('Flareo Tëst CA*');
    expect(cn?.printableString).toBeUndefined();
  });

  it('isCA: false makes a broken "CA"', () => {
    const broken = createCertificateAuthority({ seed: 'broken', isCA: false });
    expect(broken.x509.ca).toBe(false);
    expect(basicConstraints(broken).cA).toBe(false);
  });

  it('omitKeyIdentifiers drops SKI and AKI (and children then get no AKI)', () => {
    const root = createCertificateAuthority({ seed: 'noids', omitKeyIdentifiers: true });
    expect(ext(root, '2.5.29.14')).toBeUndefined();
    expect(ext(root, '2.5.29.35')).toBeUndefined();
    const leaf = createLeafCertificate({ issuer: root, seed: 'noids' });
    expect(ext(leaf, '2.5.29.14')).toBeDefined();
    expect(ext(leaf, '2.5.29.35')).toBeUndefined();
    expect(leaf.x509.verify(root.key.publicKey)).toBe(true);
  });
});

describe('createLeafCertificate', () => {
  const chain = createFulcioChain();

  it('mints a Fulcio-style leaf with the documented defaults', () => {
    const leaf = chain.leaf();
    expect(leaf.subject).toBe('');
    expect(leaf.x509.subject).toBeUndefined();
    expect(parse(leaf).tbsCertificate.subject).toHaveLength(0);
    expect(leaf.key.type).toBe('ecdsa-p256');
    expect(leaf.x509.ca).toBe(false);
    expect(basicConstraints(leaf).cA).toBe(false);
    expect(new Date(leaf.x509.validFrom).toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(new Date(leaf.x509.validTo).toISOString()).toBe('2024-01-01T00:10:00.000Z');
    expect(leaf.x509.subjectAltName).toBe(`URI:${DEFAULT_WORKFLOW_URI}`);
    expect(ext(leaf, '2.5.29.17')?.critical).toBe(true);
    expect(leaf.x509.keyUsage).toEqual([CODE_SIGNING]);
    expect(keyUsage(leaf)).toEqual(['digitalSignature']);
    expect(ext(leaf, '2.5.29.15')?.critical).toBe(true);
    expect(aki(leaf)).toBe(ski(chain.intermediate));
    const legacy = leaf.x509.toLegacyObject();
    expect(legacy.subjectaltname).toBe(`URI:${DEFAULT_WORKFLOW_URI}`);
    expect(legacy.ext_key_usage).toEqual([CODE_SIGNING]);
  });

  it('writes the OIDC issuer in both the legacy and the v2 extension', () => {
    const leaf = chain.leaf();
    expect(text(extValue(leaf, `${FULCIO}.1`))).toBe(DEFAULT_OIDC_ISSUER);
    expect(utf8String(extValue(leaf, `${FULCIO}.8`))).toBe(DEFAULT_OIDC_ISSUER);
    const custom = chain.leaf({ oidcIssuer: 'https://accounts.example.com' });
    expect(text(extValue(custom, `${FULCIO}.1`))).toBe('https://accounts.example.com');
    expect(utf8String(extValue(custom, `${FULCIO}.8`))).toBe('https://accounts.example.com');
    const none = chain.leaf({ oidcIssuer: null });
    expect(ext(none, `${FULCIO}.1`)).toBeUndefined();
    expect(ext(none, `${FULCIO}.8`)).toBeUndefined();
  });

  it.each([
    ['workflowTrigger', 2, 'raw'],
    ['workflowSha', 3, 'raw'],
    ['workflowName', 4, 'raw'],
    ['workflowRepository', 5, 'raw'],
    ['workflowRef', 6, 'raw'],
    ['buildSignerUri', 9, 'utf8'],
    ['runnerEnvironment', 11, 'utf8'],
    ['sourceRepositoryUri', 12, 'utf8'],
    ['sourceRepositoryDigest', 13, 'utf8'],
    ['sourceRepositoryRef', 14, 'utf8'],
    ['runInvocationUri', 21, 'utf8'],
  ] as const)('writes GitHub claim %s as %s.%i (%s)', (claim, arc, encoding) => {
    const value = extValue(chain.leaf(), `${FULCIO}.${arc}`);
    const decoded = encoding === 'raw' ? text(value) : utf8String(value);
    expect(decoded).toBe(DEFAULT_GITHUB_CLAIMS[claim]);
    const custom = chain.leaf({ github: { [claim]: 'custom-value' } });
    const customValue = extValue(custom, `${FULCIO}.${arc}`);
    expect(encoding === 'raw' ? text(customValue) : utf8String(customValue)).toBe('custom-value');
  });

  it('default GitHub claims describe flareo/demo', () => {
    expect(DEFAULT_GITHUB_CLAIMS.workflowRepository).toBe('flareo/demo');
    expect(DEFAULT_GITHUB_CLAIMS.sourceRepositoryUri).toBe('https://github.com/flareo/demo');
    expect(DEFAULT_GITHUB_CLAIMS.workflowSha).toMatch(/^[0-9a-f]{40}$/);
  });

  it('github: {} writes no GitHub claims', () => {
    const leaf = chain.leaf({ github: {} });
    const oids = parse(leaf).tbsCertificate.extensions?.map((e) => e.extnID) ?? [];
    expect(oids.filter((oid) => oid.startsWith(`${FULCIO}.`)).sort()).toEqual([
      `${FULCIO}.1`,
      `${FULCIO}.8`,
    ]);
  });

  it('writes uri, email and dns SANs', () => {
    const leaf = chain.leaf({
      san: { uri: ['https://a.example/x'], email: ['dev@example.com'], dns: ['example.com'] },
    });
    expect(leaf.x509.subjectAltName).toBe(
      'URI:https://a.example/x, email:dev@example.com, DNS:example.com',
    );
    const names = AsnConvert.parse(extValue(leaf, '2.5.29.17'), SubjectAlternativeName);
    expect(names.map((n) => n.uniformResourceIdentifier ?? n.rfc822Name ?? n.dNSName)).toEqual([
      'https://a.example/x',
      'dev@example.com',
      'example.com',
    ]);
  });

  it('san: {} and omitSan leave the SAN extension out', () => {
    expect(chain.leaf({ san: {} }).x509.subjectAltName).toBeUndefined();
    expect(chain.leaf({ san: { uri: [] } }).x509.subjectAltName).toBeUndefined();
    expect(chain.leaf({ omitSan: true }).x509.subjectAltName).toBeUndefined();
  });

  it('honours key usage, EKU, validity, extra and SCT extensions', () => {
    const sct = new Uint8Array([0x04, 0x03, 0x00, 0x01, 0x02]);
    const leaf = chain.leaf({
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      extendedKeyUsage: ['codeSigning', 'clientAuth'],
      notBefore: new Date('2025-05-05T05:05:05Z'),
      notAfter: new Date('2025-05-05T06:00:00Z'),
      extraExtensions: [
        { oid: '1.2.3.4.5', value: new Uint8Array([0x05, 0x00]) },
        { oid: '1.2.3.4.6', critical: true, value: new Uint8Array([0x01, 0x01, 0xff]) },
      ],
      sctExtension: sct,
    });
    expect(keyUsage(leaf)).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(eku(leaf)).toEqual([CODE_SIGNING, '1.3.6.1.5.5.7.3.2']);
    expect(new Date(leaf.x509.validFrom).toISOString()).toBe('2025-05-05T05:05:05.000Z');
    expect(new Date(leaf.x509.validTo).toISOString()).toBe('2025-05-05T06:00:00.000Z');
    expect(ext(leaf, '1.2.3.4.5')?.critical).toBe(false);
    expect(extValue(leaf, '1.2.3.4.5')).toEqual(new Uint8Array([0x05, 0x00]));
    expect(ext(leaf, '1.2.3.4.6')?.critical).toBe(true);
    expect(extValue(leaf, '1.3.6.1.4.1.11129.2.4.2')).toEqual(sct);
    expect(leaf.x509.verify(chain.intermediate.key.publicKey)).toBe(true);
  });

  it('uses GeneralizedTime from 2050 on', () => {
    const leaf = chain.leaf({ notBefore: new Date('2049-12-31T23:55:00Z') });
    const validity = parse(leaf).tbsCertificate.validity;
    expect(validity.notBefore.utcTime?.toISOString()).toBe('2049-12-31T23:55:00.000Z');
    expect(validity.notAfter.generalTime?.toISOString()).toBe('2050-01-01T00:05:00.000Z');
    expect(new Date(leaf.x509.validTo).toISOString()).toBe('2050-01-01T00:05:00.000Z');
  });
});

describe('determinism', () => {
  it('the same seed and options give identical DER', () => {
    const a = createCertificateAuthority({ seed: 'det' });
    const b = createCertificateAuthority({ seed: 'det' });
    expect(a).not.toBe(b);
    expect(Buffer.from(a.der)).toEqual(Buffer.from(b.der));
    const la = createLeafCertificate({ issuer: a, seed: 'det' });
    const lb = createLeafCertificate({ issuer: b, seed: 'det' });
    expect(Buffer.from(la.der)).toEqual(Buffer.from(lb.der));
    expect(la.pem).toBe(lb.pem);
  });

  it('a different seed gives a different key, serial and DER', () => {
    const a = createCertificateAuthority({ seed: 'det' });
    const b = createCertificateAuthority({ seed: 'det-2' });
    expect(Buffer.from(a.der)).not.toEqual(Buffer.from(b.der));
    expect(a.key.keyId).not.toBe(b.key.keyId);
    expect(a.x509.serialNumber).not.toBe(b.x509.serialNumber);
    const la = createLeafCertificate({ issuer: a, seed: 'det' });
    const lb = createLeafCertificate({ issuer: a, seed: 'det-2' });
    expect(la.key.keyId).not.toBe(lb.key.keyId);
    expect(la.x509.serialNumber).not.toBe(lb.x509.serialNumber);
  });

  it('serials are positive 16-byte integers, distinct per certificate content', () => {
    const chain = createFulcioChain();
    const certs = [chain.root, chain.intermediate, ...Object.values(brokenLeaves(chain))];
    const serials = new Set<string>();
    for (const cert of certs) {
      const serial = new Uint8Array(parse(cert).tbsCertificate.serialNumber);
      expect(serial.length).toBe(16);
      expect((serial[0] ?? 0) & 0x80).toBe(0);
      expect(serial[0]).not.toBe(0);
      serials.add(cert.x509.serialNumber);
    }
    expect(serials.size).toBe(certs.length);
  });
});

describe('createFulcioChain', () => {
  it('is a Fulcio-like P-384 root → intermediate chain, memoized by options', () => {
    const chain = createFulcioChain();
    expect(createFulcioChain()).toBe(chain);
    expect(createFulcioChain({ seed: 'flareo', rootKeyType: 'ecdsa-p384' })).toBe(chain);
    expect(createFulcioChain({ seed: 'other' })).not.toBe(chain);
    expect(chain.root.key.type).toBe('ecdsa-p384');
    expect(chain.intermediate.key.type).toBe('ecdsa-p384');
    expect(chain.root.x509.issuer).toBe(chain.root.x509.subject);
    expect(basicConstraints(chain.intermediate).pathLenConstraint).toBe(0);
    expect(eku(chain.intermediate)).toEqual([CODE_SIGNING]);
    expectIssuedBy(chain.intermediate, chain.root);
  });

  it('leaf() uses the chain seed unless overridden', () => {
    const chain = createFulcioChain({ seed: 'leafseed' });
    const leaf = chain.leaf();
    const direct = createLeafCertificate({ issuer: chain.intermediate, seed: 'leafseed' });
    expect(Buffer.from(leaf.der)).toEqual(Buffer.from(direct.der));
    expect(chain.leaf({ seed: 'x' }).key.keyId).not.toBe(leaf.key.keyId);
  });
});

describe('brokenLeaves', () => {
  const chain = createFulcioChain();
  const broken = brokenLeaves(chain);

  it('every broken leaf still verifies against the intermediate', () => {
    for (const cert of Object.values(broken)) expectIssuedBy(cert, chain.intermediate);
  });

  it('expired: 2020-01-01, ten minutes', () => {
    expect(new Date(broken.expired.x509.validFrom).toISOString()).toBe('2020-01-01T00:00:00.000Z');
    expect(new Date(broken.expired.x509.validTo).toISOString()).toBe('2020-01-01T00:10:00.000Z');
    expect(new Date(broken.expired.x509.validTo).getTime()).toBeLessThan(Date.now());
  });

  it('notYetValid: 2039-01-01, ten minutes', () => {
    expect(new Date(broken.notYetValid.x509.validFrom).toISOString()).toBe(
      '2039-01-01T00:00:00.000Z',
    );
    expect(new Date(broken.notYetValid.x509.validTo).toISOString()).toBe(
      '2039-01-01T00:10:00.000Z',
    );
  });

  it('caLeaf has cA=true (and keyCertSign, so Node sees a CA)', () => {
    expect(broken.caLeaf.x509.ca).toBe(true);
    expect(basicConstraints(broken.caLeaf).cA).toBe(true);
    expect(keyUsage(broken.caLeaf)).toEqual(['digitalSignature', 'keyCertSign']);
  });

  it('isCA alone sets cA=true; Node only reports a CA with keyCertSign', () => {
    const leaf = chain.leaf({ isCA: true });
    expect(basicConstraints(leaf).cA).toBe(true);
    expect(leaf.x509.ca).toBe(false);
  });

  it('wrongEku is serverAuth only, noEku has no EKU extension', () => {
    expect(broken.wrongEku.x509.keyUsage).toEqual([SERVER_AUTH]);
    expect(ext(broken.noEku, '2.5.29.37')).toBeUndefined();
    expect(broken.noEku.x509.keyUsage).toBeUndefined();
  });

  it('noSan has no SAN extension', () => {
    expect(ext(broken.noSan, '2.5.29.17')).toBeUndefined();
    expect(broken.noSan.x509.subjectAltName).toBeUndefined();
  });
});

describe('certificateToPem', () => {
  it('wraps base64 DER at 64 characters and round-trips', () => {
    const { root } = createFulcioChain();
    const pem = certificateToPem(root.der);
    expect(pem).toBe(root.pem);
    const lines = pem.trimEnd().split('\n');
    expect(lines[0]).toBe('-----BEGIN CERTIFICATE-----');
    expect(lines.at(-1)).toBe('-----END CERTIFICATE-----');
    const body = lines.slice(1, -1);
    for (const line of body.slice(0, -1)) expect(line).toHaveLength(64);
    expect(body.at(-1)?.length).toBeLessThanOrEqual(64);
    expect(Buffer.from(body.join(''), 'base64')).toEqual(Buffer.from(root.der));
    expect(new X509Certificate(pem).raw).toEqual(Buffer.from(root.der));
  });
});
