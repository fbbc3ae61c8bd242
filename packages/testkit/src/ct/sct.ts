import { createHash, X509Certificate } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { Certificate, Extension, Extensions } from '@peculiar/asn1-x509';
import { type TestKey, toPem } from '../keys.js';
import type { TestCertificate } from '../x509.js';

/**
 * Certificate transparency (RFC 6962) test material: Signed Certificate Timestamps over a
 * precertificate entry, TLS-encoded SCT lists, and leaves with the SCT list embedded the way
 * a CA that logs precertificates (Fulcio) issues them. The precertificate TBS is the leaf's
 * TBS as minted (without the SCT extension); the final leaf keeps its serial number, gains
 * the extension and is re-signed by its issuer.
 */

/** Extension OID of the embedded SignedCertificateTimestampList. */
export const OID_SCT_LIST = '1.3.6.1.4.1.11129.2.4.2';

export type SctHash = 'sha256' | 'sha384' | 'sha512';

/** One SCT to mint. */
export interface SctOptions {
  /** The CT log's key; its private half signs the SCT. */
  key: TestKey;
  /** The SCT timestamp (milliseconds are kept). */
  timestamp: Date;
  /** Log id written into the SCT. Default sha256(DER SPKI of {@link key}). */
  logId?: Uint8Array;
  /** `CtExtensions` bytes, signed and carried in the SCT. Default empty. */
  extensions?: Uint8Array;
  /** Digest for ECDSA and RSA keys. Default the key's default hash (ignored for Ed25519). */
  hash?: SctHash;
  /** SCT version byte. Default 0 (v1); other values are written as given, for negative tests. */
  version?: number;
}

const HASH_CODES: Record<SctHash, number> = { sha256: 4, sha384: 5, sha512: 6 };

function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function uint(value: number, bytes: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** (8 * bytes)) {
    throw new RangeError(`${value} does not fit in ${bytes} bytes`);
  }
  const out = new Uint8Array(bytes);
  let v = value;
  for (let i = bytes - 1; i >= 0; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return out;
}

function uint64(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value));
  return out;
}

const arrayBuffer = (bytes: Uint8Array): ArrayBuffer => {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
};

/** The DER SubjectPublicKeyInfo of a certificate, as written in it. */
export function certificateSpki(certificate: Pick<TestCertificate, 'der'>): Uint8Array {
  const tbs = AsnConvert.parse(certificate.der, Certificate).tbsCertificate;
  return new Uint8Array(AsnConvert.serialize(tbs.subjectPublicKeyInfo));
}

/** The DER TBSCertificate of `leaf` exactly as it is encoded in the certificate. */
export function precertificateTbs(leaf: Pick<TestCertificate, 'der'>): Uint8Array {
  const cert = AsnConvert.parse(leaf.der, Certificate);
  if (cert.tbsCertificate.extensions?.some((e) => e.extnID === OID_SCT_LIST)) {
    throw new Error('precertificateTbs: the certificate already carries an SCT list');
  }
  return new Uint8Array(cert.tbsCertificateRaw ?? AsnConvert.serialize(cert.tbsCertificate));
}

/**
 * The RFC 6962 §3.2 `digitally-signed` struct of an SCT over a precert entry: version,
 * signature type (certificate_timestamp), timestamp, entry type (precert_entry),
 * issuer_key_hash, the uint24-prefixed TBS and the uint16-prefixed extensions.
 */
export function precertSignedData(input: {
  timestamp: Date;
  issuerSpki: Uint8Array;
  tbs: Uint8Array;
  extensions?: Uint8Array;
  version?: number;
}): Uint8Array {
  const extensions = input.extensions ?? new Uint8Array(0);
  return concat(
    uint(input.version ?? 0, 1),
    uint(0, 1), // certificate_timestamp
    uint64(input.timestamp.getTime()),
    uint(1, 2), // precert_entry
    new Uint8Array(createHash('sha256').update(input.issuerSpki).digest()),
    uint(input.tbs.length, 3),
    input.tbs,
    uint(extensions.length, 2),
    extensions,
  );
}

/**
 * Mint one serialized SCT (RFC 6962 §3.2 `SignedCertificateTimestamp`) over the precert
 * entry of `tbs` (see {@link precertificateTbs}) issued by `issuer`.
 */
export function signSct(
  options: SctOptions,
  precert: { tbs: Uint8Array; issuer: Pick<TestCertificate, 'der'> },
): Uint8Array {
  const extensions = options.extensions ?? new Uint8Array(0);
  const version = options.version ?? 0;
  const signed = precertSignedData({
    timestamp: options.timestamp,
    issuerSpki: certificateSpki(precert.issuer),
    tbs: precert.tbs,
    extensions,
    version,
  });
  const key = options.key;
  let algorithm: Uint8Array;
  let signature: Uint8Array;
  if (key.type === 'ed25519') {
    algorithm = Uint8Array.of(8, 7); // TLS 1.3 SignatureScheme ed25519 (0x0807)
    signature = key.sign(signed);
  } else {
    const hash = options.hash ?? key.defaultHash;
    algorithm = Uint8Array.of(HASH_CODES[hash], key.type.startsWith('rsa') ? 1 : 3);
    signature = key.sign(signed, { hash });
  }
  const logId = options.logId ?? new Uint8Array(createHash('sha256').update(key.spki).digest());
  if (logId.length !== 32) throw new RangeError('an SCT log id is 32 bytes');
  return concat(
    uint(version, 1),
    logId,
    uint64(options.timestamp.getTime()),
    uint(extensions.length, 2),
    extensions,
    algorithm,
    uint(signature.length, 2),
    signature,
  );
}

/** TLS-encode a `SignedCertificateTimestampList` (uint16 total, each SCT uint16-prefixed). */
export function encodeSctList(scts: readonly Uint8Array[]): Uint8Array {
  const body = concat(...scts.map((sct) => concat(uint(sct.length, 2), sct)));
  return concat(uint(body.length, 2), body);
}

/** The extnValue contents of the SCT list extension: a DER OCTET STRING around the TLS list. */
export function sctListExtensionValue(list: Uint8Array): Uint8Array {
  return new Uint8Array(AsnConvert.serialize(new OctetString(arrayBuffer(list))));
}

const SIGNATURE_HASHES: Record<string, SctHash | undefined> = {
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.3.101.112': undefined,
};

/**
 * Add an SCT list extension with the raw `extensionValue` (the extnValue contents, e.g. from
 * {@link sctListExtensionValue}) to `leaf` and re-sign it with `issuer`'s key. The serial
 * number and every other field stay as they are. `position` is the index among the
 * extensions where the new one goes (default: last).
 */
export function embedSctExtension(
  leaf: TestCertificate,
  issuer: TestCertificate,
  extensionValue: Uint8Array,
  options: { position?: number; critical?: boolean } = {},
): TestCertificate {
  const cert = AsnConvert.parse(leaf.der, Certificate);
  const tbs = cert.tbsCertificate;
  const existing = [...(tbs.extensions ?? [])];
  if (existing.some((e) => e.extnID === OID_SCT_LIST)) {
    throw new Error('embedSctExtension: the certificate already carries an SCT list');
  }
  const sctExtension = new Extension({
    extnID: OID_SCT_LIST,
    critical: options.critical ?? false,
    extnValue: new OctetString(arrayBuffer(extensionValue)),
  });
  const position = options.position ?? existing.length;
  existing.splice(position, 0, sctExtension);
  tbs.extensions = new Extensions(existing);
  const algorithm = tbs.signature.algorithm;
  if (!(algorithm in SIGNATURE_HASHES)) {
    throw new Error(`embedSctExtension: unsupported issuer signature algorithm ${algorithm}`);
  }
  const hash = SIGNATURE_HASHES[algorithm];
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const signature = issuer.key.sign(tbsDer, hash === undefined ? {} : { hash });
  const der = new Uint8Array(
    AsnConvert.serialize(
      new Certificate({
        tbsCertificate: tbs,
        tbsCertificateRaw: arrayBuffer(tbsDer),
        signatureAlgorithm: cert.signatureAlgorithm,
        signatureValue: arrayBuffer(signature),
      }),
    ),
  );
  return {
    der,
    pem: toPem('CERTIFICATE', der),
    x509: new X509Certificate(der),
    key: leaf.key,
    subject: leaf.subject,
  };
}

/** A leaf with embedded SCTs, and what went into it. */
export interface EmbeddedScts {
  /** The leaf with the SCT list extension, re-signed by the issuer. */
  certificate: TestCertificate;
  /** The serialized SCTs, in list order. */
  scts: Uint8Array[];
  /** The precertificate TBS the SCTs sign. */
  precertTbs: Uint8Array;
  /** The extnValue contents of the SCT list extension. */
  extensionValue: Uint8Array;
}

/**
 * Mint one SCT per entry of `logs` over `leaf` (a leaf without SCTs, e.g. from
 * `createLeafCertificate`) and embed the list in it, as a CT-logging CA does.
 */
export function embedScts(
  leaf: TestCertificate,
  issuer: TestCertificate,
  logs: readonly SctOptions[],
  options: { position?: number } = {},
): EmbeddedScts {
  const precertTbs = precertificateTbs(leaf);
  const scts = logs.map((log) => signSct(log, { tbs: precertTbs, issuer }));
  const extensionValue = sctListExtensionValue(encodeSctList(scts));
  const certificate = embedSctExtension(leaf, issuer, extensionValue, options);
  return { certificate, scts, precertTbs, extensionValue };
}
