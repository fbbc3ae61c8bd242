import { execFileSync } from 'node:child_process';
import { createHash, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContentInfo, id_signedData, SignedData } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import { id_ct_tstInfo, PKIStatus, TimeStampResp, TSTInfo } from '@peculiar/asn1-tsp';
import { Certificate, ExtendedKeyUsage } from '@peculiar/asn1-x509';
import { afterAll, describe, expect, it } from 'vitest';
import { testKey } from '../keys.js';
import {
  DEFAULT_TSA_POLICY,
  type MintedTimestamp,
  OID_TIME_STAMPING,
  TestTimestampAuthority,
} from './tsa.js';

const sha = (alg: string, d: Uint8Array) => new Uint8Array(createHash(alg).update(d).digest());
const hex = (u: Uint8Array | ArrayBuffer) => Buffer.from(u as Uint8Array).toString('hex');

const artifactSignature = testKey('ecdsa-p256', 'tsa-signer').sign(new TextEncoder().encode('x'));
const TIME = new Date('2024-03-04T05:06:07Z');

function parse(minted: MintedTimestamp) {
  const resp = AsnConvert.parse(minted.response, TimeStampResp);
  const token = resp.timeStampToken;
  if (!token) throw new Error('no token');
  const signedData = AsnConvert.parse(token.content, SignedData);
  const signer = signedData.signerInfos[0];
  if (!signer) throw new Error('no signer');
  const eContent = signedData.encapContentInfo.eContent?.single;
  if (!eContent) throw new Error('no eContent');
  const tst = AsnConvert.parse(eContent.buffer, TSTInfo);
  return { resp, token, signedData, signer, eContent: new Uint8Array(eContent.buffer), tst };
}

/** Minimal DER walker (independent of asn1-schema): children of a constructed TLV. */
function children(der: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const { start, end } = header(der, 0);
  let o = start;
  while (o < end) {
    const h = header(der, o);
    out.push(der.subarray(o, h.end));
    o = h.end;
  }
  return out;
}
function header(der: Uint8Array, at: number): { start: number; end: number } {
  let o = at + 1;
  const first = der[o++] ?? 0;
  let len = first;
  if (first & 0x80) {
    len = 0;
    for (let i = 0; i < (first & 0x7f); i++) len = len * 256 + (der[o++] ?? 0);
  }
  return { start: o, end: o + len };
}
/** Raw `[0] IMPLICIT SignedAttributes` of the first SignerInfo in a TimeStampToken. */
function rawSignedAttrs(token: Uint8Array): Uint8Array {
  const [, explicit] = children(token);
  const [signedData] = children(explicit as Uint8Array);
  const sdParts = children(signedData as Uint8Array);
  const signerInfos = sdParts[sdParts.length - 1] as Uint8Array;
  const [signerInfo] = children(signerInfos);
  const found = children(signerInfo as Uint8Array).find((c) => c[0] === 0xa0);
  if (!found) throw new Error('no signed attributes');
  return found;
}

function attr(signer: ReturnType<typeof parse>['signer'], oid: string): Uint8Array | undefined {
  const a = signer.signedAttrs?.find((x) => x.attrType === oid);
  const v = a?.attrValues[0];
  return v ? new Uint8Array(v) : undefined;
}

describe('TSA certificate', () => {
  const tsa = new TestTimestampAuthority();

  it('is issued by the root, has critical EKU timeStamping and digitalSignature', () => {
    expect(tsa.certificate.x509.checkIssued(tsa.issuer.x509)).toBe(true);
    expect(tsa.certificate.x509.verify(tsa.issuer.x509.publicKey)).toBe(true);
    expect(tsa.certificate.x509.subject).toContain('CN=Flareo Test Timestamp Authority');
    expect(tsa.certificate.x509.ca).toBe(false);
    const cert = AsnConvert.parse(tsa.certificate.der, Certificate);
    const eku = cert.tbsCertificate.extensions?.find((e) => e.extnID === '2.5.29.37');
    expect(eku?.critical).toBe(true);
    expect([...AsnConvert.parse(eku?.extnValue ?? new ArrayBuffer(0), ExtendedKeyUsage)]).toEqual([
      OID_TIME_STAMPING,
    ]);
    const ku = cert.tbsCertificate.extensions?.find((e) => e.extnID === '2.5.29.15');
    expect(ku?.critical).toBe(true);
    expect(tsa.chain.map((c) => c.der)).toEqual([tsa.certificate.der, tsa.issuer.der]);
    expect(tsa.certificate.key).toBe(tsa.key);
  });

  it('EKU can be made non-critical or dropped for negative tests', () => {
    const loose = new TestTimestampAuthority({ seed: 'loose', ekuCritical: false });
    const cert = AsnConvert.parse(loose.certificate.der, Certificate);
    expect(cert.tbsCertificate.extensions?.find((e) => e.extnID === '2.5.29.37')?.critical).toBe(
      false,
    );
    const none = new TestTimestampAuthority({ seed: 'none', extendedKeyUsage: null });
    const cert2 = AsnConvert.parse(none.certificate.der, Certificate);
    expect(cert2.tbsCertificate.extensions?.some((e) => e.extnID === '2.5.29.37')).toBe(false);
  });
});

describe.each([
  { keyType: 'ecdsa-p256' as const, hash: 'sha256' },
  { keyType: 'ecdsa-p384' as const, hash: 'sha384' },
  { keyType: 'rsa-2048' as const, hash: 'sha256' },
  { keyType: 'ed25519' as const, hash: null },
])('timestamp tokens signed with $keyType', ({ keyType, hash }) => {
  const tsa = new TestTimestampAuthority({ seed: `tsa-${keyType}`, keyType });
  const minted = tsa.timestamp({ data: artifactSignature, time: TIME, nonce: 1234567890123n });
  const p = parse(minted);

  it('response is granted and carries a SignedData token', () => {
    expect(p.resp.status.status).toBe(PKIStatus.granted);
    expect(p.token.contentType).toBe(id_signedData);
    expect(new Uint8Array(AsnConvert.serialize(p.token))).toEqual(minted.token);
    expect(p.signedData.encapContentInfo.eContentType).toBe(id_ct_tstInfo);
    expect(p.signedData.version).toBe(3);
    expect(p.signedData.certificates?.length).toBe(1);
  });

  it('TSTInfo round-trips', () => {
    expect(p.eContent).toEqual(minted.tstInfo);
    expect(p.tst.version).toBe(1);
    expect(p.tst.policy).toBe(DEFAULT_TSA_POLICY);
    expect(p.tst.genTime.toISOString()).toBe(TIME.toISOString());
    expect(p.tst.messageImprint.hashAlgorithm.algorithm).toBe('2.16.840.1.101.3.4.2.1');
    expect(hex(p.tst.messageImprint.hashedMessage.buffer)).toBe(
      hex(sha('sha256', artifactSignature)),
    );
    expect(BigInt(`0x${hex(p.tst.serialNumber)}`)).toBe(minted.serialNumber);
    expect(BigInt(`0x${hex(p.tst.nonce ?? new ArrayBuffer(0))}`)).toBe(1234567890123n);
    expect(p.tst.ordering).toBe(false);
    expect(p.tst.accuracy).toBeUndefined();
  });

  it('CMS signature over the DER signed attributes verifies with the TSA cert key', () => {
    const raw = rawSignedAttrs(minted.token);
    expect(raw[0]).toBe(0xa0);
    const asSet = Uint8Array.from(raw);
    asSet[0] = 0x31;
    expect(asSet).toEqual(minted.signedAttributes);
    const sig = new Uint8Array(p.signer.signature.buffer);
    const pub = tsa.certificate.x509.publicKey;
    expect(verify(hash, asSet, pub, sig)).toBe(true);
    const tampered = Uint8Array.from(asSet);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expect(verify(hash, tampered, pub, sig)).toBe(false);
  });

  it('signed attributes: contentType, messageDigest, signingCertificateV2', () => {
    expect(p.signer.signedAttrs?.map((a) => a.attrType).sort()).toEqual(
      ['1.2.840.113549.1.9.3', '1.2.840.113549.1.9.4', '1.2.840.113549.1.9.16.2.47'].sort(),
    );
    // contentType = id-ct-TSTInfo
    expect(hex(attr(p.signer, '1.2.840.113549.1.9.3') ?? new Uint8Array())).toBe(
      '060b2a864886f70d0109100104',
    );
    // messageDigest = H(TSTInfo DER)
    const md = attr(p.signer, '1.2.840.113549.1.9.4') ?? new Uint8Array();
    expect(md[0]).toBe(0x04);
    expect(hex(md.subarray(2))).toBe(hex(sha(minted.signerHash, minted.tstInfo)));
    // signingCertificateV2 contains sha256(cert DER)
    const scv2 = attr(p.signer, '1.2.840.113549.1.9.16.2.47') ?? new Uint8Array();
    expect(Buffer.from(scv2).includes(Buffer.from(sha('sha256', tsa.certificate.der)))).toBe(true);
    // sid = issuerAndSerialNumber of the TSA cert
    const cert = AsnConvert.parse(tsa.certificate.der, Certificate);
    expect(hex(p.signer.sid.issuerAndSerialNumber?.serialNumber ?? new ArrayBuffer(0))).toBe(
      hex(cert.tbsCertificate.serialNumber),
    );
  });
});

describe('request options', () => {
  const tsa = new TestTimestampAuthority({ seed: 'opts' });

  it('messageImprint, sha384 imprint, accuracy, tsa name, signingTime, chain', () => {
    const imprint = sha('sha384', artifactSignature);
    const m = tsa.timestamp({
      messageImprint: imprint,
      hashAlgorithm: 'sha384',
      time: new Date('2024-03-04T05:06:07.250Z'),
      accuracy: { seconds: 1, millis: 5 },
      includeTsaName: true,
      signingTime: true,
      certificates: 'chain',
      serialNumber: 0x80n,
      policy: '1.2.3.4',
    });
    const p = parse(m);
    expect(p.tst.messageImprint.hashAlgorithm.algorithm).toBe('2.16.840.1.101.3.4.2.2');
    expect(hex(p.tst.messageImprint.hashedMessage.buffer)).toBe(hex(imprint));
    expect(p.tst.accuracy?.seconds).toBe(1);
    expect(p.tst.accuracy?.millis).toBe(5);
    expect(p.tst.tsa?.directoryName).toBeDefined();
    expect(p.tst.policy).toBe('1.2.3.4');
    expect(p.tst.genTime.getTime()).toBe(Date.parse('2024-03-04T05:06:07.250Z'));
    expect(hex(p.tst.serialNumber)).toBe('0080');
    expect(p.signedData.certificates?.length).toBe(2);
    expect(attr(p.signer, '1.2.840.113549.1.9.5')).toBeDefined();
    expect(verify('sha256', m.signedAttributes, tsa.certificate.x509.publicKey, m.signature)).toBe(
      true,
    );
  });

  it('no certificates, no signingCertificateV2', () => {
    const m = tsa.timestamp({
      data: artifactSignature,
      time: TIME,
      certificates: 'none',
      omitSigningCertificate: true,
    });
    const p = parse(m);
    expect(p.signedData.certificates).toBeUndefined();
    expect(p.signer.signedAttrs?.length).toBe(2);
  });

  it('rejects bad requests and mints rejections', () => {
    expect(() => tsa.timestamp({ time: TIME })).toThrow();
    expect(() =>
      tsa.timestamp({ time: TIME, data: artifactSignature, messageImprint: new Uint8Array(32) }),
    ).toThrow();
    const r = AsnConvert.parse(tsa.rejection('nope'), TimeStampResp);
    expect(r.status.status).toBe(PKIStatus.rejection);
    expect(r.timeStampToken).toBeUndefined();
    expect([...(r.status.statusString ?? [])]).toEqual(['nope']);
  });

  it('bundle JSON carries base64 TimeStampResp', () => {
    const m = tsa.timestamp({ data: artifactSignature, time: TIME });
    expect(Buffer.from(m.bundleJson.signedTimestamp, 'base64')).toEqual(Buffer.from(m.response));
    expect(AsnConvert.parse(m.token, ContentInfo).contentType).toBe(id_signedData);
  });
});

describe('determinism', () => {
  it('same seed, time and data give the same bytes', () => {
    const a = new TestTimestampAuthority({ seed: 'det' }).timestamp({
      data: artifactSignature,
      time: TIME,
    });
    const b = new TestTimestampAuthority({ seed: 'det' }).timestamp({
      data: artifactSignature,
      time: TIME,
    });
    expect(Buffer.from(a.response).equals(Buffer.from(b.response))).toBe(true);
    const c = new TestTimestampAuthority({ seed: 'det' }).timestamp({
      data: artifactSignature,
      time: new Date(TIME.getTime() + 1000),
    });
    expect(c.serialNumber).not.toBe(a.serialNumber);
    const d = new TestTimestampAuthority({ seed: 'det2' }).timestamp({
      data: artifactSignature,
      time: TIME,
    });
    expect(Buffer.from(d.response).equals(Buffer.from(a.response))).toBe(false);
  });
});

// Independent check with the OpenSSL CLI when it is installed.
const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasOpenssl)('openssl ts -verify', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flareo-tsa-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['ecdsa-p256', 'rsa-2048'] as const)('accepts a %s token', (keyType) => {
    const tsa = new TestTimestampAuthority({ seed: `openssl-${keyType}`, keyType });
    const m = tsa.timestamp({ data: artifactSignature, time: TIME, certificates: 'leaf' });
    const resp = join(dir, `${keyType}.tsr`);
    const ca = join(dir, `${keyType}-ca.pem`);
    const data = join(dir, `${keyType}.dat`);
    writeFileSync(resp, m.response);
    writeFileSync(ca, tsa.issuer.pem);
    writeFileSync(data, artifactSignature);
    const out = execFileSync(
      'openssl',
      [
        'ts',
        '-verify',
        '-in',
        resp,
        '-data',
        data,
        '-CAfile',
        ca,
        '-attime',
        String(TIME.getTime() / 1000),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(out).toContain('Verification: OK');
    const text = execFileSync('openssl', ['ts', '-reply', '-in', resp, '-text'], {
      encoding: 'utf8',
    });
    expect(text).toContain('Status: Granted.');
    expect(text).toContain('Mar  4 05:06:07 2024 GMT');
  });
});
