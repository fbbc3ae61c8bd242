// The platform module of the browser/worker build (export conditions `browser`, `worker`,
// `workerd`, `default`): WebCrypto for the `…Async` entry points, @noble for the synchronous
// API and hashing. Same names and types as `platform.ts`; no `node:` import.

import type { KeyObject } from 'node:crypto';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import type { HashAlgorithm } from '../keys.js';
import { nobleCryptoBackend, nobleDigest } from './noble.js';
import type { CryptoBackend, IncrementalHash, SyncCryptoBackend } from './seam.js';
import { webCryptoBackend } from './web.js';

/** Which build this is: `node` or `web`. */
export const PLATFORM: 'node' | 'web' = 'web';

/** The backend of the synchronous API: @noble (ECDSA, Ed25519; RSA needs the async API). */
export const syncBackend: SyncCryptoBackend = nobleCryptoBackend;

/** The backend of the `…Async` entry points: WebCrypto. */
export const asyncBackend: CryptoBackend = webCryptoBackend;

/** Synchronous sha256 (key ids, fingerprints, Merkle hashing). */
export const sha256: (data: Uint8Array) => Uint8Array = nobleSha256;

/** Synchronous SHA-2 digest by name. */
export const digest: (algorithm: HashAlgorithm, data: Uint8Array) => Uint8Array = nobleDigest;

/** An incremental sha256 (fed piece by piece, so large inputs are not copied to be hashed). */
export const sha256Hasher = (): IncrementalHash => nobleSha256.create();

/** No runtime key object outside Node: the backends import their own keys from the SPKI. */
export const runtimeKeyOf = (_spki: Uint8Array): KeyObject | undefined => undefined;
