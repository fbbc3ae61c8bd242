import { createHash } from 'node:crypto';
import { argumentError } from './arguments.js';
import type { DigestAlgorithm } from './input.js';

const DIGEST_ALGORITHMS: readonly unknown[] = ['sha256', 'sha384', 'sha512'];

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
