import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign as nodeSign,
} from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { SeededStream, seededBytes } from './seed.js';

/** Key types the test kit mints; they match what the Flareo packages verify. */
export type TestKeyType =
  | 'ecdsa-p256'
  | 'ecdsa-p384'
  | 'ecdsa-p521'
  | 'ed25519'
  | 'rsa-2048'
  | 'rsa-3072'
  | 'rsa-4096';

export const TEST_KEY_TYPES: readonly TestKeyType[] = [
  'ecdsa-p256',
  'ecdsa-p384',
  'ecdsa-p521',
  'ed25519',
  'rsa-2048',
  'rsa-3072',
  'rsa-4096',
];

/** Options for {@link TestKey.sign}. */
export interface SignOptions {
  /** Digest for ECDSA and RSA. Default: SHA-256 for P-256/RSA, SHA-384 for P-384, SHA-512 for P-521. */
  hash?: 'sha256' | 'sha384' | 'sha512';
  /** RSA padding. Default `pkcs1`. PSS uses a salt as long as the digest (random salt). */
  rsaPadding?: 'pkcs1' | 'pss';
}

export interface TestKey {
  readonly type: TestKeyType;
  readonly seed: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  /** `-----BEGIN PUBLIC KEY-----` PEM of {@link spki}. */
  readonly publicKeyPem: string;
  /** sha256(DER SPKI) as lowercase hex: the Rekor v1 log id form of key ids. */
  readonly keyId: string;
  /** Default digest of this key type (unused for Ed25519). */
  readonly defaultHash: 'sha256' | 'sha384' | 'sha512';
  /**
   * Sign `data`. ECDSA signatures are deterministic (RFC 6979) and DER-encoded; Ed25519 is
   * deterministic by design; RSA PKCS#1 v1.5 is deterministic, PSS is not.
   */
  sign(data: Uint8Array, options?: SignOptions): Uint8Array;
}

const cache = new Map<string, TestKey>();

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

function bigintToBytes(value: bigint): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Buffer.from(hex, 'hex');
}
const bytesToBigint = (bytes: Uint8Array): bigint =>
  bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new Error('not invertible');
  return ((oldS % m) + m) % m;
}

const SMALL_PRIMES: bigint[] = (() => {
  const primes: bigint[] = [];
  for (let n = 3; primes.length < 300; n += 2) {
    if (primes.every((p) => BigInt(n) % p !== 0n)) primes.push(BigInt(n));
  }
  return primes;
})();

function isProbablePrime(n: bigint, stream: SeededStream, bytes: number): boolean {
  for (const p of SMALL_PRIMES) if (n % p === 0n) return n === p;
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s += 1;
  }
  for (let round = 0; round < 24; round++) {
    const a = 2n + (bytesToBigint(stream.next(bytes)) % (n - 3n));
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    let composite = true;
    for (let i = 1; i < s; i++) {
      x = (x * x) % n;
      if (x === n - 1n) {
        composite = false;
        break;
      }
    }
    if (composite) return false;
  }
  return true;
}

/**
 * Seeded RSA prime generation. Node's generateKeyPair cannot take a seed, so the test kit
 * draws candidates from its own deterministic stream (test material only, never production).
 */
function seededPrime(bits: number, stream: SeededStream, e: bigint): bigint {
  const bytes = bits / 8;
  for (;;) {
    const raw = stream.next(bytes);
    raw[0] = (raw[0] ?? 0) | 0xc0;
    raw[bytes - 1] = (raw[bytes - 1] ?? 0) | 0x01;
    const candidate = bytesToBigint(raw);
    if ((candidate - 1n) % e === 0n) continue;
    if (isProbablePrime(candidate, stream, bytes)) return candidate;
  }
}

/**
 * Seeded RSA generation takes seconds in BigInt arithmetic, and every test file runs in its
 * own worker, so the (deterministic, test-only) result is kept in the OS temp folder.
 * Set FLAREO_TESTKIT_CACHE=0 to always regenerate.
 */
function rsaJwk(bits: number, seed: string): Record<string, string> {
  const useCache = process.env.FLAREO_TESTKIT_CACHE !== '0';
  const file = join(
    tmpdir(),
    `flareo-testkit-rsa-${bits}-${createHash('sha256').update(seed).digest('hex').slice(0, 24)}.json`,
  );
  if (useCache) {
    try {
      const cached = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
      if (cached.kty === 'RSA' && typeof cached.n === 'string') return cached;
    } catch {
      // absent or unreadable: generate below
    }
  }
  const jwk = generateRsaJwk(bits, seed);
  if (useCache) {
    try {
      writeFileSync(`${file}.${process.pid}`, JSON.stringify(jwk));
      renameSync(`${file}.${process.pid}`, file);
    } catch {
      // a read-only temp folder only costs time
    }
  }
  return jwk;
}

function generateRsaJwk(bits: number, seed: string): Record<string, string> {
  const stream = new SeededStream(seed, `rsa-${bits}`);
  const e = 65537n;
  for (;;) {
    const p = seededPrime(bits / 2, stream, e);
    const q = seededPrime(bits / 2, stream, e);
    if (p === q) continue;
    const n = p * q;
    const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
    const d = modInverse(e, lambda);
    return {
      kty: 'RSA',
      n: b64url(bigintToBytes(n)),
      e: b64url(bigintToBytes(e)),
      d: b64url(bigintToBytes(d)),
      p: b64url(bigintToBytes(p)),
      q: b64url(bigintToBytes(q)),
      dp: b64url(bigintToBytes(d % (p - 1n))),
      dq: b64url(bigintToBytes(d % (q - 1n))),
      qi: b64url(bigintToBytes(modInverse(q, p))),
    };
  }
}

function gcd(a: bigint, b: bigint): bigint {
  let [x, y] = [a, b];
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

const CURVES = {
  'ecdsa-p256': { curve: p256, crv: 'P-256', size: 32, seedBytes: 48, hash: 'sha256' },
  'ecdsa-p384': { curve: p384, crv: 'P-384', size: 48, seedBytes: 72, hash: 'sha384' },
  'ecdsa-p521': { curve: p521, crv: 'P-521', size: 66, seedBytes: 99, hash: 'sha512' },
} as const;

function toPem(label: string, der: Uint8Array): string {
  const body = Buffer.from(der)
    .toString('base64')
    .replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}

/**
 * Mint (or fetch from the in-process cache) the key of `type` for `seed`. The same
 * (type, seed) pair always gives the same key.
 */
export function testKey(type: TestKeyType, seed = 'flareo'): TestKey {
  const cacheKey = `${type}\u0000${seed}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  let privateKey: KeyObject;
  let signer: TestKey['sign'];
  let defaultHash: TestKey['defaultHash'] = 'sha256';
  if (type === 'ed25519') {
    const secret = seededBytes(seed, 'ed25519', 32);
    const pub = ed25519.getPublicKey(secret);
    privateKey = createPrivateKey({
      key: { kty: 'OKP', crv: 'Ed25519', d: b64url(secret), x: b64url(pub) },
      format: 'jwk',
    });
    signer = (data) => new Uint8Array(nodeSign(null, data, privateKey));
  } else if (type in CURVES) {
    const spec = CURVES[type as keyof typeof CURVES];
    const secret = spec.curve.utils.randomSecretKey(seededBytes(seed, type, spec.seedBytes));
    const pub = spec.curve.getPublicKey(secret, false);
    privateKey = createPrivateKey({
      key: {
        kty: 'EC',
        crv: spec.crv,
        d: b64url(secret),
        x: b64url(pub.subarray(1, 1 + spec.size)),
        y: b64url(pub.subarray(1 + spec.size)),
      },
      format: 'jwk',
    });
    defaultHash = spec.hash;
    signer = (data, options) => {
      const digest = createHash(options?.hash ?? spec.hash)
        .update(data)
        .digest();
      return spec.curve.sign(digest, secret, { prehash: false, format: 'der', lowS: false });
    };
  } else {
    const bits = Number(type.slice(4));
    privateKey = createPrivateKey({ key: rsaJwk(bits, seed), format: 'jwk' });
    signer = (data, options) =>
      new Uint8Array(
        nodeSign(options?.hash ?? 'sha256', data, {
          key: privateKey,
          padding:
            options?.rsaPadding === 'pss'
              ? constants.RSA_PKCS1_PSS_PADDING
              : constants.RSA_PKCS1_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        }),
      );
  }
  const publicKey = createPublicKey(privateKey);
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const key: TestKey = {
    type,
    seed,
    privateKey,
    publicKey,
    spki,
    publicKeyPem: toPem('PUBLIC KEY', spki),
    keyId: createHash('sha256').update(spki).digest('hex'),
    defaultHash,
    sign: signer,
  };
  cache.set(cacheKey, key);
  return key;
}

export { toPem };
