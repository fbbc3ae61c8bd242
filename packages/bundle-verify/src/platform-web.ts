// The platform module of bundle-verify's browser/worker build (export conditions `browser`,
// `worker`, `workerd`, `default`): trust-root's backends for this runtime (WebCrypto for the
// `…Async` methods, @noble for the synchronous ones). Same names and types as `platform.ts`;
// no `node:` import.

import { type CryptoBackend, platformCrypto, type SyncCryptoBackend } from '@flareo/trust-root';
import { sha1 as nobleSha1 } from '@noble/hashes/legacy.js';

/** Which build this is. */
export const PLATFORM: 'node' | 'web' = 'web';

/** @noble (ECDSA, Ed25519; an RSA check throws CRYPTO_UNAVAILABLE: use the async methods). */
export const syncBackend: SyncCryptoBackend = platformCrypto.sync;

/** WebCrypto, @noble where WebCrypto lacks an operation. */
export const asyncBackend: CryptoBackend = platformCrypto.async;

/** SHA-1, for ESS signingCertificate (v1) certificate hashes only. */
export const sha1 = (data: Uint8Array): Uint8Array => nobleSha1(data);
