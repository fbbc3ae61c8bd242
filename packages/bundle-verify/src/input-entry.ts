/**
 * `@flareo/bundle-verify/input`: the parsing step on its own. `normalizeBundle` and
 * `normalizeKeyedSignature` turn every signature format into the one {@link NormalizedInput}
 * the pipeline verifies (`BundleVerifier.verifyNormalized`), for callers that inspect or
 * route an input before verifying it (the CLI looks up a Rekor entry for input without log
 * evidence), with the default input limits and the bundle media types. Everyday
 * verification needs only the main entry.
 */
export type { NormalizedInput, SignedContent, SignerMaterial } from './input.js';
export { DEFAULT_LIMITS, MEDIA_TYPES, normalizeBundle, normalizeKeyedSignature } from './input.js';
