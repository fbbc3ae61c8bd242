// One read of an X.509 certificate into the fields every Flareo verification step needs:
// the chain (names, key identifiers, constraints, validity, signature over the TBS bytes),
// the identity check (SANs, Fulcio extensions), the SCT check (the byte layout to rebuild the
// pre-certificate) and the timestamp check (issuer Name DER and serial). Pure JavaScript on
// the strict DER reader, so it runs unchanged wherever the verifier runs.

import { OID } from '../der/oids.js';
import {
  children,
  contentOf,
  DerError,
  encodingOf,
  expectTag,
  readBitString,
  readBoolean,
  readInteger,
  readOid,
  readSmallInteger,
  readString,
  readTime,
  readWhole,
  TAG,
  type Tlv,
  toHex,
} from '../der/reader.js';
import { formatName } from './name.js';

/** keyUsage bit names, in bit order (RFC 5280 §4.2.1.3). */
export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

const KEY_USAGE_BITS: readonly KeyUsageName[] = [
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

/** Subject alternative names by type (other name types are not read). */
export interface SubjectAlternativeNames {
  /** uniformResourceIdentifier entries. */
  readonly uri: readonly string[];
  /** rfc822Name entries. */
  readonly email: readonly string[];
  /** dNSName entries. */
  readonly dns: readonly string[];
}

/** One extension as encoded. */
export interface CertificateExtension {
  readonly oid: string;
  readonly critical: boolean;
  /** The extnValue OCTET STRING's content (the extension's own DER). */
  readonly value: Uint8Array;
  /** Where the whole Extension SEQUENCE lies in the certificate's DER. */
  readonly tlv: Tlv;
}

/** Where the parts a re-encoding needs lie in the certificate's DER. */
export interface CertificateLayout {
  /** The TBSCertificate SEQUENCE. */
  readonly tbs: Tlv;
  /** The subjectPublicKeyInfo SEQUENCE. */
  readonly spki: Tlv;
  /** The `[3]` wrapper of the extensions, when present. */
  readonly extensionsWrapper?: Tlv;
}

/** The fields of an X.509 certificate, read once from its DER. Immutable. */
export interface CertificateView {
  /** The certificate's DER (the bytes given to {@link parseCertificate}). */
  readonly der: Uint8Array;
  /** X.509 version: 1, 2 or 3. */
  readonly version: 1 | 2 | 3;
  /** serialNumber INTEGER content octets, as encoded. */
  readonly serial: Uint8Array;
  /** serialNumber as uppercase hex without leading zero octets (as `node:crypto` prints it). */
  readonly serialNumber: string;
  /** Subject Name in the one printable form (RFC 4514 style, e.g. `CN=x, O=y`). */
  readonly subject: string;
  /** Issuer Name in the one printable form. */
  readonly issuer: string;
  /** DER of the subject Name. */
  readonly subjectName: Uint8Array;
  /** DER of the issuer Name. */
  readonly issuerName: Uint8Array;
  /** DER of the subject Name, lowercase hex: exact comparison when linking chains. */
  readonly subjectNameDer: string;
  /** DER of the issuer Name, lowercase hex. */
  readonly issuerNameDer: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  /** The subject public key algorithm OID (e.g. id-ecPublicKey). */
  readonly publicKeyAlgorithm: string;
  /** The named curve OID of an EC key, when its parameters name one. */
  readonly publicKeyCurve?: string;
  /** The TBSCertificate DER: the bytes the issuer signed. */
  readonly tbs: Uint8Array;
  /** Byte layout of the TBSCertificate (for the RFC 6962 pre-certificate). */
  readonly layout: CertificateLayout;
  /** The outer signatureAlgorithm OID. */
  readonly signatureAlgorithm: string;
  /** The signatureAlgorithm parameters' DER when they are a SEQUENCE (RSASSA-PSS). */
  readonly signatureAlgorithmParams?: Uint8Array;
  /** The signature BIT STRING's octets. */
  readonly signature: Uint8Array;
  /** Every extension by OID, in encoded order (a duplicate OID is refused). */
  readonly extensions: ReadonlyMap<string, CertificateExtension>;
  /** basicConstraints cA (false when the extension is absent). */
  readonly isCA: boolean;
  /** basicConstraints pathLenConstraint, when present. */
  readonly pathLenConstraint?: number;
  /** keyUsage bit names set, when the extension is present. */
  readonly keyUsage?: readonly KeyUsageName[];
  /** extendedKeyUsage OIDs, when the extension is present. */
  readonly extendedKeyUsage?: readonly string[];
  /** subjectKeyIdentifier, lowercase hex. */
  readonly subjectKeyId?: string;
  /** authorityKeyIdentifier keyIdentifier, lowercase hex. */
  readonly authorityKeyId?: string;
  /** Subject alternative names (empty lists when the extension is absent). */
  readonly san: SubjectAlternativeNames;
  /**
   * Fulcio extension values as text, by OID (`1.3.6.1.4.1.57264.1.N`): arcs 1-6 hold the
   * raw UTF-8 string, arcs 8 and above a DER string; arc 7 (an otherName SAN) is not read.
   */
  readonly fulcio: ReadonlyMap<string, string>;
}

/**
 * Read a DER X.509 certificate. Strict: one certificate filling `der`, DER lengths, the
 * RFC 5280 field order, no duplicate extension, well-formed values of the extensions read
 * (basicConstraints, keyUsage, extKeyUsage, subject/authority key identifiers, subjectAltName,
 * Fulcio's). Unknown extensions are kept as bytes.
 *
 * @throws DerError (code `DER_INVALID`) for anything else; never another error.
 */
export function parseCertificate(der: Uint8Array): CertificateView {
  if (!(der instanceof Uint8Array)) throw new DerError('a certificate must be bytes');
  try {
    return read(der);
  } catch (error) {
    if (error instanceof DerError) throw error;
    // Defensive: the reader only throws DerError, but a certificate view must never leak
    // another error type to a verifier.
    throw new DerError('not a DER X.509 certificate', undefined, { cause: error });
  }
}

function read(der: Uint8Array): CertificateView {
  const cert = expectTag(readWhole(der, 'certificate'), TAG.SEQUENCE, 'Certificate SEQUENCE');
  // Indexed reads rather than array destructuring: a destructuring runs the iterator
  // protocol, which costs in the interpreter (every certificate is read before the JIT has
  // optimized this code) and makes the optimized function several times larger to compile.
  const top = children(der, cert);
  if (top.length > 3) throw new DerError('bytes after the signature value', top[3]?.start);
  const tbs = top[0];
  const sigAlg = top[1];
  const sigValue = top[2];
  expectTag(tbs, TAG.SEQUENCE, 'TBSCertificate');
  const alg = children(der, expectTag(sigAlg, TAG.SEQUENCE, 'signatureAlgorithm'));
  if (alg.length > 2) throw new DerError('bad signatureAlgorithm', sigAlg?.start);
  const algOid = alg[0];
  const algParams = alg[1];
  const signatureAlgorithm = readOid(der, algOid, 'signatureAlgorithm OID');
  const signature = readBitString(der, sigValue, 'signatureValue');
  if (signature.unusedBits !== 0) throw new DerError('signature with unused bits', sigValue?.start);

  const t = tbs as Tlv;
  const fields = children(der, t);
  let i = 0;
  let version: 1 | 2 | 3 = 1;
  if (fields[0]?.tag === 0xa0) {
    const versionItems = children(der, fields[0]);
    const n = readSmallInteger(der, versionItems[0], 'version');
    if (versionItems.length > 1 || n > 2) throw new DerError('bad version', fields[0].start);
    version = (n + 1) as 1 | 2 | 3;
    i = 1;
  }
  const serial = readInteger(der, fields[i++], 'serialNumber');
  expectTag(fields[i++], TAG.SEQUENCE, 'TBSCertificate signature AlgorithmIdentifier');
  const issuerTlv = expectTag(fields[i++], TAG.SEQUENCE, 'issuer Name');
  const validity = expectTag(fields[i++], TAG.SEQUENCE, 'validity');
  const subjectTlv = expectTag(fields[i++], TAG.SEQUENCE, 'subject Name');
  const spkiTlv = expectTag(fields[i++], TAG.SEQUENCE, 'subjectPublicKeyInfo');
  let extensionsWrapper: Tlv | undefined;
  let lastTag = 0;
  for (let f = i; f < fields.length; f++) {
    const field = fields[f] as Tlv;
    // issuerUniqueID [1], subjectUniqueID [2], extensions [3], each at most once, in order.
    const order = field.tag === 0x81 ? 1 : field.tag === 0x82 ? 2 : field.tag === 0xa3 ? 3 : 0;
    if (order === 0 || order <= lastTag) {
      throw new DerError('unexpected TBSCertificate field', field.start);
    }
    lastTag = order;
    if (order === 3) extensionsWrapper = field;
  }

  const times = children(der, validity);
  if (times.length > 2) throw new DerError('bad validity', validity.start);
  const notBefore = readTime(der, times[0], 'notBefore');
  const notAfter = readTime(der, times[1], 'notAfter');

  const spkiItems = children(der, spkiTlv);
  if (spkiItems.length > 2) throw new DerError('bad subjectPublicKeyInfo', spkiTlv.start);
  const keyBits = spkiItems[1];
  const keyAlgItems = children(
    der,
    expectTag(spkiItems[0], TAG.SEQUENCE, 'subjectPublicKeyInfo algorithm'),
  );
  const keyOid = keyAlgItems[0];
  const keyParams = keyAlgItems[1];
  const publicKeyAlgorithm = readOid(der, keyOid, 'public key algorithm');
  const publicKeyCurve =
    keyParams?.tag === TAG.OID ? readOid(der, keyParams, 'named curve') : undefined;
  readBitString(der, keyBits, 'subjectPublicKey');

  const extensions = new ImmutableMap<string, CertificateExtension>();
  if (extensionsWrapper) {
    const wrapped = children(der, extensionsWrapper);
    if (wrapped.length > 1) throw new DerError('bad extensions', extensionsWrapper.start);
    const seq = wrapped[0];
    const list = children(der, expectTag(seq, TAG.SEQUENCE, 'Extensions SEQUENCE'));
    if (list.length === 0) throw new DerError('empty Extensions', seq?.start);
    for (let e = 0; e < list.length; e++) {
      const ext = list[e] as Tlv;
      const items = children(der, expectTag(ext, TAG.SEQUENCE, 'Extension'));
      if (items.length !== 2 && items.length !== 3) throw new DerError('bad Extension', ext.start);
      const oid = readOid(der, items[0], 'extnID');
      const critical = items.length === 3 ? readBoolean(der, items[1], 'critical') : false;
      const value = contentOf(
        der,
        expectTag(items[items.length - 1], TAG.OCTET_STRING, 'extnValue'),
      );
      if (extensions.has(oid)) throw new DerError(`duplicate extension ${oid}`, ext.start);
      mapSet.call(extensions, oid, Object.freeze({ oid, critical, value, tlv: ext }));
    }
  }
  const known = readKnownExtensions(extensions);
  const subjectName = encodingOf(der, subjectTlv);
  const issuerName = encodingOf(der, issuerTlv);
  const layout: CertificateLayout = Object.freeze({
    tbs: t,
    spki: spkiTlv,
    ...(extensionsWrapper === undefined ? {} : { extensionsWrapper }),
  });
  return Object.freeze({
    der,
    version,
    serial,
    serialNumber: serialHex(serial),
    subject: formatName(der, subjectTlv),
    issuer: formatName(der, issuerTlv),
    subjectName,
    issuerName,
    subjectNameDer: toHex(subjectName),
    issuerNameDer: toHex(issuerName),
    notBefore,
    notAfter,
    spki: encodingOf(der, spkiTlv),
    publicKeyAlgorithm,
    ...(publicKeyCurve === undefined ? {} : { publicKeyCurve }),
    tbs: encodingOf(der, t),
    layout,
    signatureAlgorithm,
    ...(algParams?.tag === TAG.SEQUENCE
      ? { signatureAlgorithmParams: encodingOf(der, algParams) }
      : {}),
    signature: signature.bytes,
    extensions: Object.freeze(extensions),
    ...known,
  });
}

const refuse = (): never => {
  throw new TypeError('a certificate view is immutable');
};

/**
 * A Map whose changing methods refuse, so that a view (and a trusted certificate) stays
 * immutable. A subclass rather than own `set`/`delete`/`clear` properties defined on each
 * Map: defining them turned every map into a slow dictionary-mode object (about 1 µs a map).
 */
class ImmutableMap<K, V> extends Map<K, V> {
  override set(_key: K, _value: V): this {
    return refuse();
  }
  override delete(_key: K): boolean {
    return refuse();
  }
  override clear(): void {
    refuse();
  }
}

/** Fills an {@link ImmutableMap} while it is built (its own `set` refuses). */
const mapSet = Map.prototype.set;

/** Uppercase hex of a serial's value without leading zero octets (`00` for zero). */
function serialHex(serial: Uint8Array): string {
  let start = 0;
  while (start < serial.length - 1 && serial[start] === 0) start++;
  return toHex(serial.subarray(start)).toUpperCase();
}

const rawDecoder = new TextDecoder('utf-8');

interface KnownExtensions {
  isCA: boolean;
  pathLenConstraint?: number;
  keyUsage?: readonly KeyUsageName[];
  extendedKeyUsage?: readonly string[];
  subjectKeyId?: string;
  authorityKeyId?: string;
  san: SubjectAlternativeNames;
  fulcio: ReadonlyMap<string, string>;
}

function readKnownExtensions(
  extensions: ReadonlyMap<string, CertificateExtension>,
): KnownExtensions {
  const fulcio = new ImmutableMap<string, string>();
  const out: KnownExtensions = {
    isCA: false,
    san: Object.freeze({
      uri: Object.freeze([]),
      email: Object.freeze([]),
      dns: Object.freeze([]),
    }),
    fulcio,
  };
  for (const { oid, value: v } of extensions.values()) {
    switch (oid) {
      case OID.basicConstraints: {
        const parts = children(
          v,
          expectTag(readWhole(v, 'basicConstraints'), TAG.SEQUENCE, 'basicConstraints'),
        );
        let k = 0;
        if (parts[k]?.tag === TAG.BOOLEAN) out.isCA = readBoolean(v, parts[k++], 'cA');
        if (parts[k]?.tag === TAG.INTEGER) {
          out.pathLenConstraint = readSmallInteger(v, parts[k++], 'pathLenConstraint');
        }
        if (k !== parts.length) throw new DerError('bad basicConstraints');
        break;
      }
      case OID.keyUsage: {
        const { bytes } = readBitString(v, readWhole(v, 'keyUsage'), 'keyUsage');
        out.keyUsage = Object.freeze(
          KEY_USAGE_BITS.filter((_, bit) => ((bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0),
        );
        break;
      }
      case OID.extKeyUsage: {
        const seq = expectTag(readWhole(v, 'extKeyUsage'), TAG.SEQUENCE, 'extKeyUsage');
        out.extendedKeyUsage = Object.freeze(
          children(v, seq).map((t) => readOid(v, t, 'KeyPurposeId')),
        );
        break;
      }
      case OID.subjectKeyIdentifier:
        out.subjectKeyId = toHex(
          contentOf(
            v,
            expectTag(
              readWhole(v, 'subjectKeyIdentifier'),
              TAG.OCTET_STRING,
              'subjectKeyIdentifier',
            ),
          ),
        );
        break;
      case OID.authorityKeyIdentifier: {
        const seq = expectTag(
          readWhole(v, 'authorityKeyIdentifier'),
          TAG.SEQUENCE,
          'authorityKeyIdentifier',
        );
        const id = children(v, seq).find((c) => c.tag === 0x80);
        if (id) out.authorityKeyId = toHex(contentOf(v, id));
        break;
      }
      case OID.subjectAltName: {
        const uri: string[] = [];
        const email: string[] = [];
        const dns: string[] = [];
        const seq = expectTag(readWhole(v, 'subjectAltName'), TAG.SEQUENCE, 'subjectAltName');
        for (const name of children(v, seq)) {
          // IA5String values: one character per octet.
          if (name.tag === 0x81) email.push(readString(v, { ...name, tag: TAG.IA5_STRING }));
          else if (name.tag === 0x82) dns.push(readString(v, { ...name, tag: TAG.IA5_STRING }));
          else if (name.tag === 0x86) uri.push(readString(v, { ...name, tag: TAG.IA5_STRING }));
        }
        out.san = Object.freeze({
          uri: Object.freeze(uri),
          email: Object.freeze(email),
          dns: Object.freeze(dns),
        });
        break;
      }
      default:
        if (oid.startsWith(OID.fulcioPrefix)) {
          const arc = Number(oid.slice(OID.fulcioPrefix.length));
          if (arc >= 1 && arc <= 6) mapSet.call(fulcio, oid, rawDecoder.decode(v));
          else if (arc >= 8) mapSet.call(fulcio, oid, readString(v, readWhole(v, oid), oid));
        }
    }
  }
  Object.freeze(fulcio);
  return out;
}
