import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Artifact } from '../src/artifact.js';
import { BundleVerifyError } from '../src/errors.js';
import { artifactFromStream } from '../src/node.js';

const data = new TextEncoder().encode('a large module bundle, streamed in pieces\n'.repeat(1000));

describe('artifact inputs', () => {
  it('a stream gives the same digest as the bytes', async () => {
    const chunks = [data.subarray(0, 1000), data.subarray(1000, 20000), data.subarray(20000)];
    const input = await artifactFromStream(Readable.from(chunks));
    expect(input.digest).toBe(`sha256:${createHash('sha256').update(data).digest('hex')}`);
    const fromStream = new Artifact(input);
    const fromBytes = new Artifact(data);
    expect(
      Buffer.from(fromStream.digest('sha256') ?? []).equals(
        Buffer.from(fromBytes.digest('sha256') ?? []),
      ),
    ).toBe(true);
    expect(fromStream.digest('sha512')).toBeUndefined();
    const sha512 = await artifactFromStream(Readable.from([data]), 'sha512');
    expect(sha512.digest).toBe(`sha512:${createHash('sha512').update(data).digest('hex')}`);
  });

  it.each([
    ['no algorithm', { digest: 'abcd' }],
    ['short digest', { digest: 'sha256:abcd' }],
    ['unknown algorithm', { digest: `md5:${'0'.repeat(32)}` }],
    ['not hex', { digest: `sha256:${'z'.repeat(64)}` }],
    ['not an artifact', 42],
  ])('rejects %s with ARGUMENT_INVALID', (_name, input) => {
    expect(() => new Artifact(input as never)).toThrow(BundleVerifyError);
  });
});
