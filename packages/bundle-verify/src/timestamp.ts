// RFC 3161 timestamps (Sigstore `timestampVerificationData.rfc3161Timestamps[].signedTimestamp`),
// verified offline against the timestamp authorities of a trust root. The token is read with
// a small DER walker so that the exact signed bytes (signed attributes, TSTInfo) are used,
// never a re-encoding.

import { utf8Decode } from '@flareo/internal/bytes';
import {
  type CryptoTask,
  canIssue,
  certificateSignatureRequest,
  isWithin,
  runCryptoSync,
  type TimestampAuthority,
  type TrustedCertificate,
  type TrustRoot,
} from '@flareo/trust-root';
import {
  children,
  contentOf,
  DerError,
  encodingOf,
  equalBytes,
  expectTag,
  OID,
  parseCertificate,
  readInteger,
  readOid,
  readSmallInteger,
  readTime,
  readWhole,
  type Tlv,
  toHex,
} from '@flareo/trust-root/x509';
import { BundleVerifyError } from './errors.js';
import { digestOf } from './keys.js';
import { sha1, syncBackend } from './platform.js';

export type TimestampHashAlgorithm = 'sha256' | 'sha384' | 'sha512';

/** A timestamp whose token verified with a trust-root timestamp authority. */
export interface VerifiedTimestamp {
  /** TSTInfo.genTime (millisecond precision). */
  readonly time: Date;
  /** The trust-root authority whose signing certificate signed the token. */
  readonly authority: TimestampAuthority;
  /** TSTInfo.serialNumber, lowercase hex without leading zeros. */
  readonly serialNumber: string;
  /** The message imprint's hash algorithm. */
  readonly hashAlgorithm: TimestampHashAlgorithm;
}

/** Largest `signedTimestamp` accepted, in bytes (real responses are 1-8 KiB). */
export const MAX_TIMESTAMP_BYTES = 64 * 1024;

/**
 * Longest TSTInfo serial number accepted, in octets of its DER INTEGER content (sign byte
 * included). RFC 3161 asks for at least 160 bits; 64 octets (511 bits) leaves room for any TSA.
 */
export const MAX_TST_SERIAL_OCTETS = 64;

const MAX_EMBEDDED_CERTIFICATES = 16;
const MAX_SIGNED_ATTRIBUTES = 32;

const DIGESTS: Readonly<Record<string, TimestampHashAlgorithm>> = {
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};
const DIGEST_LENGTHS: Readonly<Record<TimestampHashAlgorithm, number>> = {
  sha256: 32,
  sha384: 48,
  sha512: 64,
};
const ECDSA_WITH: Readonly<Record<string, TimestampHashAlgorithm>> = {
  [OID.ecdsaWithSha256]: 'sha256',
  [OID.ecdsaWithSha384]: 'sha384',
  [OID.ecdsaWithSha512]: 'sha512',
};
const RSA_WITH: Readonly<Record<string, TimestampHashAlgorithm>> = {
  [OID.sha256WithRsa]: 'sha256',
  [OID.sha384WithRsa]: 'sha384',
  [OID.sha512WithRsa]: 'sha512',
};

function invalid(
  message: string,
  field: string,
  expected?: unknown,
  actual?: unknown,
  cause?: unknown,
): BundleVerifyError {
  return new BundleVerifyError(
    'TIMESTAMP_INVALID',
    message,
    {
      step: 'timestamp',
      field,
      ...(expected === undefined ? {} : { expected }),
      ...(actual === undefined ? {} : { actual }),
    },
    cause === undefined ? undefined : { cause },
  );
}

const digest = (hash: TimestampHashAlgorithm | 'sha1', data: Uint8Array): Uint8Array =>
  hash === 'sha1' ? sha1(data) : digestOf(hash, data);

// DER reading is the shared strict reader of `@flareo/trust-root/x509`; the helpers below
// only name what this file reads.
const hex = toHex;
const whole = encodingOf;
const oidOf = (buf: Uint8Array, tlv: Tlv | undefined, what: string): string =>
  readOid(buf, tlv, `${what} OBJECT IDENTIFIER`);
const integerValue = (buf: Uint8Array, tlv: Tlv | undefined, what: string): Uint8Array =>
  readInteger(buf, tlv, what);
const smallInteger = (buf: Uint8Array, tlv: Tlv | undefined, what: string): number =>
  readSmallInteger(buf, tlv, what);

interface AlgorithmId {
  readonly oid: string;
  /** Parameters are absent or NULL. */
  readonly noParams: boolean;
}

function algorithmId(buf: Uint8Array, tlv: Tlv | undefined, what: string): AlgorithmId {
  const parts = children(buf, expectTag(tlv, 0x30, `${what} AlgorithmIdentifier`));
  if (parts.length < 1 || parts.length > 2) throw new DerError(`bad ${what} AlgorithmIdentifier`);
  const params = parts[1];
  return {
    oid: oidOf(buf, parts[0], what),
    noParams: params === undefined || (params.tag === 0x05 && params.end === params.valueStart),
  };
}

/** GeneralizedTime `YYYYMMDDHHMMSS[.f]Z`, fractions kept to the millisecond. */
function generalizedTime(buf: Uint8Array, tlv: Tlv | undefined): Date {
  return readTime(buf, expectTag(tlv, 0x18, 'genTime GeneralizedTime'), 'genTime');
}

// ---------------------------------------------------------------------------------------------
// Token structure
// ---------------------------------------------------------------------------------------------

type SignerIdentifier =
  | {
      readonly kind: 'issuerAndSerialNumber';
      readonly issuer: Uint8Array;
      readonly serial: Uint8Array;
    }
  | { readonly kind: 'subjectKeyIdentifier'; readonly keyId: Uint8Array };

interface ParsedToken {
  /** DER TSTInfo (the eContent OCTET STRING's value). */
  readonly eContent: Uint8Array;
  readonly embeddedCertificates: readonly Uint8Array[];
  readonly sid: SignerIdentifier;
  readonly digestAlgorithm: AlgorithmId;
  /** The signed attributes re-tagged as SET OF (0x31): what the signature covers. */
  readonly signedAttributes: Uint8Array;
  /** Signed attribute values (each a whole TLV), by attribute type. */
  readonly attributes: ReadonlyMap<string, readonly Uint8Array[]>;
  readonly signatureAlgorithm: AlgorithmId;
  readonly signature: Uint8Array;
}

interface TstInfo {
  readonly imprintAlgorithm: AlgorithmId;
  readonly imprint: Uint8Array;
  readonly serialNumber: Uint8Array;
  readonly genTime: Date;
}

/** TimeStampResp → its token (after the status check), or a bare TimeStampToken. */
function tokenOf(buf: Uint8Array): Tlv {
  const outer = readWhole(buf, 'timestamp');
  if (outer.tag !== 0x30) throw new DerError('not a SEQUENCE');
  const parts = children(buf, outer);
  if (parts[0]?.tag === 0x06) return outer; // ContentInfo: a bare TimeStampToken
  // TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken OPTIONAL }
  const statusInfo = children(buf, expectTag(parts[0], 0x30, 'PKIStatusInfo'));
  if (parts.length > 2) throw new DerError('bad TimeStampResp');
  const status = smallInteger(buf, statusInfo[0], 'PKIStatus');
  if (status !== 0 && status !== 1) {
    const text = statusInfo[1]?.tag === 0x30 ? statusText(buf, statusInfo[1]) : undefined;
    throw invalid(
      `the timestamp authority did not grant the timestamp (status ${status}${text ? `: ${text}` : ''})`,
      'status',
      'granted (0) or grantedWithMods (1)',
      text ? { status, text } : status,
    );
  }
  const token = parts[1];
  if (!token) {
    throw invalid(
      'the timestamp response carries no token',
      'timeStampToken',
      'a TimeStampToken',
      'none',
    );
  }
  return expectTag(token, 0x30, 'TimeStampToken');
}

function statusText(buf: Uint8Array, freeText: Tlv): string {
  return children(buf, freeText)
    .map((t) => utf8Decode(contentOf(buf, t)))
    .join('; ')
    .slice(0, 200);
}

function parseToken(buf: Uint8Array): ParsedToken {
  const contentInfo = children(buf, tokenOf(buf));
  const contentType = oidOf(buf, contentInfo[0], 'contentType');
  if (contentType !== OID.signedData) {
    throw invalid(
      'the timestamp token is not CMS SignedData',
      'contentType',
      OID.signedData,
      contentType,
    );
  }
  const explicit = children(buf, expectTag(contentInfo[1], 0xa0, '[0] content'));
  if (contentInfo.length !== 2 || explicit.length !== 1) throw new DerError('bad ContentInfo');
  const signedData = children(buf, expectTag(explicit[0], 0x30, 'SignedData'));

  // SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo,
  //   certificates [0] IMPLICIT OPTIONAL, crls [1] IMPLICIT OPTIONAL, signerInfos SET }
  smallInteger(buf, signedData[0], 'SignedData version');
  expectTag(signedData[1], 0x31, 'digestAlgorithms SET');
  const encap = children(buf, expectTag(signedData[2], 0x30, 'EncapsulatedContentInfo'));
  const eContentType = oidOf(buf, encap[0], 'eContentType');
  if (eContentType !== OID.tstInfo) {
    throw invalid(
      'the timestamp token does not encapsulate a TSTInfo',
      'eContentType',
      OID.tstInfo,
      eContentType,
    );
  }
  const eContentWrapper = children(buf, expectTag(encap[1], 0xa0, '[0] eContent'));
  if (encap.length !== 2 || eContentWrapper.length !== 1) throw new DerError('bad eContent');
  const eContent = contentOf(buf, expectTag(eContentWrapper[0], 0x04, 'eContent OCTET STRING'));

  let i = 3;
  const embeddedCertificates: Uint8Array[] = [];
  if (signedData[i]?.tag === 0xa0) {
    const certs = children(buf, signedData[i] as Tlv);
    if (certs.length > MAX_EMBEDDED_CERTIFICATES) {
      throw new BundleVerifyError(
        'LIMIT_EXCEEDED',
        `the timestamp token embeds ${certs.length} certificates (limit ${MAX_EMBEDDED_CERTIFICATES})`,
        {
          step: 'timestamp',
          field: 'certificates',
          expected: `<= ${MAX_EMBEDDED_CERTIFICATES}`,
          actual: certs.length,
        },
      );
    }
    for (const cert of certs) if (cert.tag === 0x30) embeddedCertificates.push(whole(buf, cert));
    i++;
  }
  if (signedData[i]?.tag === 0xa1) i++;
  const signerInfos = children(buf, expectTag(signedData[i], 0x31, 'signerInfos SET'));
  if (signedData.length !== i + 1) throw new DerError('bytes after signerInfos');
  if (signerInfos.length !== 1) {
    throw invalid(
      `the timestamp token has ${signerInfos.length} signers`,
      'signerInfos',
      1,
      signerInfos.length,
    );
  }

  // SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm, signedAttrs [0] IMPLICIT OPTIONAL,
  //   signatureAlgorithm, signature OCTET STRING, unsignedAttrs [1] IMPLICIT OPTIONAL }
  const signer = children(buf, expectTag(signerInfos[0], 0x30, 'SignerInfo'));
  smallInteger(buf, signer[0], 'SignerInfo version');
  const sidTlv = signer[1];
  let sid: SignerIdentifier;
  if (sidTlv?.tag === 0x30) {
    const [issuer, serial, ...rest] = children(buf, sidTlv);
    if (rest.length > 0) throw new DerError('bad IssuerAndSerialNumber');
    sid = {
      kind: 'issuerAndSerialNumber',
      issuer: whole(buf, expectTag(issuer, 0x30, 'issuer Name')),
      serial: integerValue(buf, serial, 'serialNumber'),
    };
  } else if (sidTlv?.tag === 0x80) {
    sid = { kind: 'subjectKeyIdentifier', keyId: contentOf(buf, sidTlv) };
  } else {
    throw new DerError('bad SignerIdentifier');
  }
  const digestAlgorithm = algorithmId(buf, signer[2], 'digestAlgorithm');
  const attrsTlv = signer[3];
  if (attrsTlv?.tag !== 0xa0) {
    throw invalid(
      'the timestamp token has no signed attributes',
      'signedAttrs',
      'contentType and messageDigest signed attributes',
      'none',
    );
  }
  const attributes = new Map<string, Uint8Array[]>();
  const attrList = children(buf, attrsTlv);
  if (attrList.length > MAX_SIGNED_ATTRIBUTES) throw new DerError('too many signed attributes');
  for (const attr of attrList) {
    const [type, values, ...rest] = children(buf, expectTag(attr, 0x30, 'Attribute'));
    if (rest.length > 0) throw new DerError('bad Attribute');
    const oid = oidOf(buf, type, 'attribute type');
    const list = children(buf, expectTag(values, 0x31, 'attribute values SET')).map((v) =>
      whole(buf, v),
    );
    const seen = attributes.get(oid);
    if (seen) seen.push(...list);
    else attributes.set(oid, list);
  }
  const signedAttributes = Uint8Array.from(whole(buf, attrsTlv));
  signedAttributes[0] = 0x31;
  const signatureAlgorithm = algorithmId(buf, signer[4], 'signatureAlgorithm');
  const signature = contentOf(buf, expectTag(signer[5], 0x04, 'signature OCTET STRING'));
  const last = signer[6];
  if (signer.length > 7 || (last !== undefined && last.tag !== 0xa1)) {
    throw new DerError('bad SignerInfo');
  }
  return {
    eContent,
    embeddedCertificates,
    sid,
    digestAlgorithm,
    signedAttributes,
    attributes,
    signatureAlgorithm,
    signature,
  };
}

function parseTstInfo(buf: Uint8Array): TstInfo {
  // TSTInfo ::= SEQUENCE { version, policy, messageImprint, serialNumber, genTime,
  //   accuracy OPTIONAL, ordering DEFAULT FALSE, nonce OPTIONAL, tsa [0] OPTIONAL, extensions [1] OPTIONAL }
  const fields = children(buf, expectTag(readWhole(buf, 'TSTInfo'), 0x30, 'TSTInfo'));
  const version = smallInteger(buf, fields[0], 'TSTInfo version');
  if (version !== 1) throw invalid(`unsupported TSTInfo version ${version}`, 'version', 1, version);
  oidOf(buf, fields[1], 'policy');
  const imprint = children(buf, expectTag(fields[2], 0x30, 'MessageImprint'));
  if (imprint.length !== 2) throw new DerError('bad MessageImprint');
  const imprintAlgorithm = algorithmId(buf, imprint[0], 'messageImprint hashAlgorithm');
  const hashed = contentOf(buf, expectTag(imprint[1], 0x04, 'hashedMessage OCTET STRING'));
  const serialNumber = integerValue(buf, fields[3], 'TSTInfo serialNumber');
  if (((serialNumber[0] as number) & 0x80) !== 0) {
    throw invalid('the TSTInfo serial number is negative', 'serialNumber', 'a positive INTEGER');
  }
  // RFC 3161 §2.4.2: requesters MUST handle serial numbers of at least 160 bits (a 20-octet
  // value, 21 octets with its sign byte); TSAs use longer ones. The bound only stops absurd input.
  if (serialNumber.length > MAX_TST_SERIAL_OCTETS) {
    throw invalid(
      `the TSTInfo serial number has ${serialNumber.length} octets, more than ${MAX_TST_SERIAL_OCTETS}`,
      'serialNumber',
      `<= ${MAX_TST_SERIAL_OCTETS} octets`,
      serialNumber.length,
    );
  }
  const genTime = generalizedTime(buf, fields[4]);
  // The optional fields in their order; an unknown critical extension makes the token unusable.
  const order = [0x30, 0x01, 0x02, 0xa0, 0xa1];
  let at = 0;
  for (const field of fields.slice(5)) {
    const position = order.indexOf(field.tag, at);
    if (position < 0) throw new DerError('unexpected TSTInfo field');
    at = position + 1;
    if (field.tag === 0xa1) {
      for (const ext of children(buf, field)) {
        const parts = children(buf, expectTag(ext, 0x30, 'Extension'));
        const critical =
          parts.length === 3 && parts[1]?.tag === 0x01 && buf[parts[1].valueStart] !== 0;
        if (critical) {
          const oid = oidOf(buf, parts[0], 'extension');
          throw invalid(
            `the TSTInfo has an unsupported critical extension ${oid}`,
            'extensions',
            'no critical extensions',
            oid,
          );
        }
      }
    }
  }
  return { imprintAlgorithm, imprint: hashed, serialNumber, genTime };
}

// ---------------------------------------------------------------------------------------------
// Signer matching
// ---------------------------------------------------------------------------------------------

/** Chain-link result of a trust-root authority: undefined when it links. */
const chainResults = new WeakMap<TimestampAuthority, { problem: string | undefined }>();

function sidMatches(
  sid: SignerIdentifier,
  cert: Pick<TrustedCertificate, 'subjectKeyId' | 'issuerName' | 'serial'>,
): boolean {
  if (sid.kind === 'subjectKeyIdentifier') {
    return cert.subjectKeyId !== undefined && cert.subjectKeyId === hex(sid.keyId);
  }
  return equalBytes(cert.issuerName, sid.issuer) && equalBytes(cert.serial, sid.serial);
}

interface EssCertId {
  readonly attribute: 'signingCertificateV2' | 'signingCertificate';
  readonly hash: TimestampHashAlgorithm | 'sha1';
  readonly certHash: Uint8Array;
}

/** The first ESSCertID(v2) of every ESS signing-certificate attribute present (RFC 2634 / 5035). */
function essCertIds(attributes: ReadonlyMap<string, readonly Uint8Array[]>): EssCertId[] {
  const out: EssCertId[] = [];
  const read = (oid: string, attribute: EssCertId['attribute']) => {
    const values = attributes.get(oid);
    if (values === undefined) return;
    if (values.length !== 1) throw new DerError(`${attribute} must have one value`);
    const value = values[0] as Uint8Array;
    try {
      const certs = children(
        value,
        expectTag(children(value, readWhole(value, attribute))[0], 0x30, 'certs'),
      );
      const first = children(value, expectTag(certs[0], 0x30, 'ESSCertID'));
      let hash: EssCertId['hash'] = attribute === 'signingCertificateV2' ? 'sha256' : 'sha1';
      let k = 0;
      if (attribute === 'signingCertificateV2' && first[0]?.tag === 0x30) {
        const alg = algorithmId(value, first[0], 'ESSCertIDv2 hashAlgorithm');
        const named = DIGESTS[alg.oid];
        if (named === undefined) {
          throw invalid(
            `unsupported ESSCertIDv2 hash algorithm ${alg.oid}`,
            'signingCertificate',
            Object.keys(DIGESTS),
            alg.oid,
          );
        }
        hash = named;
        k = 1;
      }
      const certHash = contentOf(value, expectTag(first[k], 0x04, 'certHash OCTET STRING'));
      out.push({ attribute, hash, certHash });
    } catch (cause) {
      if (cause instanceof BundleVerifyError) throw cause;
      throw invalid(
        `malformed ${attribute} attribute`,
        'signingCertificate',
        undefined,
        undefined,
        cause,
      );
    }
  };
  read(OID.signingCertificateV2, 'signingCertificateV2');
  read(OID.signingCertificate, 'signingCertificate');
  return out;
}

const essMatches = (ids: readonly EssCertId[], cert: TrustedCertificate): boolean =>
  ids.every((id) => equalBytes(digest(id.hash, cert.der), id.certHash));

function describeSigner(sid: SignerIdentifier, embedded: readonly Uint8Array[]): string {
  for (const der of embedded) {
    try {
      const cert = parseCertificate(der);
      if (sid.kind === 'issuerAndSerialNumber' && sidMatches(sid, cert)) {
        return `"${cert.subject}" (serial ${cert.serialNumber})`;
      }
    } catch {
      // An unreadable embedded certificate only costs the diagnostic.
    }
  }
  return sid.kind === 'issuerAndSerialNumber'
    ? `serial ${hex(sid.serial)}`
    : `subject key id ${hex(sid.keyId)}`;
}

// ---------------------------------------------------------------------------------------------
// Checks against one candidate authority
// ---------------------------------------------------------------------------------------------

/** Why the token's signature does not verify with `cert`, or undefined when it does. */
function* signatureProblem(
  token: ParsedToken,
  cert: TrustedCertificate,
): CryptoTask<string | undefined> {
  const { oid, noParams } = token.signatureAlgorithm;
  const kind = cert.keyAlgorithm.kind;
  const signerDigest = DIGESTS[token.digestAlgorithm.oid];
  let hash: TimestampHashAlgorithm | null | undefined;
  let expectedKind: typeof kind;
  if (ECDSA_WITH[oid] !== undefined || oid === OID.ecPublicKey) {
    hash = ECDSA_WITH[oid] ?? signerDigest;
    expectedKind = 'ecdsa';
  } else if (RSA_WITH[oid] !== undefined || oid === OID.rsaEncryption) {
    hash = RSA_WITH[oid] ?? signerDigest;
    expectedKind = 'rsa';
  } else if (oid === OID.ed25519) {
    hash = null;
    expectedKind = 'ed25519';
  } else {
    return `unsupported signature algorithm ${oid}`;
  }
  if (hash === undefined) return `no supported digest for signature algorithm ${oid}`;
  if (!noParams) return `unexpected parameters for signature algorithm ${oid}`;
  if (kind !== expectedKind) {
    return `signature algorithm ${oid} (${expectedKind}) does not fit the TSA key (${kind})`;
  }
  if (cert.keyAlgorithm.kind === 'rsa' && !cert.keyAlgorithm.schemes.includes('pkcs1v15')) {
    return 'RSA PKCS#1 v1.5 signature, but the TSA key is trusted for PSS only';
  }
  const ok: boolean = yield {
    key: { spki: cert.spki, algorithm: cert.keyAlgorithm },
    scheme:
      expectedKind === 'ecdsa'
        ? { kind: 'ecdsa', hash: hash as TimestampHashAlgorithm }
        : expectedKind === 'rsa'
          ? { kind: 'rsa-pkcs1v15', hash: hash as TimestampHashAlgorithm }
          : { kind: 'ed25519' },
    data: token.signedAttributes,
    signature: token.signature,
  };
  return ok ? undefined : 'the signature does not verify over the signed attributes';
}

/** `issuedBy` of trust-root as a seam task: names link and the signature verifies. */
function* issuedByTask(child: TrustedCertificate, parent: TrustedCertificate): CryptoTask<boolean> {
  const namesLink =
    child.issuerNameDer === parent.subjectNameDer &&
    (!child.authorityKeyId || !parent.subjectKeyId || child.authorityKeyId === parent.subjectKeyId);
  if (!namesLink) return false;
  const request = certificateSignatureRequest(child, {
    spki: parent.spki,
    algorithm: parent.keyAlgorithm,
  });
  return request ? yield request : false;
}

function* chainProblem(authority: TimestampAuthority): CryptoTask<string | undefined> {
  const cached = chainResults.get(authority);
  if (cached) return cached.problem;
  let problem: string | undefined;
  const certs = authority.certificates;
  for (let i = 0; i + 1 < certs.length && problem === undefined; i++) {
    const child = certs[i] as TrustedCertificate;
    const parent = certs[i + 1] as TrustedCertificate;
    if (!canIssue(parent)) problem = `"${parent.subject}" may not issue certificates`;
    else if (!(yield* issuedByTask(child, parent))) {
      problem = `"${child.subject}" is not issued by "${parent.subject}"`;
    }
  }
  chainResults.set(authority, { problem });
  return problem;
}

const ISO = (d: Date | undefined): string => (d ? d.toISOString() : 'unbounded');

/** Every check that depends on the authority; throws the first that fails. */
function* checkAuthority(
  token: ParsedToken,
  tst: TstInfo,
  authority: TimestampAuthority,
): CryptoTask<void> {
  const cert = authority.certificates[0] as TrustedCertificate;
  const subject = cert.subject;
  const problem = yield* signatureProblem(token, cert);
  if (problem !== undefined) {
    throw invalid(
      `the timestamp signature does not verify with TSA certificate "${subject}": ${problem}`,
      'signature',
      `a valid signature by "${subject}"`,
      problem,
    );
  }
  const eku = cert.extendedKeyUsage;
  if (!eku?.includes(OID.timeStamping)) {
    throw invalid(
      `TSA certificate "${subject}" is not for timestamping (extendedKeyUsage lacks id-kp-timeStamping)`,
      'extendedKeyUsage',
      OID.timeStamping,
      eku ?? 'absent',
    );
  }
  const ku = cert.keyUsage;
  if (ku !== undefined && !ku.includes('digitalSignature') && !ku.includes('nonRepudiation')) {
    throw invalid(
      `TSA certificate "${subject}" may not sign (keyUsage ${ku.join(',') || 'empty'})`,
      'keyUsage',
      'digitalSignature or nonRepudiation',
      ku,
    );
  }
  const chain = yield* chainProblem(authority);
  if (chain !== undefined) {
    throw invalid(
      `the timestamp authority's certificate chain does not link: ${chain}`,
      'certificateChain',
      'each certificate issued by the next',
      chain,
    );
  }
  const t = tst.genTime;
  for (const c of authority.certificates) {
    if (t < c.notBefore || t > c.notAfter) {
      const name = c.subject;
      throw invalid(
        `genTime ${t.toISOString()} is outside the validity of TSA chain certificate "${name}"`,
        'genTime',
        { notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString() },
        t.toISOString(),
      );
    }
  }
  if (!isWithin(authority.validFor, t)) {
    throw invalid(
      `genTime ${t.toISOString()} is outside the timestamp authority's validFor window`,
      'genTime',
      { start: ISO(authority.validFor.start), end: ISO(authority.validFor.end) },
      t.toISOString(),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

/**
 * Verify an RFC 3161 timestamp over `signature` against the timestamp authorities of
 * `trustRoot`, offline. Returns the trusted time.
 *
 * Checks: TimeStampResp status granted (or a bare TimeStampToken); CMS SignedData with one
 * SignerInfo over an id-ct-TSTInfo; signed attributes with contentType id-ct-TSTInfo and
 * messageDigest = hash(TSTInfo) under the signer's digest; an ESS signingCertificate(V2)
 * attribute; the signer (issuer + serial or subject key id, and the ESS certificate hash) is
 * `certificates[0]` of a trust-root authority (certificates embedded in the token are never
 * trusted); the signature verifies over the signed attributes as a SET OF with that
 * certificate's key (ECDSA, RSA PKCS#1 v1.5, Ed25519); the certificate has EKU timeStamping
 * and may sign; the authority's chain links; genTime lies within every chain certificate's
 * validity and the authority's `validFor`; the message imprint (sha256/384/512) is the hash
 * of `signature`. The nonce and accuracy are not used.
 *
 * @param signedTimestamp DER TimeStampResp (what Sigstore bundles carry) or TimeStampToken.
 * @param signature The bytes the timestamp covers (the bundle's signature bytes).
 * @throws BundleVerifyError TIMESTAMP_INVALID; UNTRUSTED_SIGNER (`missing:
 *   'timestampAuthorities'`) when no trust-root authority signed it; LIMIT_EXCEEDED.
 */
export function verifyRfc3161Timestamp(
  signedTimestamp: Uint8Array,
  signature: Uint8Array,
  trustRoot: TrustRoot,
): VerifiedTimestamp {
  return runCryptoSync(rfc3161TimestampTask(signedTimestamp, signature, trustRoot), syncBackend);
}

/** {@link verifyRfc3161Timestamp} as a crypto-seam task (what the pipeline runs). */
export function* rfc3161TimestampTask(
  signedTimestamp: Uint8Array,
  signature: Uint8Array,
  trustRoot: TrustRoot,
): CryptoTask<VerifiedTimestamp> {
  if (!(signedTimestamp instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    throw invalid(
      'the timestamp and the signature must be bytes',
      'signedTimestamp',
      'Uint8Array',
      typeof signedTimestamp,
    );
  }
  if (signedTimestamp.length > MAX_TIMESTAMP_BYTES) {
    throw new BundleVerifyError(
      'LIMIT_EXCEEDED',
      `the RFC 3161 timestamp is ${signedTimestamp.length} bytes (limit ${MAX_TIMESTAMP_BYTES})`,
      {
        step: 'timestamp',
        field: 'signedTimestamp',
        expected: `<= ${MAX_TIMESTAMP_BYTES}`,
        actual: signedTimestamp.length,
      },
    );
  }
  let token: ParsedToken;
  let tst: TstInfo;
  let ess: EssCertId[];
  try {
    token = parseToken(signedTimestamp);
    tst = parseTstInfo(token.eContent);
    ess = essCertIds(token.attributes);
  } catch (cause) {
    if (cause instanceof BundleVerifyError) throw cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw invalid(
      `the RFC 3161 timestamp is malformed: ${reason}`,
      'signedTimestamp',
      'DER TimeStampResp or TimeStampToken',
      reason,
      cause,
    );
  }

  // CMS integrity: the signed attributes bind the TSTInfo.
  const signerHash = DIGESTS[token.digestAlgorithm.oid];
  if (signerHash === undefined || !token.digestAlgorithm.noParams) {
    throw invalid(
      `unsupported signer digest algorithm ${token.digestAlgorithm.oid}`,
      'digestAlgorithm',
      Object.keys(DIGESTS),
      token.digestAlgorithm.oid,
    );
  }
  const single = (oid: string, name: string): Uint8Array => {
    const values = token.attributes.get(oid);
    if (values?.length !== 1) {
      throw invalid(
        `the timestamp's signed attributes must hold exactly one ${name}`,
        name,
        1,
        values?.length ?? 0,
      );
    }
    return values[0] as Uint8Array;
  };
  const contentTypeAttr = single(OID.contentType, 'contentType');
  let attrContentType: string | undefined;
  try {
    attrContentType = oidOf(
      contentTypeAttr,
      readWhole(contentTypeAttr, 'contentType'),
      'contentType',
    );
  } catch {
    attrContentType = undefined;
  }
  if (attrContentType !== OID.tstInfo) {
    throw invalid(
      'the contentType signed attribute is not id-ct-TSTInfo',
      'contentType',
      OID.tstInfo,
      attrContentType ?? 'malformed',
    );
  }
  const digestAttr = single(OID.messageDigest, 'messageDigest');
  const computed = digest(signerHash, token.eContent);
  let claimed: Uint8Array | undefined;
  try {
    const t = readWhole(digestAttr, 'messageDigest');
    claimed = t.tag === 0x04 ? contentOf(digestAttr, t) : undefined;
  } catch {
    claimed = undefined;
  }
  if (!claimed || !equalBytes(claimed, computed)) {
    throw invalid(
      `the messageDigest signed attribute is not the ${signerHash} of the TSTInfo`,
      'messageDigest',
      hex(computed),
      claimed ? hex(claimed) : 'malformed',
    );
  }
  if (ess.length === 0) {
    throw invalid(
      'the timestamp does not identify its signing certificate (no ESS signingCertificate or signingCertificateV2 attribute)',
      'signingCertificate',
      'signingCertificateV2',
      'absent',
    );
  }

  // Trust: the signer must be the signing certificate of a trust-root authority.
  const bySid = trustRoot.timestampAuthorities.filter((a) => {
    const cert = a.certificates[0];
    return cert !== undefined && sidMatches(token.sid, cert);
  });
  const candidates = bySid.filter((a) => essMatches(ess, a.certificates[0] as TrustedCertificate));
  if (candidates.length === 0) {
    const signer = describeSigner(token.sid, token.embeddedCertificates);
    const known = trustRoot.timestampAuthorities.map((a) => a.certificates[0]?.subject ?? '');
    const why =
      bySid.length > 0
        ? 'a trust-root TSA certificate has its issuer and serial, but not the certificate hash its signingCertificate attribute names'
        : known.length === 0
          ? 'the trust root has no timestamp authorities'
          : 'no trust-root timestamp authority has its signing certificate';
    throw new BundleVerifyError(
      'UNTRUSTED_SIGNER',
      `the RFC 3161 timestamp is signed by ${signer}: ${why}`,
      {
        step: 'timestamp',
        field: 'signer',
        expected: known,
        actual: signer,
        missing: 'timestampAuthorities',
      },
    );
  }
  // Authorities whose window holds genTime first, so a window error only shows when none does.
  candidates.sort(
    (a, b) => Number(isWithin(b.validFor, tst.genTime)) - Number(isWithin(a.validFor, tst.genTime)),
  );
  let authority: TimestampAuthority | undefined;
  let firstError: unknown;
  for (const candidate of candidates) {
    try {
      yield* checkAuthority(token, tst, candidate);
      authority = candidate;
      break;
    } catch (error) {
      firstError ??= error;
    }
  }
  if (!authority) throw firstError;

  // What the timestamp is about: the message imprint must be the hash of `signature`.
  const imprintHash = DIGESTS[tst.imprintAlgorithm.oid];
  if (imprintHash === undefined || !tst.imprintAlgorithm.noParams) {
    throw invalid(
      `unsupported message imprint hash algorithm ${tst.imprintAlgorithm.oid}`,
      'messageImprint',
      Object.keys(DIGESTS),
      tst.imprintAlgorithm.oid,
    );
  }
  const expected = digest(imprintHash, signature);
  if (tst.imprint.length !== DIGEST_LENGTHS[imprintHash] || !equalBytes(tst.imprint, expected)) {
    throw invalid(
      `the timestamp's message imprint is not the ${imprintHash} of the signature: it stamps other data`,
      'messageImprint',
      hex(expected),
      hex(tst.imprint),
    );
  }
  const serial = hex(tst.serialNumber).replace(/^0+/, '') || '0';
  return Object.freeze({
    time: tst.genTime,
    authority,
    serialNumber: serial,
    hashAlgorithm: imprintHash,
  });
}
