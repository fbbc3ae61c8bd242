// Stand-in for `undici` in the bundled commands (see forward.ts and tsup.config.ts).
// @flareo/image-verify imports undici on a registry source's first request and uses its
// `fetch` only; undici is about 1 MB of code, which `flareo verify-image` of an OCI layout never
// runs, so the bundles leave it in `dist/vendor/undici.cjs` and load it on the first call.
import { vendored } from './forward.js';

type Fetch = (input: unknown, init?: unknown) => Promise<unknown>;

const load = vendored<{ fetch: Fetch }>('undici.cjs');

/** undici's `fetch`, loaded on first call. */
export function fetch(input: unknown, init?: unknown): Promise<unknown> {
  return load().fetch(input, init);
}
