import type { HashAlgorithm } from '../keys.js';
import { asyncBackend, digest, PLATFORM, sha256, syncBackend } from './platform.js';
import type { CryptoBackend, CryptoTask, SyncCryptoBackend } from './seam.js';

/** The crypto this build of the package uses (chosen by the package's export conditions). */
export interface PlatformCrypto {
  /** `node` (the `node` condition: `node:crypto`) or `web` (every other runtime). */
  readonly platform: 'node' | 'web';
  /** Answers the synchronous API: `node:crypto` on Node, @noble (ECDSA, Ed25519) elsewhere. */
  readonly sync: SyncCryptoBackend;
  /** Answers the `…Async` entry points: `node:crypto` on Node, WebCrypto elsewhere. */
  readonly async: CryptoBackend;
  /** Synchronous sha256: `node:crypto` on Node, @noble/hashes elsewhere. */
  readonly sha256: (data: Uint8Array) => Uint8Array;
  /** Synchronous SHA-2 digest by name, from the same library as `sha256`. */
  readonly digest: (algorithm: HashAlgorithm, data: Uint8Array) => Uint8Array;
}

/**
 * The backends behind this build's synchronous and asynchronous APIs, for packages that
 * write their checks as {@link CryptoTask}s (`@flareo/rekor-set`, `@flareo/bundle-verify`)
 * and run them with `runCryptoSync(task, platformCrypto.sync)` or
 * `runCryptoAsync(task, platformCrypto.async)`.
 */
export const platformCrypto: PlatformCrypto = Object.freeze({
  platform: PLATFORM,
  sync: syncBackend,
  async: asyncBackend,
  sha256,
  digest,
});
