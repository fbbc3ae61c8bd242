import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWwwAuthenticate } from '../src/conventions.js';
import { ImageVerifyError, openOciLayout, parseImageReference } from '../src/index.js';
import { policy, rejects, verifier } from './support/world.js';

const component = fc.stringMatching(/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/, { size: 'small' });
const tag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/);
const digest = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((b) => `sha256:${Buffer.from(b).toString('hex')}`);

describe('parsers never throw anything but their own error', () => {
  it('parseImageReference on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        try {
          parseImageReference(text);
        } catch (error) {
          expect(error).toBeInstanceOf(ImageVerifyError);
        }
      }),
    );
  });

  it('parseImageReference: canonical form round-trips', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('ghcr.io', '127.0.0.1:5000', 'registry.example.com', 'docker.io'),
        fc.array(component, { minLength: 1, maxLength: 3 }),
        fc.option(tag, { nil: undefined }),
        fc.option(digest, { nil: undefined }),
        (registry, parts, t, d) => {
          const text = `${registry}/${parts.join('/')}${t === undefined ? '' : `:${t}`}${d === undefined ? '' : `@${d}`}`;
          const repository =
            registry === 'docker.io' && parts.length === 1
              ? `library/${parts[0]}`
              : parts.join('/');
          if (repository.length > 255) {
            // The distribution spec caps repository names at 255 characters.
            expect(() => parseImageReference(text)).toThrow(/repository longer than 255/);
            return;
          }
          const parsed = parseImageReference(text);
          expect(parsed.repository).toBe(repository);
          expect(parseImageReference(parsed.canonical)).toEqual(parsed);
          expect(parsed.digest).toBe(d);
          if (t !== undefined) expect(parsed.tag).toBe(t);
        },
      ),
    );
  });

  it('parseWwwAuthenticate on arbitrary text never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (text) => {
        expect(Array.isArray(parseWwwAuthenticate(text))).toBe(true);
      }),
    );
  });

  it('parseWwwAuthenticate: quoted parameters round-trip', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/),
          fc.string({ maxLength: 20 }).filter((v) => !/[\r\n]/.test(v)),
          { minKeys: 1, maxKeys: 4 },
        ),
        (params) => {
          const header = `Bearer ${Object.entries(params)
            .map(([k, v]) => `${k}="${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`)
            .join(', ')}`;
          expect(parseWwwAuthenticate(header)).toEqual([{ scheme: 'bearer', params }]);
        },
      ),
    );
  });

  it('the layout reader on arbitrary index.json bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc.json().map((j) => new TextEncoder().encode(j)),
          fc
            .array(
              fc.record({
                mediaType: fc.string(),
                digest: fc.oneof(digest, fc.string()),
                size: fc.oneof(fc.integer(), fc.string()),
              }),
            )
            .map((manifests) =>
              new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, manifests })),
            ),
        ),
        async (index) => {
          const files = {
            'oci-layout': new TextEncoder().encode('{"imageLayoutVersion":"1.0.0"}'),
            'index.json': index,
          };
          try {
            await openOciLayout(files).collect();
            expect.unreachable('a layout without blobs cannot yield an image');
          } catch (error) {
            expect(error).toBeInstanceOf(ImageVerifyError);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('verifyImage refuses what is not a collected image', () => {
  it.each([null, {}, { digest: 'sha256:x' }, { digest: 1, signatures: [] }])('%j', async (bad) => {
    await rejects(() => verifier.verifyImage(bad as never, policy), 'ARGUMENT_INVALID');
  });
  it('requireAnnotations values must be strings', async () => {
    await rejects(
      () =>
        verifier.verifyImage(
          { reference: 'x', digest: 'sha256:x', mediaType: 'm', signatures: [] },
          {
            ...policy,
            requireAnnotations: { a: 1 as unknown as string },
          },
        ),
      'ARGUMENT_INVALID',
    );
  });
});
