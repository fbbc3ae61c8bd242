// Entry of `dist/vendor/noble-hashes.cjs`: the SHA-2 functions of @noble/hashes that the
// libraries import, loaded on first use by src/lazy/noble-hashes.ts.
export { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
