// The crypto seam. Every check that needs a signature verified is written once, as a
// generator that `yield`s a {@link VerifyRequest} and receives the answer (`true`/`false`).
// A driver runs the generator against a backend: {@link runCryptoSync} answers each request
// at once (Node's `node:crypto`, the fast path the synchronous API keeps), {@link runCryptoAsync}
// awaits each answer (WebCrypto, which is asynchronous only). One verification code path,
// two ways of feeding it; the backends agree on every request (see the differential tests).

import { argumentError, isKeyRef } from '../arguments.js';
import type { HashAlgorithm, KeyAlgorithm } from '../keys.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function requireTask(fn: string, task: unknown): void {
  if (!isObject(task) || typeof task.next !== 'function') {
    throw argumentError(fn, 'task', 'a CryptoTask (generator)', task);
  }
}

function requireBackend(fn: string, backend: unknown): void {
  if (!isObject(backend) || typeof backend.verify !== 'function') {
    throw argumentError(fn, 'backend', 'a CryptoBackend (an object with verify)', backend);
  }
}

const SCHEMES = ['ecdsa', 'ecdsa-prehashed', 'ed25519', 'rsa-pkcs1v15', 'rsa-pss'];
const HASHES = ['sha256', 'sha384', 'sha512'];

function requireRequest(fn: string, request: unknown): void {
  const r = isObject(request) ? request : undefined;
  const scheme = r && isObject(r.scheme) ? r.scheme : undefined;
  if (
    !r ||
    !isKeyRef(r.key) ||
    !scheme ||
    !SCHEMES.includes(scheme.kind as string) ||
    ((scheme.kind === 'ecdsa' || String(scheme.kind).startsWith('rsa')) &&
      !HASHES.includes(scheme.hash as string)) ||
    !(r.data instanceof Uint8Array) ||
    !(r.signature instanceof Uint8Array)
  ) {
    throw argumentError(
      fn,
      'request',
      'a VerifyRequest ({ key, scheme, data, signature })',
      request,
    );
  }
}

/** A public key as the trust model holds it: DER SubjectPublicKeyInfo and its algorithm. */
export interface PublicKeyRef {
  /** DER SubjectPublicKeyInfo (canonical; the object identity is the backends' cache key). */
  readonly spki: Uint8Array;
  readonly algorithm: KeyAlgorithm;
}

/** How the signature was made over `data`. */
export type SignatureScheme =
  /** ECDSA over `hash(data)`; the signature is DER `ECDSA-Sig-Value`. */
  | { readonly kind: 'ecdsa'; readonly hash: HashAlgorithm }
  /** ECDSA over `data`, which already is the digest (any length; truncated per FIPS 186). */
  | { readonly kind: 'ecdsa-prehashed' }
  /** Pure Ed25519 (RFC 8032) over `data`. */
  | { readonly kind: 'ed25519' }
  /** RSASSA-PKCS1-v1_5 with `hash`. */
  | { readonly kind: 'rsa-pkcs1v15'; readonly hash: HashAlgorithm }
  /** RSASSA-PSS with `hash` for the message and MGF1; any salt length. */
  | { readonly kind: 'rsa-pss'; readonly hash: HashAlgorithm };

/** One question for a backend: does `signature` over `data` verify with `key` under `scheme`? */
export interface VerifyRequest {
  readonly key: PublicKeyRef;
  readonly scheme: SignatureScheme;
  readonly data: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * Answers {@link VerifyRequest}s. `verify` never throws: a key that does not fit the scheme,
 * a malformed signature or an operation the runtime refuses is `false` (a backend that cannot
 * answer at all, such as the synchronous fallback asked for RSA, throws a `TrustRootError`
 * `CRYPTO_UNAVAILABLE` instead of guessing).
 */
export interface CryptoBackend {
  /** Short name for diagnostics: `node`, `webcrypto`, `noble`. */
  readonly name: string;
  verify(request: VerifyRequest): boolean | Promise<boolean>;
}

/** A hash fed piece by piece (`node:crypto`'s `Hash`, @noble/hashes' `create()`). */
export interface IncrementalHash {
  update(data: Uint8Array): unknown;
  digest(): Uint8Array;
}

/** A backend whose answers are immediate, for {@link runCryptoSync}. */
export interface SyncCryptoBackend extends CryptoBackend {
  verify(request: VerifyRequest): boolean;
}

/** A check written against the seam: yields requests, receives verdicts, returns `T`. */
export type CryptoTask<T> = Generator<VerifyRequest, T, boolean>;

/** Run `task` to its end, answering each request synchronously with `backend`. */
export function runCryptoSync<T>(task: CryptoTask<T>, backend: SyncCryptoBackend): T {
  requireTask('runCryptoSync', task);
  requireBackend('runCryptoSync', backend);
  let step = task.next();
  while (!step.done) step = task.next(backend.verify(step.value));
  return step.value;
}

/** Run `task` to its end, awaiting `backend`'s answer to each request. */
export async function runCryptoAsync<T>(task: CryptoTask<T>, backend: CryptoBackend): Promise<T> {
  requireTask('runCryptoAsync', task);
  requireBackend('runCryptoAsync', backend);
  let step = task.next();
  while (!step.done) step = task.next(await backend.verify(step.value));
  return step.value;
}

/** Ask one question inside a task: `const ok = yield* verifySignature(request)`. */
export function* verifySignature(request: VerifyRequest): CryptoTask<boolean> {
  requireRequest('verifySignature', request);
  return yield request;
}

/**
 * May `scheme` be used with `key` at all? Both backends ask this first, so a key/scheme
 * mismatch is `false` the same way everywhere.
 */
export function schemeFits(key: PublicKeyRef, scheme: SignatureScheme): boolean {
  const a = key.algorithm;
  switch (scheme.kind) {
    case 'ecdsa':
    case 'ecdsa-prehashed':
      return a.kind === 'ecdsa';
    case 'ed25519':
      return a.kind === 'ed25519';
    case 'rsa-pkcs1v15':
      return a.kind === 'rsa' && a.schemes.includes('pkcs1v15');
    case 'rsa-pss':
      return a.kind === 'rsa' && a.schemes.includes('pss');
  }
}
