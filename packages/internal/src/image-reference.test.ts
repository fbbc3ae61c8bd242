import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatImageReference,
  type ImageReferenceParts,
  normalizeRepositoryUrl,
  parseImageReference,
} from './image-reference.js';

const D = `sha256:${'a1'.repeat(32)}`;

function parsed(text: string, mode: 'strict' | 'lax'): ImageReferenceParts {
  const r = parseImageReference(text, mode);
  if (!r.ok) throw new Error(`${text} (${mode}): ${r.reason}`);
  return r.reference;
}

function reason(text: string, mode: 'strict' | 'lax'): string | undefined {
  const r = parseImageReference(text, mode);
  return r.ok ? undefined : r.reason;
}

describe('parseImageReference, strict', () => {
  it.each([
    ['alpine', { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' }],
    ['flareo/demo:v1', { registry: 'docker.io', repository: 'flareo/demo', tag: 'v1' }],
    ['index.docker.io/flareo/demo', { registry: 'docker.io', repository: 'flareo/demo' }],
    // Only index.docker.io is Docker Hub's other name here, as in go-containerregistry.
    ['registry-1.docker.io/a/b', { registry: 'registry-1.docker.io', repository: 'a/b' }],
    [`ghcr.io/flareo/demo@${D}`, { registry: 'ghcr.io', repository: 'flareo/demo', digest: D }],
    ['localhost/demo', { registry: 'localhost', repository: 'demo' }],
    ['[::1]:5000/demo:x', { registry: '[::1]:5000', repository: 'demo', tag: 'x' }],
  ] as const)('%s', (text, expected) => {
    expect(parsed(text, 'strict')).toMatchObject(expected);
  });

  it('assumes no tag when a digest is given', () => {
    expect(parsed(`ghcr.io/a/b@${D}`, 'strict').tag).toBeUndefined();
  });

  it.each([
    ['', 'empty'],
    ['UPPER/case', 'bad repository component "UPPER"'],
    ['ghcr.io/a/b:', 'bad tag ""'],
    ['ghcr.io/a/b@sha256:abc', 'the digest must be sha256:<64 hex> or sha512:<128 hex>'],
    ['ghcr.io/a//b', 'bad repository component ""'],
    ['bad_host.io:99999999/a', 'bad registry host "bad_host.io:99999999"'],
    [`ghcr.io/${'a'.repeat(128)}/${'b'.repeat(127)}`, 'repository longer than 255 characters'],
    [`ghcr.io/${'a'.repeat(600)}`, 'longer than 512 characters'],
  ])('refuses %j: %s', (text, why) => {
    expect(reason(text, 'strict')).toBe(why);
  });
});

describe('parseImageReference, lax', () => {
  it.each([
    ['alpine:3.19', { registry: 'docker.io', repository: 'library/alpine', tag: '3.19' }],
    ['Docker.IO/Alpine', { registry: 'docker.io', repository: 'library/alpine' }],
    [
      'registry-1.docker.io/library/alpine',
      { registry: 'docker.io', repository: 'library/alpine' },
    ],
    ['registry.hub.docker.com/team/app', { registry: 'docker.io', repository: 'team/app' }],
    ['https://GHCR.io/Org/App:V1', { registry: 'ghcr.io', repository: 'org/app', tag: 'V1' }],
    [`ghcr.io/a/b:v1@${D}`, { registry: 'ghcr.io', repository: 'a/b', tag: 'v1', digest: D }],
    ['localhost:5000/app', { registry: 'localhost:5000', repository: 'app' }],
  ] as const)('%s', (text, expected) => {
    expect(parsed(text, 'lax')).toEqual(expected);
  });

  it('takes what strict mode refuses, and refuses only text without a repository', () => {
    expect(parsed('UPPER/case@sha256:abc', 'lax')).toEqual({
      registry: 'docker.io',
      repository: 'upper/case',
      digest: 'sha256:abc',
    });
    expect(reason('', 'lax')).toBe('empty');
    expect(reason('https://', 'lax')).toBe('no repository');
  });
});

describe('normalizeRepositoryUrl', () => {
  it.each([
    ['index.docker.io/library/alpine', 'alpine', 'docker.io/library/alpine'],
    ['docker.io/library', 'alpine', 'docker.io/library/alpine'],
    ['registry-1.docker.io/library/alpine', 'alpine', 'docker.io/library/alpine'],
    ['docker.io/alpine', 'alpine', 'docker.io/library/alpine'],
    ['library/alpine', 'alpine', 'docker.io/library/alpine'],
    ['alpine', 'alpine', 'docker.io/library/alpine'],
    ['https://GHCR.io/aquasecurity/trivy/', 'trivy', 'ghcr.io/aquasecurity/trivy'],
    ['ghcr.io/aquasecurity', 'trivy', 'ghcr.io/aquasecurity/trivy'],
    ['ghcr.io', 'trivy', 'ghcr.io/trivy'],
    ['localhost:5000/team', 'app', 'localhost:5000/team/app'],
  ])('%s (%s) → %s', (url, name, expected) => {
    expect(normalizeRepositoryUrl(url, name)).toBe(expected);
  });
});

/** A repository path component of the distribution grammar. */
const component = fc
  .tuple(
    fc.stringMatching(/^[a-z0-9]{1,8}$/),
    fc.array(
      fc.tuple(fc.constantFrom('.', '_', '__', '-', '--'), fc.stringMatching(/^[a-z0-9]{1,8}$/)),
      { maxLength: 2 },
    ),
  )
  .map(([head, rest]) => head + rest.map(([sep, part]) => sep + part).join(''));

const reference = fc.record({
  registry: fc.constantFrom(
    undefined,
    'docker.io',
    'index.docker.io',
    'ghcr.io',
    'localhost:5000',
    'registry.example:443',
  ),
  path: fc.array(component, { minLength: 1, maxLength: 4 }),
  tag: fc.option(fc.stringMatching(/^[\w][\w.-]{0,20}$/), { nil: undefined }),
  digest: fc.option(fc.stringMatching(/^[a-f0-9]{64}$/), { nil: undefined }),
});

/** Whether the first path segment would be read as a host (only when no registry is given). */
const hostLike = (r: { registry: string | undefined; path: string[] }) =>
  r.registry === undefined && (r.path[0] as string).includes('.');

function text(r: {
  registry: string | undefined;
  path: string[];
  tag: string | undefined;
  digest: string | undefined;
}): string {
  return `${r.registry === undefined ? '' : `${r.registry}/`}${r.path.join('/')}${
    r.tag === undefined ? '' : `:${r.tag}`
  }${r.digest === undefined ? '' : `@sha256:${r.digest}`}`;
}

describe('image references: properties', () => {
  it('strict: the formatted form parses back to the same parts', () => {
    fc.assert(
      fc.property(reference, (r) => {
        fc.pre(!hostLike(r));
        const first = parsed(text(r), 'strict');
        expect(parsed(formatImageReference(first), 'strict')).toEqual(first);
      }),
    );
  });

  it('lax agrees with strict on what strict accepts (but assumes no tag)', () => {
    fc.assert(
      fc.property(reference, (r) => {
        fc.pre(!hostLike(r));
        const strict = parsed(text(r), 'strict');
        const lax = parsed(text(r), 'lax');
        expect(lax.registry).toBe(strict.registry);
        expect(lax.repository).toBe(strict.repository);
        expect(lax.digest).toBe(strict.digest);
        expect(lax.tag).toBe(r.tag);
      }),
    );
  });

  it('lax: spellings of the same repository parse alike, and parsing is idempotent', () => {
    fc.assert(
      fc.property(reference, fc.constantFrom('', 'https://', 'HTTP://'), (r, scheme) => {
        const base = parsed(text(r), 'lax');
        const spelled = parsed(
          `${scheme}${text(r)
            .toUpperCase()
            .replace(/@SHA256:/, '@sha256:')}`,
          'lax',
        );
        expect(spelled.registry).toBe(base.registry);
        expect(spelled.repository).toBe(base.repository);
        expect(parsed(formatImageReference(base), 'lax')).toEqual(base);
      }),
    );
  });

  it('normalizeRepositoryUrl gives the lax repository, with or without the image name', () => {
    fc.assert(
      fc.property(reference, (r) => {
        // One segment with a dot is a repository in a reference, a host in a repository_url.
        fc.pre(!hostLike(r));
        const lax = parsed(text({ ...r, tag: undefined, digest: undefined }), 'lax');
        const name = r.path[r.path.length - 1] as string;
        const full = `${lax.registry}/${lax.repository}`;
        expect(
          normalizeRepositoryUrl(text({ ...r, tag: undefined, digest: undefined }), name),
        ).toBe(full);
        expect(normalizeRepositoryUrl(full, name)).toBe(full);
      }),
    );
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.constantFrom('strict', 'lax') as fc.Arbitrary<'strict' | 'lax'>,
        (t, mode) => {
          const r = parseImageReference(t, mode);
          expect(typeof r.ok).toBe('boolean');
        },
      ),
    );
  });
});
