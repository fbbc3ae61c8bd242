// Entry of `dist/vendor/re2js.cjs`: RE2 regular expressions, loaded on first use by
// src/lazy/re2js.ts.
export { RE2JS } from 're2js';
