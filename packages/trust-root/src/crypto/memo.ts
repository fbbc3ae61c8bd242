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
import { sha256Hasher } from './platform.js';
import type { CryptoBackend, IncrementalHash, SyncCryptoBackend, VerifyRequest } from './seam.js';

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
const encoder = new TextEncoder();
const DOMAIN = encoder.encode('flareo verified-signature cache v1\n');

function feedLength(h: IncrementalHash, n: number): void {
  // 8 bytes, big-endian: lengths of any size, each field unambiguous.
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n));
  h.update(b);
}

function feedField(h: IncrementalHash, bytes: Uint8Array): void {
  feedLength(h, bytes.length);
  h.update(bytes);
}

/** The trusted algorithm, canonically (RSA keys may be trusted for one padding only). */
function algorithmText(request: VerifyRequest): string {
  const a = request.key.algorithm;
  switch (a.kind) {
    case 'ecdsa':
      return `ecdsa ${a.curve}`;
    case 'ed25519':
      return 'ed25519';
    case 'rsa':
      return `rsa ${a.bits} ${[...a.schemes].sort().join(',')}`;
  }
}

function schemeText(request: VerifyRequest): string {
  const s = request.scheme;
  return 'hash' in s ? `${s.kind} ${s.hash}` : s.kind;
}

/** sha256 over every input of the request, length-prefixed; hex (a compact map key). */
function cacheKey(request: VerifyRequest): string {
  const h = sha256Hasher();
  h.update(DOMAIN);
  feedField(h, request.key.spki);
  feedField(h, encoder.encode(algorithmText(request)));
  feedField(h, encoder.encode(schemeText(request)));
  feedField(h, request.data);
  feedField(h, request.signature);
  let key = '';
  for (const b of h.digest()) key += b.toString(16).padStart(2, '0');
  return key;
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
      if (!keyable(request)) return backend.verify(request);
      const key = cacheKey(request);
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
