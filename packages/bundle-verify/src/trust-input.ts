import {
  mergeTrustRoots,
  type PemTrustBundleOptions,
  parsePemTrustBundle,
  parseTrustedRoot,
  publicGoodTrustRoot,
  type TrustedRootOptions,
  type TrustRoot,
} from '@flareo/trust-root';
import { argumentError, requireRecord } from './arguments.js';

/**
 * Trust material as text: what a caller read from a file or received from another thread.
 * It can be sent to worker threads (each parses it once) and is loaded by
 * {@link loadTrustInputs}.
 */
export type TrustInput =
  | { readonly kind: 'pem'; readonly text: string; readonly options?: PemTrustBundleOptions }
  | { readonly kind: 'trusted-root'; readonly json: string; readonly options?: TrustedRootOptions }
  | { readonly kind: 'public-good' };

/** One trust input: PEM text, trusted_root.json text, or the public-good root. */
export function checkTrustInput(fn: string, parameter: string, value: unknown): void {
  const t = requireRecord(fn, parameter, value);
  const ok =
    (t.kind === 'pem' && typeof t.text === 'string') ||
    (t.kind === 'trusted-root' && typeof t.json === 'string') ||
    t.kind === 'public-good';
  if (!ok) {
    throw argumentError(
      fn,
      parameter,
      "{ kind: 'pem', text } | { kind: 'trusted-root', json } | { kind: 'public-good' }",
      value,
      'trust',
    );
  }
  if (t.options !== undefined) requireRecord(fn, `${parameter}.options`, t.options);
}

/** A list of trust inputs, checked item by item. */
export function checkTrustInputs(fn: string, parameter: string, value: unknown): void {
  if (!Array.isArray(value)) throw argumentError(fn, parameter, 'an array', value, 'trust');
  value.forEach((t: unknown, i: number) => {
    checkTrustInput(fn, `${parameter}[${i}]`, t);
  });
}

/**
 * Parse trust inputs into one {@link TrustRoot} for {@link createVerifier}: PEM bundles with
 * `@flareo/trust-root`'s `parsePemTrustBundle`, trusted_root.json text with
 * `parseTrustedRoot`, `public-good` as the embedded Sigstore public-good root; several inputs
 * are merged (`mergeTrustRoots`), one is returned as parsed. Pure: it reads no file and no
 * network; the caller reads the text. The verifier pool's workers load their trust with it.
 *
 * @throws BundleVerifyError `ARGUMENT_INVALID` when `inputs` is not an array of trust inputs.
 * @throws TrustRootError of the first input that does not parse, unchanged; its
 *   `detail.source` is the input's `options.name` when one was given.
 */
export function loadTrustInputs(inputs: readonly TrustInput[]): TrustRoot {
  const fn = 'loadTrustInputs';
  checkTrustInputs(fn, 'inputs', inputs);
  const roots = inputs.map((input) =>
    input.kind === 'pem'
      ? parsePemTrustBundle(input.text, input.options)
      : input.kind === 'trusted-root'
        ? parseTrustedRoot(input.json, input.options)
        : publicGoodTrustRoot(),
  );
  return roots.length === 1 ? (roots[0] as TrustRoot) : mergeTrustRoots(...roots);
}
