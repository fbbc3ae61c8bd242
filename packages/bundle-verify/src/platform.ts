// The platform module of bundle-verify's Node build (export condition `node`). The web build
// (`dist/web/`, every other condition) is the same source with this one module swapped for
// `platform-web.ts` (see tsup.config.ts); both export the same names with the same types.
//
// On Node the seam's requests are answered by trust-root's Node backend (`node:crypto`, keys
// imported once per SPKI by the fastest exact route). An EC key's point is checked to be on its
// curve by `ec-point.ts` (@noble/curves, a few µs), as in the web build, so that a key is only
// imported when a signature check needs it (a verified-signature cache answers without it).

import { createHash } from 'node:crypto';
import { type CryptoBackend, platformCrypto, type SyncCryptoBackend } from '@flareo/trust-root';

/** Which build this is. */
export const PLATFORM: 'node' | 'web' = 'node';

/** `node:crypto`, synchronous: answers both the synchronous and the `…Async` methods on Node. */
export const syncBackend: SyncCryptoBackend = platformCrypto.sync;

/** On Node the asynchronous methods use the same backend (same answers, no extra cost). */
export const asyncBackend: CryptoBackend = syncBackend;

/** SHA-1, for ESS signingCertificate (v1) certificate hashes only. */
export const sha1 = (data: Uint8Array): Uint8Array =>
  new Uint8Array(createHash('sha1').update(data).digest());
