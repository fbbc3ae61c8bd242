// The WebCrypto backend: `globalThis.crypto.subtle`, asynchronous, present in browsers,
// Cloudflare Workers/workerd, Deno, Bun and Node >= 20. @noble/curves answers the requests
// WebCrypto has no operation for (ECDSA over a given digest; Ed25519 where `importKey`
// refuses it). Keys are imported once per SPKI array and scheme, then reused.

import { bigintOf, modPow } from '@flareo/internal/bytes';
import { children, readInteger, readWhole, TAG } from '../der/reader.js';
import type { HashAlgorithm } from '../keys.js';
import { nobleCryptoBackend, nobleDigest, spkiInfoOf } from './noble.js';
import { type CryptoBackend, schemeFits, type VerifyRequest } from './seam.js';
import { rsaSpkiOf, type SpkiInfo } from './spki.js';

const HASH_NAMES: Readonly<Record<HashAlgorithm, string>> = {
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
};
const HASH_BYTES: Readonly<Record<HashAlgorithm, number>> = { sha256: 32, sha384: 48, sha512: 64 };
const CURVES: Readonly<Record<string, { name: string; size: number }>> = {
  prime256v1: { name: 'P-256', size: 32 },
  secp384r1: { name: 'P-384', size: 48 },
  secp521r1: { name: 'P-521', size: 66 },
};

/** The part of WebCrypto's `SubtleCrypto` used here (typed locally: no DOM lib needed). */
interface Subtle {
  importKey(
    format: 'spki',
    keyData: Uint8Array,
    algorithm: object,
    extractable: boolean,
    usages: string[],
  ): Promise<WebKey>;
  verify(algorithm: object, key: WebKey, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
}
type WebKey = { readonly type: string };

function subtle(): Subtle {
  const s = (globalThis as { crypto?: { subtle?: Subtle } }).crypto?.subtle;
  if (!s) throw new Error('WebCrypto (globalThis.crypto.subtle) is not available');
  return s;
}

const imported = new WeakMap<Uint8Array, Map<string, Promise<WebKey | undefined>>>();

/** Import `spki` for `algorithm` once; `undefined` when the runtime refuses the key. */
function importKey(
  spki: Uint8Array,
  cacheKey: string,
  algorithm: object,
  der: Uint8Array = spki,
): Promise<WebKey | undefined> {
  let forKey = imported.get(spki);
  if (!forKey) {
    forKey = new Map();
    imported.set(spki, forKey);
  }
  const cached = forKey.get(cacheKey);
  if (cached) return cached;
  const key = subtle()
    .importKey('spki', der, algorithm, false, ['verify'])
    .then(
      (k: WebKey): WebKey | undefined => k,
      () => undefined,
    );
  forKey.set(cacheKey, key);
  return key;
}

/**
 * A DER ECDSA-Sig-Value as the fixed-width r ‖ s WebCrypto takes; `undefined` when it is not
 * strict DER (minimal, positive INTEGERs, nothing trailing) or a value is wider than the
 * curve: OpenSSL rejects the same signatures.
 */
export function ecdsaDerToRaw(signature: Uint8Array, size: number): Uint8Array | undefined {
  try {
    const seq = readWhole(signature, 'ECDSA-Sig-Value');
    if (seq.tag !== TAG.SEQUENCE) return undefined;
    const parts = children(signature, seq);
    if (parts.length !== 2) return undefined;
    const out = new Uint8Array(2 * size);
    for (let i = 0; i < 2; i++) {
      let v = readInteger(signature, parts[i]);
      if (((v[0] as number) & 0x80) !== 0) return undefined;
      if (v[0] === 0) v = v.subarray(1);
      if (v.length > size) return undefined;
      out.set(v, (i + 1) * size - v.length);
    }
    return out;
  } catch {
    return undefined;
  }
}

/**
 * The salt length of an RSASSA-PSS signature (RFC 8017 §9.1.2 steps 1-10, public values only),
 * or `undefined` when the encoding is not PSS. WebCrypto needs the salt length up front while
 * Sigstore and X.509 signers choose it freely (OpenSSL's "auto"), so it is read from the
 * signature here and WebCrypto then does the real verification with it. Hand-written: no
 * audited library exposes this step; a wrong answer can only make a valid signature fail.
 */
export function pssSaltLength(
  info: Extract<SpkiInfo, { type: 'rsa' | 'rsa-pss' }>,
  signature: Uint8Array,
  hash: HashAlgorithm,
): number | undefined {
  const n = bigintOf(info.modulus);
  const s = bigintOf(signature);
  if (s >= n) return undefined;
  const m = modPow(s, bigintOf(info.exponent), n);
  const emBits = info.bits - 1;
  const emLen = Math.ceil(emBits / 8);
  const hLen = HASH_BYTES[hash];
  if (emLen < hLen + 2 || m >> BigInt(8 * emLen) !== 0n) return undefined;
  const em = new Uint8Array(emLen);
  for (let i = emLen - 1, v = m; i >= 0; i--, v >>= 8n) em[i] = Number(v & 0xffn);
  if (em[emLen - 1] !== 0xbc) return undefined;
  const dbLen = emLen - hLen - 1;
  const h = em.subarray(dbLen, dbLen + hLen);
  const topMask = 0xff >> (8 * emLen - emBits);
  if (((em[0] as number) & ~topMask) !== 0) return undefined;
  const db = new Uint8Array(dbLen);
  const block = new Uint8Array(hLen + 4);
  block.set(h, 0);
  for (let counter = 0, at = 0; at < dbLen; counter++) {
    new DataView(block.buffer).setUint32(hLen, counter);
    const mask = nobleDigest(hash, block);
    for (let i = 0; i < mask.length && at < dbLen; i++, at++) {
      db[at] = (em[at] as number) ^ (mask[i] as number);
    }
  }
  db[0] = (db[0] as number) & topMask;
  let i = 0;
  while (i < dbLen && db[i] === 0) i++;
  if (db[i] !== 0x01) return undefined;
  return dbLen - i - 1;
}

async function check(request: VerifyRequest): Promise<boolean> {
  const { key, scheme, data, signature } = request;
  const info = spkiInfoOf(key.spki);
  const s = subtle();
  switch (scheme.kind) {
    case 'ecdsa': {
      const curve = info.type === 'ec' ? CURVES[info.curve] : undefined;
      if (!curve) return false;
      const raw = ecdsaDerToRaw(signature, curve.size);
      if (!raw) return false;
      const k = await importKey(key.spki, 'ecdsa', { name: 'ECDSA', namedCurve: curve.name });
      if (!k) return false;
      return s.verify({ name: 'ECDSA', hash: HASH_NAMES[scheme.hash] }, k, raw, data);
    }
    case 'ecdsa-prehashed':
      return nobleCryptoBackend.verify(request);
    case 'ed25519': {
      const k = await importKey(key.spki, 'ed25519', { name: 'Ed25519' });
      if (!k) return nobleCryptoBackend.verify(request);
      return s.verify({ name: 'Ed25519' }, k, signature, data);
    }
    case 'rsa-pkcs1v15':
    case 'rsa-pss': {
      if (info.type !== 'rsa' && info.type !== 'rsa-pss') return false;
      // WebCrypto imports RSA keys only under rsaEncryption: an id-RSASSA-PSS SPKI is
      // re-wrapped (same modulus and exponent; which schemes it may serve is the model's).
      const der = info.type === 'rsa' ? key.spki : rsaSpkiOf(rsaPublicKeyOf(info));
      const name = scheme.kind === 'rsa-pss' ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5';
      const k = await importKey(
        key.spki,
        `${name}/${scheme.hash}`,
        { name, hash: HASH_NAMES[scheme.hash] },
        der,
      );
      if (!k) return false;
      if (scheme.kind === 'rsa-pkcs1v15') {
        return s.verify({ name }, k, signature, data);
      }
      const saltLength = pssSaltLength(info, signature, scheme.hash);
      if (saltLength === undefined) return false;
      return s.verify({ name, saltLength }, k, signature, data);
    }
  }
}

function rsaPublicKeyOf(info: Extract<SpkiInfo, { type: 'rsa' | 'rsa-pss' }>): Uint8Array {
  const int = (v: Uint8Array): Uint8Array => {
    const body = ((v[0] as number) & 0x80) !== 0 ? Uint8Array.of(0, ...v) : v;
    return Uint8Array.of(TAG.INTEGER, ...lengthOctets(body.length), ...body);
  };
  const n = int(info.modulus);
  const e = int(info.exponent);
  return Uint8Array.of(TAG.SEQUENCE, ...lengthOctets(n.length + e.length), ...n, ...e);
}

function lengthOctets(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let v = length; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/** The WebCrypto backend (asynchronous), with @noble fallbacks; every scheme. */
export const webCryptoBackend: CryptoBackend = Object.freeze({
  name: 'webcrypto',
  async verify(request: VerifyRequest): Promise<boolean> {
    if (!schemeFits(request.key, request.scheme)) return false;
    try {
      return await check(request);
    } catch {
      return false;
    }
  },
});
