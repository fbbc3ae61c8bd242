import { constants, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import {
  children,
  DerError,
  decodeOid,
  decodeString,
  decodeTime,
  readTlv,
  type Tlv,
  value,
} from './der.js';
import { BundleVerifyError } from './errors.js';
import { importSpki } from './spki.js';

export const OID_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
export const OID_SCT_LIST = '1.3.6.1.4.1.11129.2.4.2';
const FULCIO_PREFIX = '1.3.6.1.4.1.57264.1.';

/** Subject alternative names of a certificate, by type. */
export interface SubjectAlternativeNames {
  readonly uri: readonly string[];
  readonly email: readonly string[];
  readonly dns: readonly string[];
}

/** The fields of a signing certificate the pipeline uses, parsed once. */
export interface SigningCertificate {
  readonly der: Uint8Array;
  /** Subject and issuer distinguished names, for display (`CN=…, O=…`). */
  readonly subject: string;
  readonly issuer: string;
  /** DER of the subject and issuer Names, hex: exact comparison when building chains. */
  readonly subjectNameDer: string;
  readonly issuerNameDer: string;
  /** The subject public key, imported once. */
  readonly publicKey: KeyObject;
  /** The signed part (TBSCertificate DER), the signature algorithm OID and the signature. */
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: string;
  readonly signatureAlgorithmParams?: Uint8Array;
  readonly signature: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCA: boolean;
  readonly pathLenConstraint?: number;
  /** keyUsage bit names present, when the extension is present. */
  readonly keyUsage?: readonly string[];
  /** extendedKeyUsage OIDs, when the extension is present. */
  readonly extendedKeyUsage?: readonly string[];
  readonly san: SubjectAlternativeNames;
  readonly authorityKeyId?: string;
  readonly subjectKeyId?: string;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  /** Raw extnValue bytes by OID. */
  readonly extensions: ReadonlyMap<string, Uint8Array>;
  /** Fulcio extension values decoded to text, by OID (v1 OIDs raw, v2 OIDs DER strings). */
  readonly fulcio: ReadonlyMap<string, string>;
}

const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

function malformed(message: string, cause?: unknown): never {
  throw new BundleVerifyError(
    'CERTIFICATE_INVALID',
    `signing certificate is malformed: ${message}`,
    { step: 'certificate' },
    cause === undefined ? undefined : { cause },
  );
}

/** Parse a DER certificate for verification. Throws CERTIFICATE_INVALID on malformed input. */
export function parseSigningCertificate(der: Uint8Array): SigningCertificate {
  try {
    return walk(der);
  } catch (cause) {
    if (cause instanceof BundleVerifyError) throw cause;
    malformed(cause instanceof DerError ? cause.message : 'not a DER X.509 certificate', cause);
  }
}

const ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.5': 'serialNumber',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

/** A Name as `O=…, CN=…` (RDN order as encoded), for messages and results. */
function nameToString(buf: Uint8Array, name: Tlv): string {
  const parts: string[] = [];
  for (const rdn of children(buf, name)) {
    for (const atv of children(buf, rdn)) {
      const [type, val] = children(buf, atv);
      if (!type || !val) continue;
      const oid = decodeOid(value(buf, type));
      parts.push(`${ATTRIBUTE_NAMES[oid] ?? oid}=${decodeString(buf, val)}`);
    }
  }
  return parts.join(', ');
}

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

/**
 * Does `cert` carry a valid signature by `issuerKey`? The TBS bytes are verified directly
 * (no X509Certificate object is built: constructing one costs more than the P-256 verify).
 */
export function verifyCertificateSignature(
  cert: SigningCertificate,
  issuerKey: KeyObject,
): boolean {
  const alg = SIGNATURE_ALGORITHMS[cert.signatureAlgorithm];
  if (!alg) return false;
  try {
    if (alg.pss) {
      const hash = pssHash(cert.signatureAlgorithmParams);
      if (!hash) return false;
      return cryptoVerify(
        hash,
        cert.tbs,
        {
          key: issuerKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_AUTO,
        },
        cert.signature,
      );
    }
    return cryptoVerify(
      alg.hash,
      cert.tbs,
      alg.rsa ? { key: issuerKey, padding: constants.RSA_PKCS1_PADDING } : issuerKey,
      cert.signature,
    );
  } catch {
    return false;
  }
}

const SIGNATURE_ALGORITHMS: Record<string, { hash: string | null; rsa?: boolean; pss?: boolean }> =
  {
    '1.2.840.10045.4.3.2': { hash: 'sha256' },
    '1.2.840.10045.4.3.3': { hash: 'sha384' },
    '1.2.840.10045.4.3.4': { hash: 'sha512' },
    '1.2.840.113549.1.1.11': { hash: 'sha256', rsa: true },
    '1.2.840.113549.1.1.12': { hash: 'sha384', rsa: true },
    '1.2.840.113549.1.1.13': { hash: 'sha512', rsa: true },
    '1.2.840.113549.1.1.10': { hash: null, pss: true },
    '1.3.101.112': { hash: null },
  };

const PSS_HASHES: Record<string, string> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** The hash of RSASSA-PSS parameters (SEQUENCE { [0] hashAlgorithm, ... }); SHA-1 default is refused. */
function pssHash(params: Uint8Array | undefined): string | undefined {
  if (!params) return undefined;
  try {
    const seq = readTlv(params, 0);
    const first = children(params, seq)[0];
    if (first?.tag !== 0xa0) return undefined;
    const algId = children(params, first)[0];
    const oid = algId && children(params, algId)[0];
    return oid ? PSS_HASHES[decodeOid(value(params, oid))] : undefined;
  } catch {
    return undefined;
  }
}

function walk(der: Uint8Array): SigningCertificate {
  const cert = readTlv(der, 0);
  if (cert.tag !== 0x30 || cert.end !== der.length)
    throw new DerError('not a single DER certificate');
  const [tbs, sigAlg, sigValue] = children(der, cert);
  if (tbs?.tag !== 0x30 || !sigAlg || !sigValue || sigValue.tag !== 0x03)
    throw new DerError('not a certificate');
  const [algOid, algParams] = children(der, sigAlg);
  if (algOid?.tag !== 0x06) throw new DerError('bad signature algorithm');
  const fields = children(der, tbs);
  let i = fields[0]?.tag === 0xa0 ? 1 : 0; // optional explicit version
  i += 2; // serialNumber, signature algorithm
  const issuerName = fields[i++];
  const validity = fields[i++];
  const subjectName = fields[i++];
  const spkiTlv = fields[i++];
  if (!issuerName || !validity || !subjectName || !spkiTlv)
    throw new DerError('TBSCertificate too short');
  const [nb, na] = children(der, validity);
  if (!nb || !na) throw new DerError('bad validity');
  const extensions = new Map<string, Uint8Array>();
  const extsTlv = fields.slice(i).find((f) => f.tag === 0xa3);
  if (extsTlv) {
    const seq = children(der, extsTlv)[0];
    if (!seq) throw new DerError('empty extensions');
    for (const ext of children(der, seq)) {
      const parts = children(der, ext);
      const oid = parts[0];
      const octets = parts[parts.length - 1];
      if (oid?.tag !== 0x06 || !octets || octets.tag !== 0x04) throw new DerError('bad extension');
      const id = decodeOid(value(der, oid));
      if (extensions.has(id)) throw new DerError(`duplicate extension ${id}`);
      extensions.set(id, value(der, octets));
    }
  }
  let isCA = false;
  let pathLenConstraint: number | undefined;
  const bc = extensions.get('2.5.29.19');
  if (bc) {
    const seq = readTlv(bc, 0);
    for (const part of children(bc, seq)) {
      if (part.tag === 0x01) isCA = bc[part.valueStart] !== 0;
      else if (part.tag === 0x02)
        pathLenConstraint = Number.parseInt(Buffer.from(value(bc, part)).toString('hex'), 16);
    }
  }
  let keyUsage: string[] | undefined;
  const ku = extensions.get('2.5.29.15');
  if (ku) {
    const bits = value(ku, readTlv(ku, 0));
    keyUsage = KEY_USAGE_BITS.filter((_, bit) => {
      const byte = bits[1 + (bit >> 3)];
      return byte !== undefined && (byte & (0x80 >> (bit & 7))) !== 0;
    });
  }
  let extendedKeyUsage: string[] | undefined;
  const eku = extensions.get('2.5.29.37');
  if (eku) extendedKeyUsage = children(eku, readTlv(eku, 0)).map((t) => decodeOid(value(eku, t)));
  const uri: string[] = [];
  const email: string[] = [];
  const dns: string[] = [];
  const san = extensions.get('2.5.29.17');
  if (san) {
    for (const name of children(san, readTlv(san, 0))) {
      const text = () => Buffer.from(value(san, name)).toString('latin1');
      if (name.tag === 0x81) email.push(text());
      else if (name.tag === 0x82) dns.push(text());
      else if (name.tag === 0x86) uri.push(text());
    }
  }
  const keyId = (oid: string, inner: (bytes: Uint8Array, t: Tlv) => Uint8Array | undefined) => {
    const bytes = extensions.get(oid);
    if (!bytes) return undefined;
    const found = inner(bytes, readTlv(bytes, 0));
    return found ? Buffer.from(found).toString('hex') : undefined;
  };
  const subjectKeyId = keyId('2.5.29.14', (b, t) => value(b, t));
  const authorityKeyId = keyId('2.5.29.35', (b, t) => {
    const id = children(b, t).find((c) => c.tag === 0x80);
    return id ? value(b, id) : undefined;
  });
  const fulcio = new Map<string, string>();
  for (const [oid, bytes] of extensions) {
    if (!oid.startsWith(FULCIO_PREFIX)) continue;
    const arc = Number(oid.slice(FULCIO_PREFIX.length));
    // .1.1-.1.6 hold the raw string; .1.7 is an otherName SAN; .1.8+ hold a DER string.
    if (arc >= 1 && arc <= 6) fulcio.set(oid, Buffer.from(bytes).toString('utf8'));
    else if (arc >= 8) fulcio.set(oid, decodeString(bytes, readTlv(bytes, 0)));
  }
  const spki = der.subarray(spkiTlv.start, spkiTlv.end);
  // The key is imported when first used (~75-175 µs): intermediates shipped in a bundle that
  // the trust root makes unnecessary never pay for it.
  let publicKey: KeyObject | undefined;
  const lazyKey = () => {
    if (!publicKey) {
      try {
        publicKey = importSpki(spki);
      } catch (cause) {
        malformed('unreadable subject public key', cause);
      }
    }
    return publicKey;
  };
  const sigBits = value(der, sigValue);
  return Object.freeze({
    der,
    subject: nameToString(der, subjectName),
    issuer: nameToString(der, issuerName),
    subjectNameDer: hex(der.subarray(subjectName.start, subjectName.end)),
    issuerNameDer: hex(der.subarray(issuerName.start, issuerName.end)),
    get publicKey() {
      return lazyKey();
    },
    tbs: der.subarray(tbs.start, tbs.end),
    signatureAlgorithm: decodeOid(value(der, algOid)),
    ...(algParams && algParams.tag === 0x30
      ? { signatureAlgorithmParams: der.subarray(algParams.start, algParams.end) }
      : {}),
    signature: sigBits.subarray(1),
    notBefore: decodeTime(der, nb),
    notAfter: decodeTime(der, na),
    isCA,
    ...(pathLenConstraint === undefined ? {} : { pathLenConstraint }),
    ...(keyUsage === undefined ? {} : { keyUsage }),
    ...(extendedKeyUsage === undefined ? {} : { extendedKeyUsage }),
    san: Object.freeze({ uri, email, dns }),
    ...(authorityKeyId === undefined ? {} : { authorityKeyId }),
    ...(subjectKeyId === undefined ? {} : { subjectKeyId }),
    spki,
    extensions,
    fulcio,
  });
}
