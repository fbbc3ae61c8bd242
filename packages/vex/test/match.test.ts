import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { comparePurls, normalizeHash, parsePurl, purlMatches } from '../src/advanced.js';
import { normalizeDigest } from '../src/purl.js';

const HEX = 'a'.repeat(40) + 'b'.repeat(24);

describe('purl matching', () => {
  it.each([
    ['pkg:npm/a', 'pkg:npm/a@1.0.0', true],
    ['pkg:npm/a@1.0.0', 'pkg:npm/a@1.0.0', true],
    ['pkg:npm/a@1.0.0', 'pkg:npm/a@1.0.1', false],
    ['pkg:npm/a@1.0.0', 'pkg:npm/a', false],
    ['pkg:npm/a', 'pkg:npm/b@1', false],
    ['pkg:deb/debian/bash?arch=amd64', 'pkg:deb/debian/bash@5?arch=amd64&distro=debian-12', true],
    ['pkg:deb/debian/bash?distro=debian-12', 'pkg:deb/debian/bash@5?distro=debian-12.13', false],
    ['pkg:npm/%40scope/x@1.0.0', 'pkg:npm/@scope/x@1.0.0', true],
    [
      'pkg:golang/github.com/a/b@v1.0.0%2Bincompatible',
      'pkg:golang/github.com/a/b@v1.0.0+incompatible',
      true,
    ],
    ['pkg:maven/g/a@1#sub', 'pkg:maven/g/a@1', true],
    ['pkg:pypi/Django_X@1.0', 'pkg:pypi/django-x@1.0', true],
    ['not a purl', 'pkg:npm/a', false],
  ])('%s vs %s → %s', (vex, scanner, expected) => {
    expect(purlMatches(vex, scanner)).toBe(expected);
  });

  it('names the differing field', () => {
    const vex = parsePurl('pkg:deb/debian/bash?distro=debian-12')!;
    const sc = parsePurl('pkg:deb/debian/bash@5?distro=debian-12.13')!;
    expect(comparePurls(vex, sc)).toEqual({
      field: 'qualifier',
      qualifier: 'distro',
      expected: 'debian-12',
      actual: 'debian-12.13',
    });
    expect(comparePurls(parsePurl('pkg:deb/debian/bash@4')!, sc)).toEqual({
      field: 'version',
      expected: '4',
      actual: '5',
    });
  });
});

describe('OCI identity', () => {
  // The shapes themselves are tested with the shared parser (@flareo/internal's
  // image-reference tests); here, that a parsed OCI purl carries the normalized form.
  it.each([
    ['index.docker.io/library/alpine', 'alpine', 'docker.io/library/alpine'],
    ['https://GHCR.io/aquasecurity/trivy/', 'trivy', 'ghcr.io/aquasecurity/trivy'],
    ['localhost:5000/team', 'app', 'localhost:5000/team/app'],
  ])('repository_url %s (%s) → %s', (url, name, expected) => {
    const purl = parsePurl(`pkg:oci/${name}?repository_url=${encodeURIComponent(url)}`);
    expect(purl?.qualifiers.get('repository_url')).toBe(expected);
  });

  it('matches digests with sha256: or bare hex, any encoding', () => {
    expect(normalizeDigest(HEX)).toBe(`sha256:${HEX}`);
    expect(normalizeDigest(`SHA256:${HEX.toUpperCase()}`)).toBe(`sha256:${HEX}`);
    expect(purlMatches(`pkg:oci/app@sha256%3A${HEX}`, `pkg:oci/app@sha256:${HEX}`)).toBe(true);
    expect(purlMatches(`pkg:oci/app@${HEX}`, `pkg:oci/app@sha256:${HEX}`)).toBe(true);
    expect(purlMatches(`pkg:oci/app@sha256:sha256:${HEX}`, `pkg:oci/app@sha256:${HEX}`)).toBe(
      false,
    );
  });

  it('matches repository_url shapes and Docker Hub aliases', () => {
    const scanner = `pkg:oci/alpine@sha256:${HEX}?repository_url=index.docker.io%2Flibrary%2Falpine&arch=amd64`;
    for (const url of [
      'docker.io/library',
      'docker.io%2Flibrary%2Falpine',
      'registry-1.docker.io/library/alpine',
    ]) {
      expect(purlMatches(`pkg:oci/alpine?repository_url=${url}`, scanner), url).toBe(true);
    }
    expect(purlMatches('pkg:oci/alpine?repository_url=ghcr.io/library/alpine', scanner)).toBe(
      false,
    );
    expect(purlMatches('pkg:oci/alpine?arch=arm64', scanner)).toBe(false);
  });
});

describe('hashes', () => {
  it.each([
    [`sha256:${HEX}`, undefined, `sha256:${HEX}`],
    [HEX, undefined, `sha256:${HEX}`],
    [HEX.toUpperCase(), 'sha-256', `sha256:${HEX}`],
    [`sha-256:${HEX}`, undefined, `sha256:${HEX}`],
    ['a'.repeat(40), 'sha1', `sha1:${'a'.repeat(40)}`],
    ['abc', 'sha3-256', 'sha3-256:abc'],
    ['xyz', undefined, undefined],
    [`sha512:${HEX}`, 'sha-256', undefined],
  ])('%s (%s) → %s', (value, algo, expected) => {
    expect(normalizeHash(value, algo)).toBe(expected);
  });
});

// Property-based: generate purl components, write them with different but equivalent
// encodings, and check the matching rules hold for every combination.
const segment = fc.stringMatching(/^[a-z][a-z0-9._-]{0,11}$/);
const version = fc.stringMatching(/^[0-9][0-9a-z.+:~-]{0,11}$/);
const qualKey = fc.constantFrom('arch', 'distro', 'os', 'tag', 'type');
const qualValue = fc.stringMatching(/^[a-z0-9][a-z0-9.:+/-]{0,10}$/);
const purlParts = fc.record({
  type: fc.constantFrom('npm', 'deb', 'apk', 'golang', 'maven', 'generic'),
  namespace: segment as fc.Arbitrary<string | undefined>,
  name: segment,
  version,
  qualifiers: fc.dictionary(qualKey, qualValue, { maxKeys: 4 }),
});
type Parts = typeof purlParts extends fc.Arbitrary<infer T> ? T : never;

function encode(s: string, aggressive: boolean, upper: boolean): string {
  const out = aggressive
    ? [...s]
        .map((ch) =>
          /[a-z0-9]/.test(ch) ? ch : `%${ch.charCodeAt(0).toString(16).padStart(2, '0')}`,
        )
        .join('')
    : encodeURIComponent(s);
  return upper
    ? out.replace(/%[0-9a-f]{2}/g, (m) => m.toUpperCase())
    : out.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
}

function write(
  p: Parts,
  opts: {
    version: boolean;
    qualifiers: Record<string, string>;
    aggressive: boolean;
    upper: boolean;
  },
): string {
  const e = (s: string) => encode(s, opts.aggressive, opts.upper);
  const ns = p.namespace ? `${e(p.namespace)}/` : '';
  const v = opts.version ? `@${e(p.version)}` : '';
  const keys = Object.keys(opts.qualifiers).sort();
  const q = keys.length
    ? `?${keys.map((k) => `${k}=${e(opts.qualifiers[k] as string)}`).join('&')}`
    : '';
  return `pkg:${p.type}/${ns}${e(p.name)}${v}${q}`;
}

describe('purl matching properties', () => {
  it('percent-encoding differences never matter', () => {
    fc.assert(
      fc.property(purlParts, fc.boolean(), fc.boolean(), fc.boolean(), (p, a, b, c) => {
        const x = write(p, { version: true, qualifiers: p.qualifiers, aggressive: a, upper: b });
        const y = write(p, { version: true, qualifiers: p.qualifiers, aggressive: !a, upper: c });
        expect(parsePurl(x)).toBeDefined();
        return purlMatches(x, y) && purlMatches(y, x);
      }),
    );
  });

  it('a version-less VEX purl matches every version; a versioned one only its own', () => {
    fc.assert(
      fc.property(purlParts, version, (p, other) => {
        const scanner = write(
          { ...p, version: other },
          { version: true, qualifiers: p.qualifiers, aggressive: false, upper: false },
        );
        const loose = write(p, { version: false, qualifiers: {}, aggressive: true, upper: true });
        const exact = write(p, { version: true, qualifiers: {}, aggressive: false, upper: false });
        return purlMatches(loose, scanner) && purlMatches(exact, scanner) === (other === p.version);
      }),
    );
  });

  it('VEX qualifiers must be a subset of the scanner qualifiers', () => {
    fc.assert(
      fc.property(purlParts, fc.dictionary(qualKey, qualValue, { maxKeys: 4 }), (p, vexQ) => {
        const scanner = write(p, {
          version: true,
          qualifiers: p.qualifiers,
          aggressive: false,
          upper: false,
        });
        const vex = write(p, { version: false, qualifiers: vexQ, aggressive: true, upper: false });
        const subset = Object.entries(vexQ).every(([k, v]) => p.qualifiers[k] === v);
        return purlMatches(vex, scanner) === subset;
      }),
    );
  });

  it('a different name never matches', () => {
    fc.assert(
      fc.property(purlParts, segment, (p, other) => {
        fc.pre(other !== p.name);
        const a = write(p, { version: false, qualifiers: {}, aggressive: false, upper: false });
        const b = write(
          { ...p, name: other },
          { version: true, qualifiers: {}, aggressive: false, upper: false },
        );
        expect(parsePurl(a) && parsePurl(b)).toBeDefined();
        return !purlMatches(a, b);
      }),
    );
  });
});
