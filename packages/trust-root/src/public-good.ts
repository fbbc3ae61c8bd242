import { PUBLIC_GOOD_SOURCE, PUBLIC_GOOD_TRUSTED_ROOT_JSON } from './generated/public-good.js';
import type { TrustRoot } from './model.js';
import { parseTrustedRoot } from './trusted-root.js';

let cached: TrustRoot | undefined;

/**
 * The Sigstore public-good trusted root (Fulcio CAs, Rekor v1 and v2 logs, CT logs, TSA),
 * embedded at build time from the TUF seeds that `@sigstore/tuf` ships, so it is available
 * with no network access. Parsed on first use and cached.
 *
 * It is as fresh as this package's release. To refresh it, fetch the current one through TUF
 * with `updateTufTrustedRoot` from `@flareo/trust-root/tuf` (Node) and read it back offline
 * with `readTufTrustedRoot`, or fetch a newer `trusted_root.json` yourself; then pass it to
 * `parseTrustedRoot`.
 */
export function publicGoodTrustRoot(): TrustRoot {
  cached ??= parseTrustedRoot(PUBLIC_GOOD_TRUSTED_ROOT_JSON, { name: 'sigstore public-good' });
  return cached;
}

/** The embedded public-good `trusted_root.json` text and where it came from. */
export const publicGoodTrustedRootJson: { readonly json: string; readonly source: string } =
  Object.freeze({ json: PUBLIC_GOOD_TRUSTED_ROOT_JSON, source: PUBLIC_GOOD_SOURCE });
