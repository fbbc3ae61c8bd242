import { fromHex } from '@flareo/internal/bytes';
import { BundleVerifyError } from './errors.js';
import type { DigestAlgorithm } from './input.js';
import { digestOf } from './keys.js';

/**
 * The artifact a signature is about: its bytes, or only its digest (`sha256:<hex>`,
 * `sha384:<hex>`, `sha512:<hex>`) when the caller has no bytes (then only digest-based
 * checks are possible: ECDSA and RSA PKCS#1 v1.5 message signatures, DSSE subjects).
 */
export type ArtifactInput =
  | Uint8Array
  | { readonly bytes: Uint8Array }
  | { readonly digest: string };

/** An artifact with its digests computed on demand, once. */
export class Artifact {
  readonly bytes: Uint8Array | undefined;
  readonly #digests = new Map<DigestAlgorithm, Uint8Array>();

  constructor(input: ArtifactInput) {
    if (input instanceof Uint8Array) this.bytes = input;
    else if (
      typeof input === 'object' &&
      input !== null &&
      'bytes' in input &&
      input.bytes instanceof Uint8Array
    )
      this.bytes = input.bytes;
    else if (
      typeof input === 'object' &&
      input !== null &&
      'digest' in input &&
      typeof input.digest === 'string'
    ) {
      const m = /^(sha256|sha384|sha512):([0-9a-fA-F]+)$/.exec(input.digest);
      const lengths = { sha256: 64, sha384: 96, sha512: 128 } as const;
      if (!m || (m[2] as string).length !== lengths[m[1] as DigestAlgorithm]) {
        throw new BundleVerifyError(
          'ARGUMENT_INVALID',
          `artifact digest must look like "sha256:<64 hex>", got ${JSON.stringify(input.digest)}`,
          {
            step: 'parse',
            field: 'artifact.digest',
            expected: 'sha256:<hex> | sha384:<hex> | sha512:<hex>',
            actual: input.digest,
          },
        );
      }
      this.bytes = undefined;
      this.#digests.set(m[1] as DigestAlgorithm, fromHex(m[2] as string));
    } else {
      throw new BundleVerifyError(
        'ARGUMENT_INVALID',
        'artifact must be bytes, { bytes } or { digest: "sha256:<hex>" }',
        {
          step: 'parse',
          field: 'artifact',
          actual: typeof input,
        },
      );
    }
  }

  /** The artifact's digest, or undefined when only another algorithm's digest is known. */
  digest(algorithm: DigestAlgorithm): Uint8Array | undefined {
    let d = this.#digests.get(algorithm);
    if (!d && this.bytes) {
      d = digestOf(algorithm, this.bytes);
      this.#digests.set(algorithm, d);
    }
    return d;
  }

  /** Algorithms for which a digest is known or computable. */
  algorithms(): DigestAlgorithm[] {
    return this.bytes ? ['sha256', 'sha384', 'sha512'] : [...this.#digests.keys()];
  }
}
