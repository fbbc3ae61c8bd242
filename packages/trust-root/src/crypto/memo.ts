// A verified-signature cache as a backend wrapper. A signature check is a pure function of
// (key, scheme, data, signature): the same four inputs always get the same answer. So a
// POSITIVE answer may be remembered and given again without redoing the public-key operation.
// Negative answers are never remembered (a failing check is cheap to repeat, and never
// caching them means no remembered state can turn a later check into a pass that the backend
// would not give). The cache key is sha256 over an unambiguous, length-prefixed encoding of
// all four inputs (the key's SPKI and its trusted algorithm, the scheme, the data and the
// signature), so two requests share an entry only if every input is the same byte for byte
// (or sha256 collides). Hand-written: a bounded map in insertion order is all it takes.

import { argumentError, requireOptions } from '../arguments.js';
import { sha256, sha256Hasher } from './platform.js';
import type { CryptoBackend, SyncCryptoBackend, VerifyRequest } from './seam.js';

/** Options of {@link memoizeBackend}. */
export interface MemoizeBackendOptions {
  /**
   * Positive answers remembered at most; when full, the least recently used is forgotten.
   * Each entry holds a 32-byte key (about 100 bytes of memory with the map's overhead).
   * Default 4096.
   */
  readonly maxEntries?: number;
}

/** A backend that remembers its positive answers (see {@link memoizeBackend}). */
export interface MemoizedCryptoBackend extends CryptoBackend {
  /** Positive answers remembered now (never more than `maxEntries`). */
  readonly size: number;
  /** Requests answered from memory, and requests passed to the wrapped backend, so far. */
  readonly stats: { readonly hits: number; readonly misses: number };
  /** Forget every remembered answer. */
  clear(): void;
}

/** A memoized synchronous backend: answers stay immediate, for `runCryptoSync`. */
export interface MemoizedSyncCryptoBackend extends MemoizedCryptoBackend, SyncCryptoBackend {
  verify(request: VerifyRequest): boolean;
}

const DEFAULT_MAX_ENTRIES = 4096;
const DOMAIN = new TextEncoder().encode('flareo verified-signature cache v1\n');
/** Inputs up to this size are hashed in one call from one buffer; larger ones piece by piece. */
const ONE_SHOT_BYTES = 64 * 1024;

/** The trusted algorithm, canonically (RSA keys may be trusted for one padding only). */
function algorithmText(request: VerifyRequest): string | undefined {
  const a = request.key.algorithm;
  switch (a.kind) {
    case 'ecdsa':
      return `ecdsa ${a.curve}`;
    case 'ed25519':
      return 'ed25519';
    case 'rsa':
      return Array.isArray(a.schemes)
        ? `rsa ${a.bits} ${[...a.schemes].sort().join(',')}`
        : undefined;
    default:
      return undefined;
  }
}

function schemeText(request: VerifyRequest): string | undefined {
  const s = request.scheme as { kind?: unknown; hash?: unknown };
  if (typeof s.kind !== 'string') return undefined;
  if (!('hash' in s)) return s.kind;
  return typeof s.hash === 'string' ? `${s.kind} ${s.hash}` : undefined;
}

/** Write `n` as 8 bytes, big-endian (lengths of any size; no field can run into the next). */
function putLength(buf: Uint8Array, at: number, n: number): number {
  const high = Math.floor(n / 0x1_0000_0000);
  const low = n >>> 0;
  buf[at] = high >>> 24;
  buf[at + 1] = (high >>> 16) & 0xff;
  buf[at + 2] = (high >>> 8) & 0xff;
  buf[at + 3] = high & 0xff;
  buf[at + 4] = low >>> 24;
  buf[at + 5] = (low >>> 16) & 0xff;
  buf[at + 6] = (low >>> 8) & 0xff;
  buf[at + 7] = low & 0xff;
  return at + 8;
}

/** The short texts, ASCII (curve, scheme and hash names, numbers): one byte a character. */
function putText(buf: Uint8Array, at: number, text: string): number {
  let o = putLength(buf, at, text.length);
  for (let i = 0; i < text.length; i++) buf[o++] = text.charCodeAt(i);
  return o;
}

const ASCII = /^[\x20-\x7e]*$/;

/**
 * sha256 over every input of the request, as a 32-character binary string (a compact map key).
 * The encoding: a domain label, the lengths of the SPKI, the algorithm text, the scheme text,
 * the data and the signature (8 bytes each) with the two texts, then the SPKI, the data and
 * the signature. All lengths come before the variable fields, so the split is unambiguous.
 */
function cacheKey(request: VerifyRequest): string | undefined {
  const { spki } = request.key;
  const { data, signature } = request;
  const algorithm = algorithmText(request);
  const scheme = schemeText(request);
  // No backend accepts other names; such a request is passed on, never remembered.
  if (
    algorithm === undefined ||
    scheme === undefined ||
    !ASCII.test(algorithm) ||
    !ASCII.test(scheme)
  ) {
    return undefined;
  }
  const header = DOMAIN.length + 8 * 5 + algorithm.length + scheme.length;
  const body = spki.length + data.length + signature.length;
  const oneShot = body <= ONE_SHOT_BYTES;
  const buf = new Uint8Array(header + (oneShot ? body : 0));
  buf.set(DOMAIN, 0);
  let o = putLength(buf, DOMAIN.length, spki.length);
  o = putText(buf, o, algorithm);
  o = putText(buf, o, scheme);
  o = putLength(buf, o, data.length);
  o = putLength(buf, o, signature.length);
  let digest: Uint8Array;
  if (oneShot) {
    buf.set(spki, o);
    buf.set(data, o + spki.length);
    buf.set(signature, o + spki.length + data.length);
    digest = sha256(buf);
  } else {
    // A large message (an artifact signed as a whole) is not copied to be hashed.
    const h = sha256Hasher();
    h.update(buf);
    h.update(spki);
    h.update(data);
    h.update(signature);
    digest = h.digest();
  }
  return String.fromCharCode(...digest);
}

/** May `request` be turned into a cache key? Anything else goes to the backend untouched. */
function keyable(request: VerifyRequest): boolean {
  const r = request as Partial<VerifyRequest> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.key === 'object' &&
    r.key !== null &&
    r.key.spki instanceof Uint8Array &&
    typeof r.key.algorithm === 'object' &&
    r.key.algorithm !== null &&
    typeof r.scheme === 'object' &&
    r.scheme !== null &&
    r.data instanceof Uint8Array &&
    r.signature instanceof Uint8Array
  );
}

/**
 * Wrap `backend` so that each positive answer is remembered and given again, without the
 * public-key operation, when the very same request (same key, algorithm, scheme, data and
 * signature, byte for byte) comes back. Negative answers and errors are never remembered, so
 * the wrapped backend answers exactly as `backend` does; only the work is saved. Worth it when
 * checks recur: a batch where one release's bundle signs many artifacts, or where bundles ship
 * the same intermediate certificates. Each check pays one extra sha256 over its inputs.
 *
 * The wrapper is as synchronous as `backend`: wrapping a {@link SyncCryptoBackend} gives one
 * for `runCryptoSync`. Memory is bounded by `maxEntries`; entries live as long as the wrapper.
 *
 * @throws TrustRootError ARGUMENT_INVALID when `backend` has no `verify` or `maxEntries` is not
 *   a positive integer.
 */
export function memoizeBackend(
  backend: SyncCryptoBackend,
  options?: MemoizeBackendOptions,
): MemoizedSyncCryptoBackend;
export function memoizeBackend(
  backend: CryptoBackend,
  options?: MemoizeBackendOptions,
): MemoizedCryptoBackend;
export function memoizeBackend(
  backend: CryptoBackend,
  options?: MemoizeBackendOptions,
): MemoizedCryptoBackend {
  if (typeof backend !== 'object' || backend === null || typeof backend.verify !== 'function') {
    throw argumentError(
      'memoizeBackend',
      'backend',
      'a CryptoBackend (an object with verify)',
      backend,
    );
  }
  const given = (requireOptions('memoizeBackend', options) as MemoizeBackendOptions).maxEntries;
  const maxEntries = given === undefined ? DEFAULT_MAX_ENTRIES : given;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw argumentError('memoizeBackend', 'options.maxEntries', 'a positive integer', maxEntries);
  }
  // A Map iterates in insertion order: re-inserting on a hit keeps the oldest entry first.
  const verified = new Map<string, true>();
  const stats = { hits: 0, misses: 0 };
  let answersAtOnce = true;
  const remember = (key: string) => {
    verified.set(key, true);
    if (verified.size > maxEntries) {
      verified.delete(verified.keys().next().value as string);
    }
  };
  const memoized: MemoizedCryptoBackend = {
    name: `memo(${backend.name})`,
    get size() {
      return verified.size;
    },
    get stats() {
      return { ...stats };
    },
    clear() {
      verified.clear();
    },
    verify(request: VerifyRequest): boolean | Promise<boolean> {
      const key = keyable(request) ? cacheKey(request) : undefined;
      if (key === undefined) return backend.verify(request);
      if (verified.delete(key)) {
        verified.set(key, true);
        stats.hits++;
        // An entry exists only after a miss, which showed whether the backend answers at once.
        return answersAtOnce ? true : Promise.resolve(true);
      }
      stats.misses++;
      const answer = backend.verify(request);
      answersAtOnce = typeof answer === 'boolean';
      if (typeof answer === 'boolean') {
        if (answer === true) remember(key);
        return answer;
      }
      return Promise.resolve(answer).then((ok) => {
        if (ok === true) remember(key);
        return ok;
      });
    },
  };
  return memoized;
}
