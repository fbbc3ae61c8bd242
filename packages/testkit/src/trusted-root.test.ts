import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type TestKeyType, testKey } from './keys.js';
import { buildTrustedRoot, keyDetailsFor, TRUSTED_ROOT_MEDIA_TYPE } from './trusted-root.js';
import { createCertificateAuthority, createFulcioChain } from './x509.js';

interface Log {
  baseUrl: string;
  hashAlgorithm: string;
  publicKey: { rawBytes: string; keyDetails: string; validFor: { start: string; end?: string } };
  logId: { keyId: string };
}
interface Authority {
  subject: { organization?: string; commonName?: string };
  uri: string;
  certChain: { certificates: { rawBytes: string }[] };
  validFor: { start: string; end?: string };
}
interface Root {
  mediaType: string;
  tlogs: Log[];
  certificateAuthorities: Authority[];
  ctlogs: Log[];
  timestampAuthorities: Authority[];
}

const chain = createFulcioChain();
const tsa = createCertificateAuthority({
  seed: 'tsa',
  commonName: 'Flareo Test TSA Root',
  keyType: 'ecdsa-p256',
});
const rekor = testKey('ecdsa-p256', 'rekor');
const ctlog = testKey('ecdsa-p256', 'ctlog');

const root = buildTrustedRoot({
  tlogs: [{ baseUrl: 'https://rekor.flareo.test', key: rekor }],
  certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }],
  ctlogs: [
    {
      baseUrl: 'https://ctfe.flareo.test/2024',
      key: ctlog,
      start: new Date('2021-03-14T00:00:00Z'),
      end: new Date('2022-10-31T23:59:59.999Z'),
    },
  ],
  timestampAuthorities: [{ chain: [tsa], uri: 'https://tsa.flareo.test', end: new Date(0) }],
}) as unknown as Root;

const b64 = (value: string): Buffer => Buffer.from(value, 'base64');

describe('buildTrustedRoot', () => {
  it('has the shape of a Sigstore trusted_root.json', () => {
    expect(Object.keys(root)).toEqual([
      'mediaType',
      'tlogs',
      'certificateAuthorities',
      'ctlogs',
      'timestampAuthorities',
    ]);
    expect(root.mediaType).toBe('application/vnd.dev.sigstore.trustedroot+json;version=0.1');
    expect(root.mediaType).toBe(TRUSTED_ROOT_MEDIA_TYPE);
    expect(JSON.parse(JSON.stringify(root))).toEqual(root);
  });

  it('writes transparency logs like Rekor entries', () => {
    expect(root.tlogs).toEqual([
      {
        baseUrl: 'https://rekor.flareo.test',
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: Buffer.from(rekor.spki).toString('base64'),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start: '2020-01-01T00:00:00Z' },
        },
        logId: { keyId: createHash('sha256').update(rekor.spki).digest('base64') },
      },
    ]);
    const [tlog] = root.tlogs;
    const key = createPublicKey({
      key: b64(tlog!.publicKey.rawBytes),
      format: 'der',
      type: 'spki',
    });
    expect(key.equals(rekor.publicKey)).toBe(true);
    expect(b64(tlog!.logId.keyId).toString('hex')).toBe(rekor.keyId);
  });

  it('writes CT logs with explicit validity, keeping fractional seconds', () => {
    const [log] = root.ctlogs;
    expect(log?.baseUrl).toBe('https://ctfe.flareo.test/2024');
    expect(log?.hashAlgorithm).toBe('SHA2_256');
    expect(log?.publicKey.validFor).toEqual({
      start: '2021-03-14T00:00:00Z',
      end: '2022-10-31T23:59:59.999Z',
    });
    expect(b64(log!.publicKey.rawBytes)).toEqual(Buffer.from(ctlog.spki));
  });

  it('writes certificate authorities whose rawBytes round-trip to the DER', () => {
    expect(root.certificateAuthorities).toHaveLength(1);
    const [ca] = root.certificateAuthorities;
    expect(Object.keys(ca!)).toEqual(['subject', 'uri', 'certChain', 'validFor']);
    expect(ca?.subject).toEqual({ organization: 'flareo.test', commonName: 'Flareo Test Root CA' });
    expect(ca?.uri).toBe('https://fulcio.flareo.test');
    expect(ca?.validFor).toEqual({ start: '2020-01-01T00:00:00Z' });
    const certs = ca!.certChain.certificates.map((c) => b64(c.rawBytes));
    expect(certs).toEqual([Buffer.from(chain.intermediate.der), Buffer.from(chain.root.der)]);
    const [intermediate, rootCert] = certs.map((der) => new X509Certificate(der));
    expect(intermediate!.verify(rootCert!.publicKey)).toBe(true);
  });

  it('writes timestamp authorities like certificate authorities', () => {
    const [authority] = root.timestampAuthorities;
    expect(authority).toEqual({
      subject: { organization: 'flareo.test', commonName: 'Flareo Test TSA Root' },
      uri: 'https://tsa.flareo.test',
      certChain: { certificates: [{ rawBytes: Buffer.from(tsa.der).toString('base64') }] },
      validFor: { start: '2020-01-01T00:00:00Z', end: '1970-01-01T00:00:00Z' },
    });
  });

  it.each([
    ['ecdsa-p256', 'PKIX_ECDSA_P256_SHA_256'],
    ['ecdsa-p384', 'PKIX_ECDSA_P384_SHA_384'],
    ['ecdsa-p521', 'PKIX_ECDSA_P521_SHA_512'],
    ['ed25519', 'PKIX_ED25519'],
    ['rsa-2048', 'PKIX_RSA_PKCS1V15_2048_SHA256'],
  ] as [TestKeyType, string][])('maps %s keys to %s', (type, details) => {
    expect(keyDetailsFor(type)).toBe(details);
    const built = buildTrustedRoot({
      tlogs: [{ baseUrl: 'https://log.test', key: testKey(type, 'kd') }],
    }) as unknown as Root;
    expect(built.tlogs[0]?.publicKey.keyDetails).toBe(details);
  });

  it('maps the larger RSA sizes too', () => {
    expect(keyDetailsFor('rsa-3072')).toBe('PKIX_RSA_PKCS1V15_3072_SHA256');
    expect(keyDetailsFor('rsa-4096')).toBe('PKIX_RSA_PKCS1V15_4096_SHA256');
  });

  it('honours custom logId, start, uri and media type; empty options give empty lists', () => {
    const logId = new Uint8Array(32).fill(7);
    const custom = buildTrustedRoot({
      mediaType: 'application/vnd.dev.sigstore.trustedroot.v0.2+json',
      tlogs: [{ baseUrl: 'https://r', key: rekor, logId, start: new Date('2024-02-03T04:05:06Z') }],
      certificateAuthorities: [
        {
          chain: [chain.root],
          uri: 'https://ca',
          start: new Date('2023-01-01T00:00:00.5Z'),
          end: new Date('2030-01-01T00:00:00Z'),
        },
      ],
    }) as unknown as Root;
    expect(custom.mediaType).toBe('application/vnd.dev.sigstore.trustedroot.v0.2+json');
    expect(custom.tlogs[0]?.logId.keyId).toBe(Buffer.from(logId).toString('base64'));
    expect(custom.tlogs[0]?.publicKey.validFor).toEqual({ start: '2024-02-03T04:05:06Z' });
    expect(custom.certificateAuthorities[0]?.uri).toBe('https://ca');
    expect(custom.certificateAuthorities[0]?.validFor).toEqual({
      start: '2023-01-01T00:00:00.500Z',
      end: '2030-01-01T00:00:00Z',
    });
    expect(buildTrustedRoot({})).toEqual({
      mediaType: TRUSTED_ROOT_MEDIA_TYPE,
      tlogs: [],
      certificateAuthorities: [],
      ctlogs: [],
      timestampAuthorities: [],
    });
  });

  it('rejects an authority with an empty chain', () => {
    expect(() => buildTrustedRoot({ certificateAuthorities: [{ chain: [] }] })).toThrow(
      /non-empty chain/,
    );
  });
});
