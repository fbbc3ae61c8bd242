// Reading a DER SubjectPublicKeyInfo in pure JavaScript: which algorithm, which curve, how
// many modulus bits, and whether the bytes are the one canonical encoding (key ids are
// sha256 over them, so a second encoding of the same key would get a second id). This is
// what `createPublicKey` + `export` decided before; doing it here keeps the trust model free
// of any runtime's key object. EC points (uncompressed: the one canonical form) are checked on
// their curve with the curve equation (`@flareo/internal/ec-curve`), which loads no curve
// library.

import { type NistCurve, uncompressedOnCurve } from '@flareo/internal/ec-curve';
import { OID } from '../der/oids.js';
import {
  children,
  contentOf,
  encodeHeader,
  expectTag,
  readBitString,
  readInteger,
  readOid,
  readWhole,
  TAG,
} from '../der/reader.js';

/** What a valid SPKI holds, before the trust model applies its own limits. */
export type SpkiInfo =
  | { readonly type: 'ec'; readonly curve: string; readonly point: Uint8Array }
  | { readonly type: 'ed25519'; readonly raw: Uint8Array }
  | {
      readonly type: 'rsa' | 'rsa-pss';
      readonly bits: number;
      readonly modulus: Uint8Array;
      readonly exponent: Uint8Array;
    }
  | { readonly type: 'other'; readonly name: string };

/** Why an SPKI was refused: `invalid` (not a key) or `noncanonical` (a second encoding). */
export class SpkiError extends Error {
  constructor(
    readonly reason: 'invalid' | 'noncanonical',
    message: string,
  ) {
    super(message);
    this.name = 'SpkiError';
  }
}

const CURVE_NAMES: Readonly<Record<string, string>> = {
  [OID.p256]: 'prime256v1',
  [OID.p384]: 'secp384r1',
  [OID.p521]: 'secp521r1',
  '1.3.132.0.10': 'secp256k1',
};

const CURVES: ReadonlyMap<string, NistCurve> = new Map([
  ['prime256v1', 'P-256'],
  ['secp384r1', 'P-384'],
  ['secp521r1', 'P-521'],
]);

const KNOWN_OTHER: Readonly<Record<string, string>> = {
  '1.2.840.10040.4.1': 'dsa',
  '1.3.101.110': 'x25519',
  '1.3.101.111': 'x448',
  '1.3.101.113': 'ed448',
  '1.2.840.10046.2.1': 'dh',
};

/** Bit length of a positive big-endian integer. */
function bitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i] as number));
}

function positive(bytes: Uint8Array, what: string): Uint8Array {
  if (((bytes[0] as number) & 0x80) !== 0 || bitLength(bytes) === 0) {
    throw new SpkiError('invalid', `${what} is not positive`);
  }
  return bytes[0] === 0 ? bytes.subarray(1) : bytes;
}

/** The modulus and exponent of a DER RSAPublicKey (PKCS#1). */
export function readRsaPublicKey(der: Uint8Array): { modulus: Uint8Array; exponent: Uint8Array } {
  const seq = expectTag(readWhole(der, 'RSAPublicKey'), TAG.SEQUENCE, 'RSAPublicKey');
  const parts = children(der, seq);
  if (parts.length !== 2) throw new SpkiError('invalid', 'RSAPublicKey needs two INTEGERs');
  return {
    modulus: positive(readInteger(der, parts[0], 'modulus'), 'modulus'),
    exponent: positive(readInteger(der, parts[1], 'publicExponent'), 'publicExponent'),
  };
}

function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const length = content.reduce((n, c) => n + c.length, 0);
  const header = encodeHeader(tag, length);
  const out = new Uint8Array(header.length + length);
  out.set(header, 0);
  let at = header.length;
  for (const c of content) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** rsaEncryption AlgorithmIdentifier with NULL parameters, DER. */
const RSA_ALGORITHM = Uint8Array.of(
  0x30,
  0x0d,
  0x06,
  0x09,
  0x2a,
  0x86,
  0x48,
  0x86,
  0xf7,
  0x0d,
  0x01,
  0x01,
  0x01,
  0x05,
  0x00,
);

/** The SPKI (rsaEncryption) carrying a DER RSAPublicKey. */
export function rsaSpkiOf(rsaPublicKey: Uint8Array): Uint8Array {
  return tlv(TAG.SEQUENCE, RSA_ALGORITHM, tlv(TAG.BIT_STRING, Uint8Array.of(0), rsaPublicKey));
}

/**
 * Read a DER SubjectPublicKeyInfo. Throws {@link SpkiError} `invalid` for what is not a
 * public key (bad DER, a point off its curve, a non-positive modulus) and `noncanonical` for
 * a valid key in an encoding other than the canonical one (trailing bytes are caught by the
 * strict reader as invalid).
 */
export function readSpki(der: Uint8Array): SpkiInfo {
  let seq: ReturnType<typeof readWhole>;
  let parts: ReturnType<typeof children>;
  try {
    seq = expectTag(readWhole(der, 'SubjectPublicKeyInfo'), TAG.SEQUENCE, 'SubjectPublicKeyInfo');
    parts = children(der, seq);
  } catch (cause) {
    throw new SpkiError('invalid', cause instanceof Error ? cause.message : String(cause));
  }
  try {
    if (parts.length !== 2) throw new SpkiError('invalid', 'SPKI needs algorithm and key');
    const algId = expectTag(parts[0], TAG.SEQUENCE, 'AlgorithmIdentifier');
    const [oidTlv, params, ...extra] = children(der, algId);
    if (extra.length > 0) throw new SpkiError('invalid', 'AlgorithmIdentifier has extra fields');
    const oid = readOid(der, oidTlv, 'algorithm');
    const key = readBitString(der, parts[1], 'subjectPublicKey');
    if (key.unusedBits !== 0) throw new SpkiError('invalid', 'subjectPublicKey has unused bits');
    switch (oid) {
      case OID.ecPublicKey: {
        if (params?.tag !== TAG.OID) return { type: 'ec', curve: 'explicit', point: key.bytes };
        const curveOid = readOid(der, params, 'namedCurve');
        const curve = CURVE_NAMES[curveOid] ?? curveOid;
        const nist = CURVES.get(curve);
        if (nist) {
          if (key.bytes[0] !== 0x04) {
            // Compressed points have a second encoding; WebCrypto does not import them.
            throw new SpkiError('noncanonical', 'EC point is not in uncompressed form');
          }
          // A wrong length, a coordinate not below the field prime, or off the curve.
          if (uncompressedOnCurve(nist, key.bytes) !== true) {
            throw new SpkiError('invalid', `EC point is not on ${curve}`);
          }
        }
        return { type: 'ec', curve, point: key.bytes };
      }
      case OID.ed25519:
        if (params)
          throw new SpkiError('noncanonical', 'Ed25519 AlgorithmIdentifier has parameters');
        if (key.bytes.length !== 32) throw new SpkiError('invalid', 'Ed25519 key is not 32 bytes');
        return { type: 'ed25519', raw: key.bytes };
      case OID.rsaEncryption:
      case OID.rsassaPss: {
        if (
          oid === OID.rsaEncryption &&
          (params?.tag !== TAG.NULL || contentOf(der, params).length)
        ) {
          throw new SpkiError('noncanonical', 'rsaEncryption parameters are not NULL');
        }
        if (oid === OID.rsassaPss && params && params.tag !== TAG.SEQUENCE) {
          throw new SpkiError('invalid', 'RSASSA-PSS parameters are not a SEQUENCE');
        }
        const { modulus, exponent } = readRsaPublicKey(key.bytes);
        return {
          type: oid === OID.rsaEncryption ? 'rsa' : 'rsa-pss',
          bits: bitLength(modulus),
          modulus,
          exponent,
        };
      }
      default:
        return { type: 'other', name: KNOWN_OTHER[oid] ?? oid };
    }
  } catch (cause) {
    if (cause instanceof SpkiError) throw cause;
    throw new SpkiError('invalid', cause instanceof Error ? cause.message : String(cause));
  }
}
