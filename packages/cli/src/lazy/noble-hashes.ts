// Stand-in for `@noble/hashes/sha2.js` in the bundled commands (see forward.ts and
// tsup.config.ts). The libraries hash with node:crypto on Node; @noble/hashes' SHA-2 serves
// the other runtimes and a few runtime-neutral uses (VEX merge ids, policy config hashes), and
// builds its round-constant tables when loaded. The bundles leave it in
// `dist/vendor/noble-hashes.cjs` and load it on first use.
import { forward, vendored } from './forward.js';

interface NobleSha2 {
  readonly sha256: object;
  readonly sha384: object;
  readonly sha512: object;
}

const load = vendored<NobleSha2>('noble-hashes.cjs');

export const sha256 = forward(() => load().sha256);
export const sha384 = forward(() => load().sha384);
export const sha512 = forward(() => load().sha512);
