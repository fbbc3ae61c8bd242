/**
 * `@flareo/trust-root/tuf`: keep Sigstore's trusted root current through TUF (Node only).
 *
 * The main entry never imports this module, so browsers and verification code never load
 * tuf-js or touch the network or the file system. Fetch with {@link updateTufTrustedRoot}
 * (network and disk), read the last good result with {@link readTufTrustedRoot} (disk only),
 * then parse it with `parseTrustedRoot` and verify offline as usual.
 */
export type { TufProvenance, TufRoleState, TufTargetState } from './cache.js';
export { defaultTufCacheDir, mirrorCacheName } from './cache.js';
export type {
  TufCacheOptions,
  TufTrustedRoot,
  TufUpdateOptions,
  TufUpdateResult,
} from './update.js';
export {
  normalizeMirror,
  readTufTrustedRoot,
  SIGSTORE_TUF_MIRROR,
  sigstoreTufRoot,
  TRUSTED_ROOT_TARGET,
  tufCacheLocation,
  updateTufTrustedRoot,
} from './update.js';
