import { syncBackend } from './crypto/platform.js';
import { runCryptoSync } from './crypto/seam.js';
import {
  PUBLIC_GOOD_PASSED_CHECKS,
  PUBLIC_GOOD_SOURCE,
  PUBLIC_GOOD_TRUSTED_ROOT_JSON,
} from './generated/public-good.js';
import type { TrustRoot } from './model.js';
import { type PrecheckedBackend, precheckedBackend } from './prechecked.js';
import { trustedRootTask } from './trusted-root.js';

let cached: TrustRoot | undefined;

/**
 * The embedded root, parsed by the same code as `parseTrustedRoot` with two differences that
 * change no result, only when work happens (internal; the tests compare it with
 * `parseTrustedRoot` of the same text):
 * - its certificate signatures were verified when the package was built (by `node:crypto`,
 *   in `scripts/generate-public-good.mjs`): the checks recorded there are answered from the
 *   record; any other check is verified as usual;
 * - its keys are imported into `node:crypto` when first used rather than all at load;
 * - its schema validation is skipped: the same text passes it in every full parse the tests
 *   make of it (and `parseTrustedRoot` of it stays fully checked).
 */
export function loadPublicGood(): { root: TrustRoot; backend: PrecheckedBackend } {
  const backend = precheckedBackend(new Set(PUBLIC_GOOD_PASSED_CHECKS), syncBackend);
  const root = runCryptoSync(
    trustedRootTask(
      'parseTrustedRoot',
      PUBLIC_GOOD_TRUSTED_ROOT_JSON,
      { name: 'sigstore public-good' },
      { deferRuntimeKey: true, schemaChecked: true },
    ),
    backend,
  );
  return { root, backend };
}

/**
 * The Sigstore public-good trusted root (Fulcio CAs, Rekor v1 and v2 logs, CT logs, TSA),
 * embedded at build time from the TUF seeds that `@sigstore/tuf` ships, so it is available
 * with no network access. Parsed on first use and cached. Its certificate chains were
 * verified when this package was built, so loading it verifies no signature again, and its
 * keys are imported into `node:crypto` on first use; the result is the same as
 * `parseTrustedRoot(publicGoodTrustedRootJson.json, { name: 'sigstore public-good' })`.
 *
 * It is as fresh as this package's release. To refresh it, fetch the current one through TUF
 * with `updateTufTrustedRoot` from `@flareo/trust-root/tuf` (Node) and read it back offline
 * with `readTufTrustedRoot`, or fetch a newer `trusted_root.json` yourself; then pass it to
 * `parseTrustedRoot`.
 */
export function publicGoodTrustRoot(): TrustRoot {
  cached ??= loadPublicGood().root;
  return cached;
}

/** The embedded public-good `trusted_root.json` text and where it came from. */
export const publicGoodTrustedRootJson: { readonly json: string; readonly source: string } =
  Object.freeze({ json: PUBLIC_GOOD_TRUSTED_ROOT_JSON, source: PUBLIC_GOOD_SOURCE });
