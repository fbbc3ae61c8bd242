import { createHash, X509Certificate } from 'node:crypto';
import {
  Attribute,
  CertificateChoices,
  CertificateSet,
  CMSVersion,
  DigestAlgorithmIdentifiers,
  EncapsulatedContent,
  EncapsulatedContentInfo,
  IssuerAndSerialNumber,
  id_signedData,
  SignedData,
  SignerIdentifier,
  SignerInfo,
  SignerInfos,
} from '@peculiar/asn1-cms';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  Accuracy,
  id_ct_tstInfo,
  MessageImprint,
  PKIFreeText,
  PKIStatus,
  PKIStatusInfo,
  TimeStampResp,
  TimeStampToken,
  TSTInfo,
} from '@peculiar/asn1-tsp';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';
import { type TestKey, type TestKeyType, testKey, toPem } from '../keys.js';
import { seededBytes } from '../seed.js';
import { createCertificateAuthority, type TestCertificate } from '../x509.js';

/**
 * RFC 3161 timestamp authority for tests: mints TimeStampResp / TimeStampToken (CMS SignedData
 * over a TSTInfo) with the signed attributes Sigstore's timestamp-authority writes
 * (contentType, messageDigest, signingCertificateV2), signed by a TSA leaf certificate whose
 * extendedKeyUsage is the critical id-kp-timeStamping. Deterministic for a given seed, request
 * and time.
 */

export const OID_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
/** Default TSA policy (the one Sigstore's timestamp-authority uses by default). */
export const DEFAULT_TSA_POLICY = '1.3.6.1.4.1.57264.2';

const OID = {
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  ecdsaSha512: '1.2.840.10045.4.3.4',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  ed25519: '1.3.101.112',
  extKeyUsage: '2.5.29.37',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
} as const;

export type TsaHash = 'sha256' | 'sha384' | 'sha512';

// ---------------------------------------------------------------------------------------------
// Tiny DER helpers (only what asn1-schema classes do not cover)
// ---------------------------------------------------------------------------------------------

function derLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return Uint8Array.of(0x80 | out.length, ...out);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = concat(...content);
  return concat(Uint8Array.of(tag), derLength(body.length), body);
}

/** Minimal two's-complement big-endian bytes of a non-negative integer. */
function integerBytes(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError('negative integers are not supported');
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = new Uint8Array(Buffer.from(hex, 'hex'));
  return (bytes[0] ?? 0) & 0x80 ? concat(Uint8Array.of(0), bytes) : bytes;
}

function bytesToBigint(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

function derOid(oid: string): Uint8Array {
  const arcs = oid.split('.').map((a) => BigInt(a));
  const [a0, a1, ...rest] = arcs as [bigint, bigint, ...bigint[]];
  const out: number[] = [];
  for (const arc of [a0 * 40n + a1, ...rest]) {
    const chunk: number[] = [];
    let v = arc;
    do {
      chunk.unshift(Number(v & 0x7fn));
      v >>= 7n;
    } while (v > 0n);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i] = (chunk[i] ?? 0) | 0x80;
    out.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(out));
}

function utcTime(date: Date): Uint8Array {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const s = `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return tlv(0x17, new TextEncoder().encode(s));
}

const ab = (u: Uint8Array): ArrayBuffer => {
  const copy = new Uint8Array(u.byteLength);
  copy.set(u);
  return copy.buffer;
};
const u8 = (b: ArrayBuffer): Uint8Array => new Uint8Array(b);

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

const digest = (hash: TsaHash, data: Uint8Array): Uint8Array =>
  new Uint8Array(createHash(hash).update(data).digest());

const hashAlgorithmId = (hash: TsaHash): AlgorithmIdentifier =>
  new AlgorithmIdentifier({ algorithm: OID[hash] });

/** Signature algorithm and signer digest for a TSA key type. */
function signatureAlgorithmFor(
  type: TestKeyType,
  override?: TsaHash,
): {
  id: AlgorithmIdentifier;
  hash: TsaHash;
} {
  switch (type) {
    case 'ecdsa-p256':
    case 'ecdsa-p384':
    case 'ecdsa-p521': {
      const hash =
        override ??
        ({ 'ecdsa-p256': 'sha256', 'ecdsa-p384': 'sha384', 'ecdsa-p521': 'sha512' } as const)[type];
      const alg = { sha256: OID.ecdsaSha256, sha384: OID.ecdsaSha384, sha512: OID.ecdsaSha512 }[
        hash
      ];
      return { id: new AlgorithmIdentifier({ algorithm: alg }), hash };
    }
    case 'ed25519':
      // RFC 8419: id-Ed25519 signature, SHA-512 message digest.
      return { id: new AlgorithmIdentifier({ algorithm: OID.ed25519 }), hash: 'sha512' };
    default:
      if (override && override !== 'sha256') {
        throw new Error('RSA TSA keys sign with sha256WithRSAEncryption only');
      }
      return {
        id: new AlgorithmIdentifier({ algorithm: OID.sha256WithRsa, parameters: null }),
        hash: 'sha256',
      };
  }
}

// ---------------------------------------------------------------------------------------------
// TSA certificate
// ---------------------------------------------------------------------------------------------

function nameOf(organization: string | undefined, commonName: string): Name {
  const rdn = (type: string, value: string) =>
    new RelativeDistinguishedName([
      new AttributeTypeAndValue({ type, value: new AttributeValue({ utf8String: value }) }),
    ]);
  return new Name([
    ...(organization ? [rdn(OID.organization, organization)] : []),
    rdn(OID.commonName, commonName),
  ]);
}

export interface TsaCertificateOptions {
  seed: string;
  key: TestKey;
  issuer: TestCertificate;
  commonName: string;
  organization?: string;
  notBefore: Date;
  notAfter: Date;
  /** EKU OIDs. Default `[id-kp-timeStamping]`; `null` leaves the extension out. */
  extendedKeyUsage?: readonly string[] | null;
  /** Mark the EKU extension critical (RFC 3161 requires it). Default `true`. */
  ekuCritical?: boolean;
}

/** Mint a TSA leaf certificate (keyUsage digitalSignature, EKU timeStamping critical). */
export function createTsaCertificate(options: TsaCertificateOptions): TestCertificate {
  const issuerTbs = AsnConvert.parse(options.issuer.der, Certificate).tbsCertificate;
  const issuerSki = issuerTbs.extensions?.find((e) => e.extnID === OID.subjectKeyIdentifier);
  const spki = AsnConvert.parse(options.key.spki, SubjectPublicKeyInfo);
  const ski = new Uint8Array(
    createHash('sha1').update(new Uint8Array(spki.subjectPublicKey)).digest(),
  );
  const ext = (oid: string, critical: boolean, value: ArrayBuffer) =>
    new Extension({ extnID: oid, critical, extnValue: new OctetString(value) });
  const extensions: Extension[] = [
    ext(OID.keyUsage, true, AsnConvert.serialize(new KeyUsage(KeyUsageFlags.digitalSignature))),
    ext(OID.basicConstraints, true, AsnConvert.serialize(new BasicConstraints({ cA: false }))),
    ext(OID.subjectKeyIdentifier, false, AsnConvert.serialize(new SubjectKeyIdentifier(ski))),
  ];
  if (issuerSki) {
    const aki = new AuthorityKeyIdentifier({
      keyIdentifier: AsnConvert.parse(issuerSki.extnValue, SubjectKeyIdentifier),
    });
    extensions.push(ext(OID.authorityKeyIdentifier, false, AsnConvert.serialize(aki)));
  }
  const eku =
    options.extendedKeyUsage === undefined ? [OID_TIME_STAMPING] : options.extendedKeyUsage;
  if (eku !== null) {
    extensions.push(
      ext(
        OID.extKeyUsage,
        options.ekuCritical ?? true,
        AsnConvert.serialize(new ExtendedKeyUsage([...eku])),
      ),
    );
  }
  const { id, hash } = signatureAlgorithmFor(options.issuer.key.type);
  const serial = seededBytes(options.seed, `tsa-cert-serial:${options.commonName}`, 16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01;
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: ab(serial),
    signature: id,
    issuer: issuerTbs.subject,
    validity: new Validity({ notBefore: options.notBefore, notAfter: options.notAfter }),
    subject: nameOf(options.organization, options.commonName),
    subjectPublicKeyInfo: spki,
    extensions: new Extensions(extensions),
  });
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const cert = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: id,
    signatureValue: ab(options.issuer.key.sign(tbsDer, { hash })),
  });
  const der = new Uint8Array(AsnConvert.serialize(cert));
  return {
    der,
    pem: toPem('CERTIFICATE', der),
    x509: new X509Certificate(der),
    key: options.key,
    subject: options.commonName,
  };
}

// ---------------------------------------------------------------------------------------------
// Authority
// ---------------------------------------------------------------------------------------------

export interface TestTimestampAuthorityOptions {
  /** Seed for the TSA key, certificate and serial numbers. Default `'flareo-tsa'`. */
  seed?: string;
  /** TSA signing key type. Default `'ecdsa-p256'`. */
  keyType?: TestKeyType;
  /** TSA certificate CN. Default `'Flareo Test Timestamp Authority'`. */
  commonName?: string;
  /** TSA certificate O. Default `'flareo.test'`. */
  organization?: string;
  /**
   * Issuer of the TSA certificate. Default: a self-signed root minted with
   * `createCertificateAuthority({ seed: '<seed>/root', commonName: 'Flareo Test TSA Root CA' })`.
   */
  issuer?: TestCertificate;
  /** Issuers above {@link issuer} (for `chain`), leaf-most first. Default none. */
  issuerChain?: readonly TestCertificate[];
  /** TSA certificate validity. Default 2020-01-01 … 2040-01-01. */
  notBefore?: Date;
  notAfter?: Date;
  /** TSA certificate EKU OIDs (default timeStamping); `null` omits the extension. */
  extendedKeyUsage?: readonly string[] | null;
  /** EKU criticality. Default `true`. */
  ekuCritical?: boolean;
  /** TSTInfo policy OID. Default {@link DEFAULT_TSA_POLICY}. */
  policy?: string;
}

export interface TimestampRequestOptions {
  /** Time written as TSTInfo.genTime (required: tests choose their time explicitly). */
  time: Date;
  /** Bytes to stamp (e.g. the artifact signature); hashed with {@link hashAlgorithm}. */
  data?: Uint8Array;
  /** Or the message imprint directly (digest bytes). */
  messageImprint?: Uint8Array;
  /** Message imprint algorithm. Default `'sha256'`. */
  hashAlgorithm?: TsaHash;
  /** TSTInfo nonce. Default: absent. */
  nonce?: bigint;
  /** TSTInfo serial number. Default: seeded from the imprint and time. */
  serialNumber?: bigint;
  /** TSTInfo accuracy. Default: absent. */
  accuracy?: { seconds?: number; millis?: number; micros?: number };
  /** Write TSTInfo.tsa as the certificate's subject (directoryName). Default `false`. */
  includeTsaName?: boolean;
  /** Certificates in SignedData: `'leaf'` (default), `'chain'` (leaf + issuers) or `'none'`. */
  certificates?: 'leaf' | 'chain' | 'none';
  /** Add a signingTime signed attribute equal to {@link time}. Default `false`. */
  signingTime?: boolean;
  /** Leave out signingCertificateV2 (negative tests). Default `false`. */
  omitSigningCertificate?: boolean;
  /** Override the TSTInfo policy for this token. */
  policy?: string;
  /** Signer digest for ECDSA keys (default: the curve's hash). */
  signerHash?: TsaHash;
}

export interface MintedTimestamp {
  /** DER TimeStampResp (status granted + token). What Sigstore bundles carry. */
  response: Uint8Array;
  /** DER TimeStampToken (ContentInfo with SignedData). */
  token: Uint8Array;
  /** DER TSTInfo (the encapsulated content). */
  tstInfo: Uint8Array;
  /** DER of the signed attributes as a SET (tag 0x31): exactly what the signature covers. */
  signedAttributes: Uint8Array;
  /** Signature value of the SignerInfo. */
  signature: Uint8Array;
  /** Digest algorithm of the signer (messageDigest and signature digest). */
  signerHash: TsaHash;
  serialNumber: bigint;
  genTime: Date;
  messageImprint: Uint8Array;
  hashAlgorithm: TsaHash;
  /** `verificationMaterial.timestampVerificationData.rfc3161Timestamps[]` item. */
  bundleJson: { signedTimestamp: string };
}

/**
 * Deterministic RFC 3161 TSA. `timestamp({ data: signatureBytes, time })` mints a token over
 * sha256(signatureBytes), as Sigstore clients request.
 */
export class TestTimestampAuthority {
  readonly seed: string;
  readonly key: TestKey;
  /** TSA leaf certificate. */
  readonly certificate: TestCertificate;
  /** Issuer of {@link certificate}. */
  readonly issuer: TestCertificate;
  /** Leaf first, then issuers, root last (Sigstore trusted root `certChain` order). */
  readonly chain: readonly TestCertificate[];
  readonly policy: string;

  constructor(options: TestTimestampAuthorityOptions = {}) {
    this.seed = options.seed ?? 'flareo-tsa';
    this.key = testKey(options.keyType ?? 'ecdsa-p256', this.seed);
    this.issuer =
      options.issuer ??
      createCertificateAuthority({
        seed: `${this.seed}/root`,
        commonName: 'Flareo Test TSA Root CA',
      });
    this.certificate = createTsaCertificate({
      seed: this.seed,
      key: this.key,
      issuer: this.issuer,
      commonName: options.commonName ?? 'Flareo Test Timestamp Authority',
      organization: options.organization ?? 'flareo.test',
      notBefore: options.notBefore ?? new Date('2020-01-01T00:00:00Z'),
      notAfter: options.notAfter ?? new Date('2040-01-01T00:00:00Z'),
      ...(options.extendedKeyUsage === undefined
        ? {}
        : { extendedKeyUsage: options.extendedKeyUsage }),
      ...(options.ekuCritical === undefined ? {} : { ekuCritical: options.ekuCritical }),
    });
    this.chain = [this.certificate, this.issuer, ...(options.issuerChain ?? [])];
    this.policy = options.policy ?? DEFAULT_TSA_POLICY;
  }

  /** Mint a granted TimeStampResp for the request. */
  timestamp(request: TimestampRequestOptions): MintedTimestamp {
    const hashAlgorithm = request.hashAlgorithm ?? 'sha256';
    let imprint: Uint8Array;
    if (request.messageImprint !== undefined) {
      if (request.data !== undefined) throw new Error('give data or messageImprint, not both');
      imprint = Uint8Array.from(request.messageImprint);
    } else if (request.data !== undefined) {
      imprint = digest(hashAlgorithm, request.data);
    } else {
      throw new Error('give data or messageImprint');
    }
    const genTime = new Date(request.time.getTime());
    const serialNumber =
      request.serialNumber ??
      bytesToBigint(
        (() => {
          const s = seededBytes(
            this.seed,
            `tsa-serial:${Buffer.from(imprint).toString('hex')}:${genTime.getTime()}`,
            16,
          );
          s[0] = ((s[0] ?? 0) & 0x7f) | 0x01;
          return s;
        })(),
      );

    const certTbs = AsnConvert.parse(this.certificate.der, Certificate).tbsCertificate;
    const tst = new TSTInfo({
      version: 1,
      policy: request.policy ?? this.policy,
      messageImprint: new MessageImprint({
        hashAlgorithm: hashAlgorithmId(hashAlgorithm),
        hashedMessage: new OctetString(ab(imprint)),
      }),
      serialNumber: ab(integerBytes(serialNumber)),
      genTime,
    });
    if (request.accuracy) tst.accuracy = new Accuracy(request.accuracy);
    if (request.nonce !== undefined) tst.nonce = ab(integerBytes(request.nonce));
    if (request.includeTsaName) tst.tsa = new GeneralName({ directoryName: certTbs.subject });
    const tstInfo = u8(AsnConvert.serialize(tst));

    const { id: sigAlg, hash: signerHash } = signatureAlgorithmFor(
      this.key.type,
      request.signerHash,
    );

    // Signed attributes, DER-sorted as SET OF requires.
    const attrs: Attribute[] = [
      new Attribute({ attrType: OID.contentType, attrValues: [ab(derOid(id_ct_tstInfo))] }),
      new Attribute({
        attrType: OID.messageDigest,
        attrValues: [ab(tlv(0x04, digest(signerHash, tstInfo)))],
      }),
    ];
    if (request.signingTime) {
      attrs.push(new Attribute({ attrType: OID.signingTime, attrValues: [ab(utcTime(genTime))] }));
    }
    if (!request.omitSigningCertificate) {
      attrs.push(
        new Attribute({
          attrType: OID.signingCertificateV2,
          attrValues: [ab(signingCertificateV2(this.certificate.der, certTbs))],
        }),
      );
    }
    const encoded = attrs.map((a) => ({ a, der: u8(AsnConvert.serialize(a)) }));
    encoded.sort((x, y) => compareBytes(x.der, y.der));
    const signedAttributes = tlv(0x31, ...encoded.map((e) => e.der));
    const signature = this.key.sign(signedAttributes, { hash: signerHash });

    const signerInfo = new SignerInfo({
      version: CMSVersion.v1,
      sid: new SignerIdentifier({
        issuerAndSerialNumber: new IssuerAndSerialNumber({
          issuer: certTbs.issuer,
          serialNumber: certTbs.serialNumber,
        }),
      }),
      digestAlgorithm: hashAlgorithmId(signerHash),
      signedAttrs: encoded.map((e) => e.a),
      signatureAlgorithm: sigAlg,
      signature: new OctetString(ab(signature)),
    });

    const mode = request.certificates ?? 'leaf';
    const certs = mode === 'none' ? [] : mode === 'leaf' ? [this.certificate] : this.chain;
    const signedData = new SignedData({
      version: CMSVersion.v3,
      digestAlgorithms: new DigestAlgorithmIdentifiers([hashAlgorithmId(signerHash)]),
      encapContentInfo: new EncapsulatedContentInfo({
        eContentType: id_ct_tstInfo,
        eContent: new EncapsulatedContent({ single: new OctetString(ab(tstInfo)) }),
      }),
      signerInfos: new SignerInfos([signerInfo]),
    });
    if (certs.length > 0) {
      signedData.certificates = new CertificateSet(
        certs.map(
          (c) => new CertificateChoices({ certificate: AsnConvert.parse(c.der, Certificate) }),
        ),
      );
    }
    const tokenInfo = new TimeStampToken({
      contentType: id_signedData,
      content: AsnConvert.serialize(signedData),
    });
    const token = u8(AsnConvert.serialize(tokenInfo));
    const response = u8(
      AsnConvert.serialize(
        new TimeStampResp({
          status: new PKIStatusInfo({ status: PKIStatus.granted }),
          timeStampToken: tokenInfo,
        }),
      ),
    );
    return {
      response,
      token,
      tstInfo,
      signedAttributes,
      signature,
      signerHash,
      serialNumber,
      genTime,
      messageImprint: imprint,
      hashAlgorithm,
      bundleJson: { signedTimestamp: Buffer.from(response).toString('base64') },
    };
  }

  /** A TimeStampResp without token (status `rejection` unless given). */
  rejection(
    statusString = 'request rejected',
    status: PKIStatus = PKIStatus.rejection,
  ): Uint8Array {
    return u8(
      AsnConvert.serialize(
        new TimeStampResp({
          status: new PKIStatusInfo({ status, statusString: new PKIFreeText([statusString]) }),
        }),
      ),
    );
  }
}

/** SigningCertificateV2 with one ESSCertIDv2 (SHA-256 cert hash, default algorithm omitted). */
function signingCertificateV2(certDer: Uint8Array, tbs: TBSCertificate): Uint8Array {
  const certHash = tlv(0x04, digest('sha256', certDer));
  const issuerName = u8(AsnConvert.serialize(tbs.issuer));
  const generalNames = tlv(0x30, tlv(0xa4, issuerName));
  const serial = tlv(0x02, u8(tbs.serialNumber));
  const issuerSerial = tlv(0x30, generalNames, serial);
  const essCertIdV2 = tlv(0x30, certHash, issuerSerial);
  return tlv(0x30, tlv(0x30, essCertIdV2));
}
