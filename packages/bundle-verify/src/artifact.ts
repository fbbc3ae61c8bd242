import { createHash } from 'node:crypto';
import { argumentError } from './arguments.js';
import { BundleVerifyError } from './errors.js';
import type { DigestAlgorithm } from './input.js';

/**
 * The artifact a signature is about: its bytes, or only its digest (`sha256:<hex>`,
 * `sha384:<hex>`, `sha512:<hex>`) when the caller has no bytes (then only digest-based
 * checks are possible: ECDSA and RSA PKCS#1 v1.5 message signatures, DSSE subjects).
 */
export type ArtifactInput =
  | Uint8Array
  | { readonly bytes: Uint8Array }
  | { readonly digest: string };

const DIGEST_ALGORITHMS: readonly unknown[] = ['sha256', 'sha384', 'sha512'];

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
      this.#digests.set(
        m[1] as DigestAlgorithm,
        new Uint8Array(Buffer.from(m[2] as string, 'hex')),
      );
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
      d = createHash(algorithm).update(this.bytes).digest();
      this.#digests.set(algorithm, d);
    }
    return d;
  }

  /** Algorithms for which a digest is known or computable. */
  algorithms(): DigestAlgorithm[] {
    return this.bytes ? ['sha256', 'sha384', 'sha512'] : [...this.#digests.keys()];
  }
}

/**
 * Digest an artifact that arrives as a stream (a file too large to hold, an HTTP body) and
 * return it as an {@link ArtifactInput} for the verifier. The stream is read once; SHA-256
 * is always computed, SHA-384/SHA-512 when asked (in-toto subjects may use SHA-512).
 */
export async function artifactFromStream(
  stream: AsyncIterable<Uint8Array | string>,
  algorithm: DigestAlgorithm = 'sha256',
): Promise<{ readonly digest: string }> {
  const fn = 'artifactFromStream';
  const iterable =
    typeof stream === 'object' &&
    stream !== null &&
    !(stream instanceof Uint8Array) &&
    (typeof (stream as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function' ||
      typeof (stream as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function');
  if (!iterable) {
    throw argumentError(fn, 'stream', 'an async iterable of Uint8Array or string chunks', stream);
  }
  if (!DIGEST_ALGORITHMS.includes(algorithm)) {
    throw argumentError(fn, 'algorithm', 'sha256, sha384 or sha512', algorithm);
  }
  const hash = createHash(algorithm);
  for await (const chunk of stream) {
    if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
      throw argumentError(fn, 'stream chunk', 'a Uint8Array or a string', chunk);
    }
    hash.update(chunk);
  }
  return { digest: `${algorithm}:${hash.digest('hex')}` };
}
