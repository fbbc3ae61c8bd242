// Entry of `dist/vendor/noble-curves.cjs`: the curves of @noble/curves that the libraries
// import, loaded on first use by src/lazy/noble-curves.ts.
export { ed25519 } from '@noble/curves/ed25519.js';
export { p256, p384, p521 } from '@noble/curves/nist.js';
