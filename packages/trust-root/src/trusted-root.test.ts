import {
  buildTrustedRoot,
  createCertificateAuthority,
  createFulcioChain,
  createLeafCertificate,
  testKey,
} from '@flareo/testkit';
import { describe, expect, it } from 'vitest';
import { TrustRootError } from './errors.js';
import { noteKeyHash } from './keys.js';
import { parseTrustedRoot } from './trusted-root.js';

const chain = createFulcioChain({ seed: 'trusted-root' });
const rekor = testKey('ecdsa-p256', 'rekor-v1');
const rekorV2 = testKey('ed25519', 'rekor-v2');
const ct = testKey('ecdsa-p256', 'ctlog');
const tsaCa = createCertificateAuthority({ seed: 'tsa', commonName: 'Flareo Test TSA Root' });
const tsaLeaf = createLeafCertificate({
  issuer: tsaCa,
  seed: 'tsa',
  omitSan: true,
  oidcIssuer: null,
  github: {},
  notBefore: new Date('2024-01-01T00:00:00Z'),
  notAfter: new Date('2034-01-01T00:00:00Z'),
});
const v2Host = 'log2026-1.rekor.flareo.test';
const v2LogId = (() => {
  const spki = rekorV2.spki;
  return Buffer.from(noteKeyHash({ algorithm: { kind: 'ed25519' }, spki }, v2Host));
})();

// biome-ignore lint/suspicious/noExplicitAny: tests mutate the JSON document freely
type Doc = Record<string, any>;

function document(): Doc {
  return buildTrustedRoot({
    certificateAuthorities: [
      { chain: [chain.intermediate, chain.root], start: new Date('2022-01-01T00:00:00Z') },
    ],
    tlogs: [
      { baseUrl: 'https://rekor.flareo.test', key: rekor, start: new Date('2021-01-01T00:00:00Z') },
      {
        baseUrl: `https://${v2Host}`,
        key: rekorV2,
        logId: v2LogId,
        start: new Date('2025-01-01T00:00:00Z'),
      },
    ],
    ctlogs: [
      {
        baseUrl: 'https://ct.flareo.test',
        key: ct,
        start: new Date('2021-01-01T00:00:00Z'),
        end: new Date('2030-12-31T23:59:59Z'),
      },
    ],
    timestampAuthorities: [{ chain: [tsaLeaf, tsaCa] }],
  }) as Doc;
}

function rejection(input: unknown, options = {}): TrustRootError {
  try {
    parseTrustedRoot(input as object, options);
  } catch (error) {
    expect(error).toBeInstanceOf(TrustRootError);
    return error as TrustRootError;
  }
  throw new Error('expected a rejection');
}

describe('parseTrustedRoot: accepted', () => {
  it('reads CAs, Rekor v1 and v2 logs, CT logs and TSAs from an object, text or bytes', () => {
    const doc = document();
    for (const input of [doc, JSON.stringify(doc), new TextEncoder().encode(JSON.stringify(doc))]) {
      const root = parseTrustedRoot(input, { name: 'trusted_root.json' });
      expect(root.certificateAuthorities).toHaveLength(1);
      expect(root.certificateAuthorities[0]?.certificates).toHaveLength(2);
      expect(root.certificateAuthorities[0]?.anchor.selfSigned).toBe(true);
      expect(root.tlogs.map((l) => l.logId)).toEqual([rekor.keyId, v2LogId.toString('hex')]);
      expect(root.tlogs.map((l) => l.host)).toEqual(['rekor.flareo.test', v2Host]);
      expect(root.ctlogs[0]?.logId).toBe(ct.keyId);
      expect(root.timestampAuthorities[0]?.certificates[0]?.isCA).toBe(false);
      expect(root.tlogs[0]?.key.hash).toBe('sha256');
      expect(root.tlogs[0]?.key.source).toEqual({
        kind: 'trusted-root',
        name: 'trusted_root.json',
        location: '/tlogs/0',
      });
    }
  });

  it('treats validFor as a closed interval and a missing end as open', () => {
    const root = parseTrustedRoot(document());
    const end = new Date('2030-12-31T23:59:59Z');
    expect(root.ctlogsById(ct.keyId, end)).toHaveLength(1);
    expect(root.ctlogsById(ct.keyId, new Date(end.getTime() + 1))).toHaveLength(0);
    expect(root.ctlogsById(ct.keyId, new Date('2021-01-01T00:00:00Z'))).toHaveLength(1);
    expect(root.ctlogsById(ct.keyId, new Date('2020-12-31T23:59:59.999Z'))).toHaveLength(0);
    expect(root.tlogsById(rekor.keyId, new Date('2999-01-01T00:00:00Z'))).toHaveLength(1);
    expect(root.certificateAuthoritiesAt(new Date('2021-06-01T00:00:00Z'))).toHaveLength(0);
    expect(root.certificateAuthoritiesAt(new Date('2024-06-01T00:00:00Z'))).toHaveLength(1);
  });

  it('treats a missing validFor as unbounded', () => {
    const doc = document();
    delete doc.certificateAuthorities[0].validFor;
    const root = parseTrustedRoot(doc);
    expect(root.certificateAuthorities[0]?.validFor).toEqual({});
    expect(root.certificateAuthoritiesAt(new Date('1990-01-01T00:00:00Z'))).toHaveLength(1);
  });

  it('finds a log by trusted_root v0.2 checkpointKeyId', () => {
    const doc = document();
    doc.mediaType = 'application/vnd.dev.sigstore.trustedroot.v0.2+json';
    doc.tlogs[1].checkpointKeyId = { keyId: Buffer.from('cafebabe', 'hex').toString('base64') };
    const root = parseTrustedRoot(doc);
    expect(root.tlogsById('cafebabe')[0]?.host).toBe(v2Host);
  });

  it('accepts the empty root (no material) as a valid, empty model', () => {
    const root = parseTrustedRoot({
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    });
    expect(root.isEmpty).toBe(true);
  });

  it('skips unsupported logs only when asked, and says so', () => {
    const doc = document();
    doc.tlogs.push({
      ...doc.tlogs[0],
      publicKey: { ...doc.tlogs[0].publicKey, keyDetails: 'ML_DSA_65' },
    });
    expect(rejection(doc).code).toBe('KEY_UNSUPPORTED');
    const root = parseTrustedRoot(doc, { onUnsupported: 'skip' });
    expect(root.tlogs).toHaveLength(2);
    expect(root.skipped).toEqual(['/tlogs/2: unsupported keyDetails ML_DSA_65']);
  });
});

describe('parseTrustedRoot: ProtoJSON null is unset (conformance regression)', () => {
  it('reads optional message fields holding null as absent, in every message', () => {
    const doc = document();
    doc.mediaType = 'application/vnd.dev.sigstore.trustedroot.v0.2+json';
    doc.certificateAuthorities[0].subject = null;
    doc.certificateAuthorities[0].uri = null;
    doc.certificateAuthorities[0].validFor.end = null;
    doc.tlogs[0].checkpointKeyId = null;
    doc.tlogs[0].operator = null;
    doc.tlogs[0].publicKey.validFor = null;
    doc.tlogs[1].publicKey.keyDetails = null;
    doc.ctlogs[0].publicKey.validFor.end = null;
    doc.timestampAuthorities[0].validFor = null;
    const before = JSON.stringify(doc);
    const root = parseTrustedRoot(doc);
    expect(JSON.stringify(doc)).toBe(before);
    expect(root.certificateAuthorities[0]?.subject).toBeUndefined();
    expect(root.certificateAuthorities[0]?.uri).toBeUndefined();
    expect(root.certificateAuthorities[0]?.validFor.end).toBeUndefined();
    expect(root.tlogs[0]?.checkpointKeyId).toBeUndefined();
    expect(root.tlogs[0]?.operator).toBeUndefined();
    expect(root.tlogs[0]?.validFor).toEqual({});
    expect(root.tlogs[1]?.key.algorithm.kind).toBe('ed25519');
    expect(root.ctlogsById(ct.keyId, new Date('2999-01-01T00:00:00Z'))).toHaveLength(1);
    expect(root.timestampAuthorities[0]?.validFor).toEqual({});
  });

  it('reads a null repeated field as an empty list', () => {
    const doc = { ...document(), ctlogs: null, timestampAuthorities: null };
    const root = parseTrustedRoot(JSON.stringify(doc));
    expect(root.ctlogs).toHaveLength(0);
    expect(root.timestampAuthorities).toHaveLength(0);
    expect(root.tlogs).toHaveLength(2);
  });

  it('still refuses null where a value is required or inside a list', () => {
    const required = document();
    required.tlogs[0].baseUrl = null;
    expect(rejection(required)).toMatchObject({
      code: 'TRUSTED_ROOT_INVALID',
      detail: { path: '/tlogs/0' },
    });
    const inList = document();
    inList.tlogs.push(null);
    expect(rejection(inList)).toMatchObject({
      code: 'TRUSTED_ROOT_INVALID',
      detail: { path: '/tlogs/2' },
    });
    expect(rejection({ ...document(), mediaType: null }).code).toBe('TRUSTED_ROOT_INVALID');
  });
});

describe('parseTrustedRoot: rejected', () => {
  const cases: [string, (doc: Doc) => unknown, string, string?][] = [
    ['invalid JSON', () => '{"mediaType":', 'JSON_INVALID'],
    ['not an object', () => [], 'TRUSTED_ROOT_INVALID', '/'],
    [
      'missing mediaType',
      (d) => {
        delete d.mediaType;
        return d;
      },
      'TRUSTED_ROOT_INVALID',
      '/',
    ],
    [
      'unknown media type',
      (d) => ({ ...d, mediaType: 'application/vnd.dev.sigstore.trustedroot.v0.9+json' }),
      'TRUSTED_ROOT_MEDIA_TYPE',
      '/mediaType',
    ],
    ['tlogs not an array', (d) => ({ ...d, tlogs: {} }), 'TRUSTED_ROOT_INVALID', '/tlogs'],
    [
      'tlog without logId',
      (d) => {
        delete d.tlogs[0].logId;
        return d;
      },
      'TRUSTED_ROOT_INVALID',
      '/tlogs/0',
    ],
    [
      'tlog key not base64',
      (d) => {
        d.tlogs[0].publicKey.rawBytes = 'not base64!';
        return d;
      },
      'TRUSTED_ROOT_INVALID',
      '/tlogs/0/publicKey/rawBytes',
    ],
    [
      'empty certificate chain',
      (d) => {
        d.certificateAuthorities[0].certChain.certificates = [];
        return d;
      },
      'TRUSTED_ROOT_INVALID',
      '/certificateAuthorities/0/certChain/certificates',
    ],
    [
      'validFor without start',
      (d) => {
        d.tlogs[0].publicKey.validFor = { end: '2030-01-01T00:00:00Z' };
        return d;
      },
      'VALIDITY_INVALID',
      '/tlogs/0/publicKey/validFor',
    ],
    [
      'validFor ending before it starts',
      (d) => {
        d.certificateAuthorities[0].validFor = {
          start: '2030-01-01T00:00:00Z',
          end: '2029-01-01T00:00:00Z',
        };
        return d;
      },
      'VALIDITY_INVALID',
      '/certificateAuthorities/0/validFor',
    ],
    [
      'unparsable date',
      (d) => {
        d.certificateAuthorities[0].validFor = { start: 'yesterday' };
        return d;
      },
      'VALIDITY_INVALID',
      '/certificateAuthorities/0/validFor/start',
    ],
    [
      'impossible date (February 31 at hour 24)',
      (d) => {
        d.certificateAuthorities[0].validFor = { start: '2021-02-31T24:00:00Z' };
        return d;
      },
      'VALIDITY_INVALID',
      '/certificateAuthorities/0/validFor/start',
    ],
    [
      'impossible date (April 31)',
      (d) => {
        d.certificateAuthorities[0].validFor = { start: '2023-04-31T00:00:00Z' };
        return d;
      },
      'VALIDITY_INVALID',
      '/certificateAuthorities/0/validFor/start',
    ],
    [
      'impossible date (hour 24)',
      (d) => {
        d.certificateAuthorities[0].validFor = { start: '2023-05-01T24:00:00Z' };
        return d;
      },
      'VALIDITY_INVALID',
      '/certificateAuthorities/0/validFor/start',
    ],
    [
      'impossible date (minute 60)',
      (d) => {
        d.certificateAuthorities[0].validFor = { start: '2023-05-01T23:60:00Z' };
        return d;
      },
      'VALIDITY_INVALID',
      '/certificateAuthorities/0/validFor/start',
    ],
    [
      'impossible date (month 13)',
      (d) => {
        d.certificateAuthorities[0].validFor = { start: '2023-13-01T00:00:00Z' };
        return d;
      },
      'VALIDITY_INVALID',
      '/certificateAuthorities/0/validFor/start',
    ],
    [
      'impossible date (leap day of 2023)',
      (d) => {
        d.certificateAuthorities[0].validFor = { start: '2023-02-29T00:00:00Z' };
        return d;
      },
      'VALIDITY_INVALID',
      '/certificateAuthorities/0/validFor/start',
    ],
    [
      'impossible end date (tlog key)',
      (d) => {
        d.tlogs[0].publicKey.validFor = {
          start: '2021-01-01T00:00:00Z',
          end: '2030-02-30T00:00:00Z',
        };
        return d;
      },
      'VALIDITY_INVALID',
      '/tlogs/0/publicKey/validFor/end',
    ],
    [
      'keyDetails naming another curve',
      (d) => {
        d.tlogs[0].publicKey.keyDetails = 'PKIX_ECDSA_P384_SHA_384';
        return d;
      },
      'KEY_DETAILS_MISMATCH',
      '/tlogs/0/publicKey',
    ],
    [
      'keyDetails naming another algorithm',
      (d) => {
        d.tlogs[1].publicKey.keyDetails = 'PKIX_ECDSA_P256_SHA_256';
        return d;
      },
      'KEY_DETAILS_MISMATCH',
      '/tlogs/1/publicKey',
    ],
    [
      'unknown keyDetails',
      (d) => {
        d.tlogs[0].publicKey.keyDetails = 'PKIX_ECDSA_P256_HMAC_SHA_256';
        return d;
      },
      'KEY_UNSUPPORTED',
      '/tlogs/0/publicKey',
    ],
    [
      'a log key that is not a key',
      (d) => {
        d.tlogs[0].publicKey.rawBytes = 'AAAA';
        return d;
      },
      'KEY_INVALID',
      '/tlogs/0/publicKey',
    ],
    [
      "a log id that is not the key's",
      (d) => {
        d.tlogs[0].logId.keyId = Buffer.alloc(32, 7).toString('base64');
        return d;
      },
      'LOG_ID_MISMATCH',
      '/tlogs/0/logId',
    ],
    [
      'a v2 log id computed with the scheme in the name',
      (d) => {
        d.tlogs[1].logId.keyId = Buffer.from(
          noteKeyHash({ algorithm: { kind: 'ed25519' }, spki: rekorV2.spki }, `https://${v2Host}`),
        ).toString('base64');
        return d;
      },
      'LOG_ID_MISMATCH',
      '/tlogs/1/logId',
    ],
    [
      'an unsupported log hash',
      (d) => {
        d.tlogs[0].hashAlgorithm = 'SHA3_256';
        return d;
      },
      'KEY_UNSUPPORTED',
      '/tlogs/0',
    ],
    [
      'a chain in the wrong order',
      (d) => {
        d.certificateAuthorities[0].certChain.certificates.reverse();
        return d;
      },
      'CERTIFICATE_CHAIN_INVALID',
    ],
    [
      'a chain whose link does not verify',
      (d) => {
        const other = createFulcioChain({ seed: 'someone-else' });
        d.certificateAuthorities[0].certChain.certificates[1].rawBytes = Buffer.from(
          other.root.der,
        ).toString('base64');
        return d;
      },
      'CERTIFICATE_CHAIN_INVALID',
      '/certificateAuthorities/0/certChain/certificates/0',
    ],
    [
      'a CA chain holding a leaf',
      (d) => {
        d.certificateAuthorities[0].certChain.certificates.unshift({
          rawBytes: Buffer.from(chain.leaf().der).toString('base64'),
        });
        return d;
      },
      'CERTIFICATE_NOT_CA',
      '/certificateAuthorities/0/certChain/certificates/0',
    ],
    [
      'a tampered root',
      (d) => {
        const der = Buffer.from(chain.root.der);
        der[der.length - 2] = (der[der.length - 2] ?? 0) ^ 1;
        d.certificateAuthorities[0].certChain.certificates[1].rawBytes = der.toString('base64');
        return d;
      },
      'CERTIFICATE_CHAIN_INVALID',
    ],
    [
      'certificate bytes that are not a certificate',
      (d) => {
        d.timestampAuthorities[0].certChain.certificates[0].rawBytes = 'MAMCAQU=';
        return d;
      },
      'CERTIFICATE_INVALID',
      '/timestampAuthorities/0/certChain/certificates/0',
    ],
  ];
  it.each(cases)('%s', (_name, mutate, code, path) => {
    const error = rejection(mutate(document()), { name: 'trusted_root.json' });
    expect(error.code).toBe(code);
    if (path !== undefined) expect(error.detail.path).toBe(path);
    expect(error.message).toMatch(/^trusted_root\.json/);
  });
});
