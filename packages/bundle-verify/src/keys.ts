// Keys as the crypto seam takes them (`{ spki, algorithm }`), for the bundle's own
// certificates (the signing certificate, intermediates it ships) and the trust root's keys,
// plus the hashing every step uses. Pure JavaScript: the same code in every runtime.

import { toHex } from '@flareo/internal/bytes';
import {
  type HashAlgorithm,
  type KeyAlgorithm,
  type PublicKeyRef,
  platformCrypto,
} from '@flareo/trust-root';
import {
  type CertificateView,
  children,
  contentOf,
  decodeOid,
  OID,
  readBitString,
  readInteger,
  readWhole,
} from '@flareo/trust-root/x509';
import { ecPointValid } from './ec-point.js';

/** What kind of key, as far as signature checking is concerned. */
export type KeyKind =
  | { readonly kind: 'ecdsa'; readonly curve: 'P-256' | 'P-384' | 'P-521' }
  | { readonly kind: 'ed25519' }
  | { readonly kind: 'rsa'; readonly pss: boolean }
  | { readonly kind: 'unsupported'; readonly type: string };

/** A key to verify with: its seam reference (absent when unsupported) and its kind. */
export interface SignerKey {
  readonly ref: PublicKeyRef | undefined;
  readonly kind: KeyKind;
}

/** sha256 with this platform's synchronous hash. */
export const sha256 = (data: Uint8Array): Uint8Array => platformCrypto.sha256(data);

/** A SHA-2 digest with this platform's synchronous hash. */
export const digestOf = (algorithm: HashAlgorithm, data: Uint8Array): Uint8Array =>
  platformCrypto.digest(algorithm, data);

/** sha256 as lowercase hex (key ids, fingerprints). */
export const sha256Hex = (data: Uint8Array): string => toHex(sha256(data));

const kindOfAlgorithm = (a: KeyAlgorithm): KeyKind =>
  a.kind === 'rsa' ? { kind: 'rsa', pss: !a.schemes.includes('pkcs1v15') } : a;

const trustedKeys = new WeakMap<object, SignerKey>();

/** The seam key of a trust-root key (`TrustedKey`: `spki` + `algorithm`), one object per key. */
export function signerKeyOfTrusted(key: { spki: Uint8Array; algorithm: KeyAlgorithm }): SignerKey {
  let signer = trustedKeys.get(key);
  if (!signer) {
    signer = {
      ref: { spki: key.spki, algorithm: key.algorithm },
      kind: kindOfAlgorithm(key.algorithm),
    };
    trustedKeys.set(key, signer);
  }
  return signer;
}

const CURVES: Readonly<Record<string, { name: 'P-256' | 'P-384' | 'P-521' }>> = {
  [OID.p256]: { name: 'P-256' },
  [OID.p384]: { name: 'P-384' },
  [OID.p521]: { name: 'P-521' },
};

const OTHER: Readonly<Record<string, string>> = {
  '1.3.132.0.10': 'ec secp256k1',
  '1.2.840.10040.4.1': 'dsa',
  '1.3.101.110': 'x25519',
  '1.3.101.111': 'x448',
  '1.3.101.113': 'ed448',
  '1.2.840.10046.2.1': 'dh',
};

/** Smallest RSA modulus accepted for a signer (as the trust model's minimum). */
const MIN_RSA_BITS = 2048;

function bitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i] as number));
}

/** Why a certificate's key cannot be read (the caller reports the certificate as malformed). */
export class UnreadableKeyError extends Error {
  override readonly name = 'UnreadableKeyError';
}

/** Modulus and public exponent of an RSA SPKI (unsigned big-endian). */
export function rsaPublicOf(spki: Uint8Array): { modulus: Uint8Array; exponent: Uint8Array } {
  const [, bits] = children(spki, readWhole(spki, 'SubjectPublicKeyInfo'));
  const key = readBitString(spki, bits, 'subjectPublicKey');
  const seq = readWhole(key.bytes, 'RSAPublicKey');
  const [n, e, ...rest] = children(key.bytes, seq);
  if (rest.length) throw new UnreadableKeyError('RSAPublicKey has extra fields');
  const modulus = readInteger(key.bytes, n, 'modulus');
  const exponent = readInteger(key.bytes, e, 'publicExponent');
  if (((modulus[0] as number) & 0x80) !== 0 || ((exponent[0] as number) & 0x80) !== 0) {
    throw new UnreadableKeyError('RSA modulus or exponent is negative');
  }
  return {
    modulus: modulus[0] === 0 ? modulus.subarray(1) : modulus,
    exponent: exponent[0] === 0 ? exponent.subarray(1) : exponent,
  };
}

/**
 * Classify a DER SubjectPublicKeyInfo in pure JavaScript: ECDSA P-256/384/521 (the point
 * must be on its curve), Ed25519, RSA >= 2048 bits (rsaEncryption: PKCS#1 v1.5 and PSS;
 * id-RSASSA-PSS: PSS only). Other keys are `unsupported` (a signature by them does not
 * verify). Throws {@link UnreadableKeyError} when the bytes are not a public key at all.
 */
export function classifySpki(spki: Uint8Array): SignerKey {
  let oid: string;
  let param: ReturnType<typeof children>[number] | undefined;
  let point: Uint8Array;
  try {
    const [alg, bits, ...rest] = children(spki, readWhole(spki, 'SubjectPublicKeyInfo'));
    if (!alg || !bits || rest.length) throw new UnreadableKeyError('SPKI needs algorithm and key');
    const [oidTlv, p] = children(spki, alg);
    if (!oidTlv) throw new UnreadableKeyError('AlgorithmIdentifier has no OID');
    oid = decodeOid(contentOf(spki, oidTlv));
    param = p;
    const key = readBitString(spki, bits, 'subjectPublicKey');
    if (key.unusedBits !== 0) throw new UnreadableKeyError('subjectPublicKey has unused bits');
    point = key.bytes;
  } catch (cause) {
    throw new UnreadableKeyError(cause instanceof Error ? cause.message : String(cause));
  }
  const unsupported = (type: string): SignerKey => ({
    ref: undefined,
    kind: { kind: 'unsupported', type },
  });
  if (oid === OID.ecPublicKey) {
    const curveOid = param?.tag === 0x06 ? decodeOid(contentOf(spki, param)) : 'explicit';
    const curve = CURVES[curveOid];
    if (!curve) return unsupported(OTHER[curveOid] ?? `ec ${curveOid}`);
    // Checked here (@noble/curves), not by importing the key: a key is imported only when a
    // signature check needs it.
    if (!ecPointValid(curve.name, point)) {
      throw new UnreadableKeyError(`EC point is not on ${curve.name}`);
    }
    const algorithm: KeyAlgorithm = { kind: 'ecdsa', curve: curve.name };
    return { ref: { spki, algorithm }, kind: algorithm };
  }
  if (oid === OID.ed25519) {
    if (point.length !== 32) throw new UnreadableKeyError('Ed25519 key is not 32 bytes');
    const algorithm: KeyAlgorithm = { kind: 'ed25519' };
    return { ref: { spki, algorithm }, kind: algorithm };
  }
  if (oid === OID.rsaEncryption || oid === OID.rsassaPss) {
    let bits: number;
    try {
      bits = bitLength(rsaPublicOf(spki).modulus);
    } catch (cause) {
      throw new UnreadableKeyError(cause instanceof Error ? cause.message : String(cause));
    }
    if (bits < MIN_RSA_BITS) return unsupported(`rsa < ${MIN_RSA_BITS}`);
    const pss = oid === OID.rsassaPss;
    const algorithm: KeyAlgorithm = {
      kind: 'rsa',
      bits,
      schemes: pss ? ['pss'] : ['pkcs1v15', 'pss'],
    };
    return { ref: { spki, algorithm }, kind: { kind: 'rsa', pss } };
  }
  return unsupported(OTHER[oid] ?? oid);
}

const certificateKeys = new WeakMap<CertificateView, SignerKey>();

/**
 * The subject key of a bundle certificate, classified once per certificate view (only when
 * first needed: intermediates the trust root makes unnecessary never pay for it).
 * Throws {@link UnreadableKeyError}.
 */
export function signerKeyOfCertificate(cert: CertificateView): SignerKey {
  let key = certificateKeys.get(cert);
  if (!key) {
    key = classifySpki(cert.spki);
    certificateKeys.set(cert, key);
  }
  return key;
}

// UTF-8 as `Buffer#toString('utf8')` read it: U+FFFD for malformed sequences and a leading
// byte-order mark kept (so JSON with a BOM stays invalid JSON, as before).
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Bytes to text, exactly as `Buffer#toString('utf8')`. */
export const utf8Text = (bytes: Uint8Array): string => utf8.decode(bytes);

/** Bytes to text one character per octet, as `Buffer#toString('latin1')`. */
export function latin1Text(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
}

/** UTF-8 length of a string, as `Buffer.byteLength` (lone surrogates count 3, as U+FFFD). */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}
