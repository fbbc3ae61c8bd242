import { createHash, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createCertificateAuthority,
  createFulcioChain,
  createLeafCertificate,
  DEFAULT_GITHUB_CLAIMS,
  DEFAULT_OIDC_ISSUER,
  DEFAULT_WORKFLOW_URI,
  TestTimestampAuthority,
} from '@flareo/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OID } from '../der/oids.js';
import { DerError, encodeHeader, readTlv } from '../der/reader.js';
import { parseCertificate } from './certificate.js';

// X509Certificate (OpenSSL) is used here ONLY as an independent oracle: the view must agree
// with it on every real and minted certificate.

const vectors = process.env.FLAREO_VECTORS ?? join(__dirname, '../../../../fixtures/vectors');
const sigstore = join(vectors, 'sigstore');

function fixtureCertificates(): [string, Uint8Array][] {
  const out: [string, Uint8Array][] = [];
  const root = JSON.parse(readFileSync(join(sigstore, 'public-good', 'trusted_root.json'), 'utf8'));
  for (const [kind, list] of [
    ['ca', root.certificateAuthorities],
    ['tsa', root.timestampAuthorities],
  ] as const) {
    list.forEach((a: { certChain: { certificates: { rawBytes: string }[] } }, i: number) => {
      a.certChain.certificates.forEach((c, j) => {
        out.push([`trusted_root ${kind} ${i}/${j}`, Buffer.from(c.rawBytes, 'base64')]);
      });
    });
  }
  const bundles = join(sigstore, 'bundles');
  for (const name of readdirSync(bundles).filter((f) => f.endsWith('.sigstore'))) {
    const material = JSON.parse(readFileSync(join(bundles, name), 'utf8')).verificationMaterial;
    const certs = material.certificate
      ? [material.certificate]
      : (material.x509CertificateChain?.certificates ?? []);
    certs.forEach((c: { rawBytes: string }, j: number) => {
      out.push([`${name} ${j}`, Buffer.from(c.rawBytes, 'base64')]);
    });
  }
  for (const name of readdirSync(join(sigstore, 'public-good')).filter((f) =>
    f.endsWith('.crt.pem'),
  )) {
    const pem = readFileSync(join(sigstore, 'public-good', name), 'utf8');
    out.push([name, new X509Certificate(pem).raw]);
  }
  return out.map(([n, d]) => [n, new Uint8Array(d)]);
}

const chain = createFulcioChain({ seed: 'x509-view' });
const rsaChain = createFulcioChain({
  seed: 'x509-view-rsa',
  rootKeyType: 'rsa-2048',
  intermediateKeyType: 'rsa-2048',
});
const tsa = new TestTimestampAuthority({ seed: 'x509-view-tsa' });

function mintedCertificates(): [string, Uint8Array][] {
  return [
    ['testkit root', chain.root.der],
    ['testkit intermediate', chain.intermediate.der],
    ['testkit leaf', chain.leaf().der],
    [
      'testkit leaf with every SAN type',
      chain.leaf({
        san: { uri: [DEFAULT_WORKFLOW_URI], email: ['ci@flareo.test'], dns: ['build.flareo.test'] },
      }).der,
    ],
    ['testkit leaf without SAN', chain.leaf({ omitSan: true }).der],
    ['testkit ed25519 leaf', chain.leaf({ keyType: 'ed25519' }).der],
    ['testkit RSA root', rsaChain.root.der],
    ['testkit leaf under RSA', rsaChain.leaf().der],
    [
      'testkit UTF-8 CA',
      createCertificateAuthority({ seed: 'u', commonName: 'Flareo Tëst CA*' }).der,
    ],
    [
      'testkit 2050 leaf (GeneralizedTime)',
      chain.leaf({ notBefore: new Date('2050-01-01T00:00:00Z') }).der,
    ],
    ['testkit TSA', tsa.certificate.der],
    ['testkit TSA issuer', tsa.issuer.der],
  ];
}

const all = [...fixtureCertificates(), ...mintedCertificates()];

/** node:crypto prints names one RDN a line in encoded order; ours is RFC 4514 order. */
const nodeName = (text: string | undefined) =>
  (text ?? '').split('\n').filter(Boolean).reverse().join(', ');

/** node:crypto's subjectAltName (`URI:x, email:y`) as sorted `type:value` strings. */
function nodeSans(text: string | undefined): string[] {
  return (text ?? '')
    .split(', ')
    .filter(Boolean)
    .map((s) =>
      s
        .replace(/^email:/, 'email:')
        .replace(/^DNS:/, 'dns:')
        .replace(/^URI:/, 'uri:'),
    )
    .sort();
}

describe('parseCertificate agrees with node:crypto X509Certificate', () => {
  it('covers real and minted certificates', () => {
    expect(all.length).toBeGreaterThanOrEqual(20);
  });

  it.each(all)('%s', (_name, der) => {
    const view = parseCertificate(der);
    const x509 = new X509Certificate(der);
    expect(view.subject).toBe(nodeName(x509.subject));
    expect(view.issuer).toBe(nodeName(x509.issuer));
    expect(view.serialNumber).toBe(x509.serialNumber);
    expect(view.notBefore.getTime()).toBe(new Date(x509.validFrom).getTime());
    expect(view.notAfter.getTime()).toBe(new Date(x509.validTo).getTime());
    const sans = [
      ...view.san.uri.map((v) => `uri:${v}`),
      ...view.san.email.map((v) => `email:${v}`),
      ...view.san.dns.map((v) => `dns:${v}`),
    ].sort();
    expect(sans).toEqual(nodeSans(x509.subjectAltName));
    expect(createHash('sha256').update(view.der).digest('hex')).toBe(
      x509.fingerprint256.replaceAll(':', '').toLowerCase(),
    );
    expect(Buffer.from(view.spki)).toEqual(x509.publicKey.export({ type: 'spki', format: 'der' }));
    // OpenSSL's `ca` also needs keyCertSign when keyUsage is present.
    expect(x509.ca).toBe(
      view.isCA && (view.keyUsage === undefined || view.keyUsage.includes('keyCertSign')),
    );
    if (view.extendedKeyUsage)
      expect([...view.extendedKeyUsage].sort()).toEqual([...(x509.keyUsage ?? [])].sort());
    // The layout points at what it names.
    expect(view.der[view.layout.tbs.start]).toBe(0x30);
    expect(Buffer.from(view.tbs)).toEqual(
      Buffer.from(view.der.subarray(view.layout.tbs.start, view.layout.tbs.end)),
    );
    for (const ext of view.extensions.values()) {
      expect(view.der[ext.tlv.start]).toBe(0x30);
      expect(ext.tlv.start).toBeGreaterThan(view.layout.extensionsWrapper?.start ?? Infinity);
    }
  });
});

describe('the view of a Fulcio-style leaf', () => {
  it('reads every field the verifiers use', () => {
    const leaf = chain.leaf({
      san: { uri: [DEFAULT_WORKFLOW_URI], email: ['ci@flareo.test'], dns: ['build.flareo.test'] },
    });
    const c = parseCertificate(leaf.der);
    const issuer = parseCertificate(chain.intermediate.der);
    expect(c.version).toBe(3);
    expect(c.subject).toBe('');
    expect(c.issuer).toBe('CN=Flareo Test Intermediate CA, O=flareo.test');
    expect(c.issuerNameDer).toBe(issuer.subjectNameDer);
    expect(Buffer.from(c.issuerName).toString('hex')).toBe(c.issuerNameDer);
    expect(c.isCA).toBe(false);
    expect(c.keyUsage).toEqual(['digitalSignature']);
    expect(c.extendedKeyUsage).toEqual([OID.codeSigning]);
    expect(c.authorityKeyId).toBe(issuer.subjectKeyId);
    expect(c.subjectKeyId).toMatch(/^[0-9a-f]{40}$/);
    expect(c.publicKeyAlgorithm).toBe(OID.ecPublicKey);
    expect(c.publicKeyCurve).toBe(OID.p256);
    expect(c.signatureAlgorithm).toBe(OID.ecdsaWithSha384);
    expect(c.extensions.get(OID.subjectAltName)?.critical).toBe(true);
    expect(c.extensions.get(OID.extKeyUsage)?.critical).toBe(false);
    // v1 Fulcio extensions hold raw strings, v2 ones DER strings: both decode to text.
    expect(c.fulcio.get(`${OID.fulcioPrefix}1`)).toBe(DEFAULT_OIDC_ISSUER);
    expect(c.fulcio.get(`${OID.fulcioPrefix}8`)).toBe(DEFAULT_OIDC_ISSUER);
    expect(c.fulcio.get(`${OID.fulcioPrefix}12`)).toBe(DEFAULT_GITHUB_CLAIMS.sourceRepositoryUri);
    expect(Object.isFrozen(c)).toBe(true);
    expect(() => (c.extensions as Map<string, unknown>).delete(OID.subjectAltName)).toThrow(
      /immutable/,
    );
    expect(() => (c.fulcio as Map<string, string>).set(`${OID.fulcioPrefix}8`, 'x')).toThrow(
      /immutable/,
    );
    expect(c.extensions.has(OID.subjectAltName)).toBe(true);
  });

  it('reads CA constraints', () => {
    const c = parseCertificate(chain.intermediate.der);
    expect(c.isCA).toBe(true);
    expect(c.pathLenConstraint).toBe(0);
    expect(c.keyUsage).toEqual(['keyCertSign', 'cRLSign']);
    expect(parseCertificate(chain.root.der).pathLenConstraint).toBeUndefined();
  });

  it('a leaf without SAN, EKU or Fulcio extensions has empty fields', () => {
    const c = parseCertificate(
      chain.leaf({ omitSan: true, extendedKeyUsage: null, oidcIssuer: null, github: {} }).der,
    );
    expect(c.san).toEqual({ uri: [], email: [], dns: [] });
    expect(c.extendedKeyUsage).toBeUndefined();
    expect(c.fulcio.size).toBe(0);
  });

  it('prints names RFC 4514 style, escaping what needs it', () => {
    const ca = createCertificateAuthority({
      seed: 'x509-names',
      commonName: ' Acme, "Signing" #1 ',
      organization: 'a+b;c<d>e\\f',
    });
    expect(parseCertificate(ca.der).subject).toBe(
      'CN=\\ Acme\\, \\"Signing\\" #1\\ , O=a\\+b\\;c\\<d\\>e\\\\f',
    );
  });

  it('keeps the SCT list extension with the offsets of the pre-certificate', () => {
    const sct = new Uint8Array([0x04, 0x04, 0x00, 0x02, 0xaa, 0xbb]);
    const leaf = parseCertificate(chain.leaf({ sctExtension: sct }).der);
    const ext = leaf.extensions.get(OID.sctList);
    expect(ext && Buffer.from(ext.value)).toEqual(Buffer.from(sct));
    expect(ext && readTlv(leaf.der, ext.tlv.start).end).toBe(ext?.tlv.end);
    expect([...leaf.extensions.keys()].at(-1)).toBe(OID.sctList);
  });
});

/** A copy of `der` with `from` (hex) replaced by `to` (same length). */
function patched(der: Uint8Array, from: string, to: string): Uint8Array {
  const hex = Buffer.from(der).toString('hex');
  const at = hex.indexOf(from);
  expect(at).toBeGreaterThanOrEqual(0);
  expect(at % 2).toBe(0);
  return Uint8Array.from(Buffer.from(hex.slice(0, at) + to + hex.slice(at + from.length), 'hex'));
}

function refusal(der: Uint8Array, message?: RegExp): DerError {
  let caught: unknown;
  try {
    parseCertificate(der);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(DerError);
  if (message) expect((caught as Error).message).toMatch(message);
  return caught as DerError;
}

describe('parseCertificate refuses', () => {
  const der = chain.leaf().der;
  it.each([
    ['empty bytes', new Uint8Array(0), /truncated/],
    ['a PEM text', new TextEncoder().encode(chain.intermediate.pem), /./],
    ['a truncated certificate', der.subarray(0, 200), /runs past/],
    ['a SEQUENCE of nothing', new Uint8Array([0x30, 0x00]), /expected TBSCertificate/],
    ['a trailing byte', Uint8Array.from([...der, 0]), /bytes after the certificate/],
  ])('%s', (_name, bytes, message) => {
    refusal(bytes, message);
  });

  it('not bytes', () => {
    refusal('x' as never, /must be bytes/);
  });

  it('a duplicated extension', () => {
    const eku = Uint8Array.from([
      0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03,
    ]);
    refusal(
      chain.leaf({ extraExtensions: [{ oid: OID.extKeyUsage, value: eku }] }).der,
      /duplicate extension/,
    );
  });

  it('a criticality that is not a DER BOOLEAN', () => {
    // keyUsage is critical: 06 03 55 1d 0f 01 01 ff → make the BOOLEAN 0x01.
    refusal(patched(der, '0603551d0f0101ff', '0603551d0f010101'), /critical is not a DER BOOLEAN/);
  });

  it('an impossible validity date', () => {
    const text = Buffer.from('240101000000Z', 'latin1').toString('hex');
    refusal(
      patched(der, text, Buffer.from('230431000000Z', 'latin1').toString('hex')),
      /not a valid time/,
    );
  });

  it('a malformed known extension value', () => {
    // The keyUsage BIT STRING 03 02 07 80 → 8 unused bits.
    refusal(patched(der, '03020780', '03020880'), /unused-bits/);
  });

  it('a non-minimal length', () => {
    // Re-encode the outer SEQUENCE length with one more octet than needed.
    const outer = readTlv(der, 0);
    const body = der.subarray(outer.valueStart);
    const header = encodeHeader(0x30, body.length);
    const padded = Uint8Array.from([0x30, 0x80 | header.length, 0, ...header.subarray(2), ...body]);
    refusal(padded, /leading zero/);
  });
});

describe('properties', () => {
  it('random bytes and mutated real certificates only ever fail with DerError', () => {
    const seeds = all.map(([, d]) => d);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 600 }),
          fc
            .tuple(fc.constantFrom(...seeds), fc.nat(), fc.integer({ min: 0, max: 255 }))
            .map(([d, at, byte]) => {
              const m = Uint8Array.from(d);
              m[at % m.length] = byte;
              return m;
            }),
          fc
            .tuple(fc.constantFrom(...seeds), fc.nat())
            .map(([d, n]) => d.subarray(0, n % d.length)),
          fc
            .tuple(
              fc.constantFrom(...seeds),
              fc.nat(),
              fc.uint8Array({ minLength: 1, maxLength: 4 }),
            )
            .map(([d, at, ins]) => {
              const i = at % d.length;
              return Uint8Array.from([...d.subarray(0, i), ...ins, ...d.subarray(i)]);
            }),
        ),
        (bytes) => {
          try {
            const view = parseCertificate(bytes);
            // What parses is a consistent view.
            expect(view.der).toBe(bytes);
            expect(view.tbs.length).toBeLessThan(bytes.length);
          } catch (error) {
            expect(error).toBeInstanceOf(DerError);
            expect((error as DerError).code).toBe('DER_INVALID');
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('a leaf minted with any SANs and dates reads back what node:crypto reads', () => {
    const ia5 = fc.stringMatching(/^[a-z0-9.-]{1,20}$/);
    fc.assert(
      fc.property(
        fc.array(ia5, { maxLength: 3 }).map((l) => l.map((s) => `https://${s}/x`)),
        fc.array(ia5, { maxLength: 2 }).map((l) => l.map((s) => `${s}@flareo.test`)),
        fc.array(ia5, { maxLength: 2 }),
        fc.integer({ min: 0, max: 2_000_000_000 }),
        (uri, email, dns, seconds) => {
          const notBefore = new Date(Date.UTC(2000, 0, 1) + seconds * 1000);
          const cert = createLeafCertificate({
            issuer: chain.intermediate,
            seed: 'x509-prop',
            san: { uri, email, dns },
            notBefore,
          });
          const view = parseCertificate(cert.der);
          expect(view.san).toEqual({ uri, email, dns });
          expect(view.notBefore.getTime()).toBe(notBefore.getTime());
          expect(view.serialNumber).toBe(cert.x509.serialNumber);
        },
      ),
      { numRuns: 40 },
    );
  });
});
