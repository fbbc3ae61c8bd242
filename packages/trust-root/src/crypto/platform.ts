// The platform module of the Node build: the `node` export condition selects the build made
// from this file. The browser/worker build replaces it with `platform-web.ts` (tsup alias,
// see tsup.config.ts); both export the same names with the same types.

import { createHash, type KeyObject } from 'node:crypto';
import type { HashAlgorithm } from '../keys.js';
import { keyObjectOf, nodeCryptoBackend, nodeDigest, nodeSha256 } from './node.js';
import type { CryptoBackend, IncrementalHash, SyncCryptoBackend } from './seam.js';

/** Which build this is: `node` or `web`. */
export const PLATFORM: 'node' | 'web' = 'node';

/** The backend of the synchronous API: `node:crypto`. */
export const syncBackend: SyncCryptoBackend = nodeCryptoBackend;

/** The backend of the `…Async` entry points: on Node also `node:crypto` (same answers, faster). */
export const asyncBackend: CryptoBackend = nodeCryptoBackend;

/** Synchronous sha256 (key ids, fingerprints, Merkle hashing). */
export const sha256: (data: Uint8Array) => Uint8Array = nodeSha256;

/** Synchronous SHA-2 digest by name. */
export const digest: (algorithm: HashAlgorithm, data: Uint8Array) => Uint8Array = nodeDigest;

/** An incremental sha256 (fed piece by piece, so large inputs are not copied to be hashed). */
export const sha256Hasher = (): IncrementalHash => createHash('sha256');

/**
 * The `node:crypto` key of an SPKI for the model's compatibility fields (`TrustedKey.keyObject`,
 * `TrustedCertificate.publicKey`); `undefined` in the web build.
 */
export const runtimeKeyOf = (spki: Uint8Array): KeyObject | undefined => keyObjectOf(spki);
