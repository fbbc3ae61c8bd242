// Stand-in for `@noble/curves/nist.js` and `@noble/curves/ed25519.js` in the bundled commands
// (see forward.ts and tsup.config.ts). @noble/curves builds its fields, curves and
// precomputed tables when it is loaded: some 5 ms of every `flareo verify` start, measured,
// while on Node a verification uses it only for what node:crypto lacks (ECDSA over a given
// digest, EC points in compressed form); the keys of trusted roots and signing certificates are
// checked with the curve equation instead (`@flareo/internal/ec-curve`). The bundles leave it
// in `dist/vendor/noble-curves.cjs` and load it on first use.
import { forward, vendored } from './forward.js';

interface NobleCurves {
  readonly p256: object;
  readonly p384: object;
  readonly p521: object;
  readonly ed25519: object;
}

const load = vendored<NobleCurves>('noble-curves.cjs');

export const p256 = forward(() => load().p256);
export const p384 = forward(() => load().p384);
export const p521 = forward(() => load().p521);
export const ed25519 = forward(() => load().ed25519);
