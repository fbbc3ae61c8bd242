/**
 * `@flareo/bundle-verify/node` (Node only): the parts that need Node itself. A pool of
 * verifiers on worker threads (`createVerifierPool`), the loading of trust material given
 * as text, as the workers and the CLI do (`loadTrustInputs`), and digesting an artifact that
 * arrives as a stream (`artifactFromStream`). Verification itself is the main entry, the
 * same in every runtime.
 */
export type { VerifierPool, VerifierPoolOptions } from './pool.js';
export { createVerifierPool } from './pool.js';
export { artifactFromStream } from './stream.js';
export type { TrustInput } from './trust-input.js';
export { loadTrustInputs } from './trust-input.js';
