// Entry of `dist/vendor/undici.cjs`: undici's `fetch`, for the registry sources of
// `flareo verify-image`, loaded on a registry source's first request by src/lazy/undici.ts.
export { fetch } from 'undici';
