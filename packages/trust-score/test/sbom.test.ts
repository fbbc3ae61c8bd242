import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TrustScoreError } from '../src/errors.js';
import { isValidPurl, sbomCompleteness } from '../src/sbom.js';
import { rejection } from './support.js';

const SHA256 = 'a'.repeat(64);

function component(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'library',
    'bom-ref': `ref-${name}`,
    name,
    version: '1.2.3',
    purl: `pkg:npm/${name}@1.2.3`,
    licenses: [{ license: { id: 'MIT' } }],
    hashes: [{ alg: 'SHA-256', content: SHA256 }],
    supplier: { name: 'Example Corp' },
    ...extra,
  };
}

function bom(components: unknown[], extra: Record<string, unknown> = {}) {
  return { bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components, ...extra };
}

describe('isValidPurl', () => {
  const valid = [
    'pkg:npm/lodash@4.17.21',
    'pkg:npm/%40angular/core@16.0.0',
    'pkg:maven/org.apache.commons/commons-lang3@3.12.0?type=jar',
    'pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12',
    'pkg:golang/github.com/sigstore/cosign/v2@v2.2.0',
    'pkg:oci/flareo?repository_url=public.ecr.aws%2Fflareo',
    'pkg:github/flareo/flareo@main#packages/policy',
    'pkg:apk/alpine/musl@1.2.4-r2',
    'pkg:c++/boost',
  ];
  const invalid = [
    '',
    'npm/lodash@4.17.21',
    'pkg:',
    'pkg:npm',
    'pkg:npm/',
    'pkg:1npm/lodash',
    'pkg:np m/lodash',
    'pkg:npm/lodash@',
    'pkg:npm/lo%zzdash',
    42,
    null,
  ];
  // Refused by the hand-written check this package had before 0.2.0; packageurl-js follows
  // the purl specification, which discards empty segments and empty qualifier values, lets
  // the last of repeated qualifiers win and reads the scheme case-insensitively.
  const lenient = [
    'pkg:npm/a//b',
    'pkg:npm/lodash@1.0?arch',
    'pkg:npm/lodash@1.0?arch=',
    'pkg:npm/lodash@1.0?a=1&a=2',
    'PKG:npm/lodash',
  ];
  for (const purl of lenient)
    it(`accepts ${purl} (spec)`, () => expect(isValidPurl(purl)).toBe(true));
  for (const purl of valid) it(`accepts ${purl}`, () => expect(isValidPurl(purl)).toBe(true));
  for (const purl of invalid)
    it(`rejects ${String(purl)}`, () => expect(isValidPurl(purl)).toBe(false));
});

describe('sbomCompleteness', () => {
  it('counts a component with every field as complete', () => {
    const r = sbomCompleteness(bom([component('a'), component('b')]));
    expect(r).toMatchObject({ completeness: 1, total: 2, complete: 2, incomplete: [] });
    expect(r.reason).toBe(
      'All 2 components have name, version, purl, license, strong hash and supplier.',
    );
    expect(Object.values(r.coverage).every((v) => v === 1)).toBe(true);
  });

  const lacks: [string, Record<string, unknown>, string][] = [
    ['an empty name', { name: ' ' }, 'name'],
    ['no version', { version: undefined }, 'version'],
    ['an invalid purl', { purl: 'npm:lodash' }, 'purl'],
    ['no purl', { purl: undefined }, 'purl'],
    ['no licenses', { licenses: [] }, 'license'],
    [
      'only NOASSERTION',
      { licenses: [{ expression: 'NOASSERTION' }, { license: { name: 'noassertion' } }] },
      'license',
    ],
    ['a SHA-1 hash only', { hashes: [{ alg: 'SHA-1', content: 'a'.repeat(40) }] }, 'hash'],
    [
      'a SHA-256 of the wrong length',
      { hashes: [{ alg: 'SHA-256', content: 'a'.repeat(40) }] },
      'hash',
    ],
    [
      'a SHA-256 that is not hex',
      { hashes: [{ alg: 'SHA-256', content: 'z'.repeat(64) }] },
      'hash',
    ],
    ['no supplier', { supplier: undefined }, 'supplier'],
    ['a supplier without name', { supplier: { url: ['https://example.com'] } }, 'supplier'],
  ];
  for (const [what, change, field] of lacks) {
    it(`marks a component with ${what} as lacking ${field}`, () => {
      const r = sbomCompleteness(bom([component('ok'), component('x', change)]));
      expect(r.completeness).toBe(0.5);
      expect(r.incomplete).toEqual([{ ref: 'ref-x', missing: [field] }]);
      expect(r.coverage[field as keyof typeof r.coverage]).toBe(0.5);
    });
  }

  it('accepts every license form and strong hash algorithm', () => {
    const r = sbomCompleteness(
      bom([
        component('a', { licenses: [{ license: { name: 'Custom licence' } }] }),
        component('b', { licenses: [{ expression: 'MIT OR Apache-2.0' }] }),
        component('c', {
          hashes: [
            { alg: 'SHA-1', content: 'b'.repeat(40) },
            { alg: 'SHA-512', content: 'C'.repeat(128) },
          ],
        }),
        component('d', { hashes: [{ alg: 'SHA3-384', content: 'd'.repeat(96) }] }),
        component('e', { hashes: [{ alg: 'BLAKE3', content: 'e'.repeat(64) }] }),
      ]),
    );
    expect(r.completeness).toBe(1);
  });

  it('walks nested components and skips the SBOM subject and non-package types', () => {
    const doc = bom(
      [
        component('parent', { components: [component('child', { supplier: undefined })] }),
        { type: 'file', name: 'etc/passwd' },
        component('os', { type: 'operating-system' }),
        { name: 'untyped', version: '1' },
      ],
      { metadata: { component: { type: 'container', name: 'image' } } },
    );
    const r = sbomCompleteness(doc);
    expect(r.total).toBe(4);
    expect(r.complete).toBe(2);
    expect(r.incomplete.map((c) => c.ref)).toEqual(['ref-child', 'untyped@1']);
    expect(r.reason).toBe(
      '2 of 4 components (50%) are complete; the least covered field is supplier (50%).',
    );
    const withFiles = sbomCompleteness(doc, { componentTypes: ['file', 'library'] });
    expect(withFiles.total).toBe(4);
  });

  it('scores an SBOM without components 0 and says why', () => {
    const r = sbomCompleteness(bom([]));
    expect(r).toMatchObject({ completeness: 0, total: 0, complete: 0 });
    expect(r.reason).toContain('no package components');
    const { components: _, ...noComponents } = bom([]);
    expect(sbomCompleteness(noComponents).total).toBe(0);
  });

  it('reads JSON text and bytes', () => {
    const text = JSON.stringify(bom([component('a')]));
    expect(sbomCompleteness(text).completeness).toBe(1);
    expect(sbomCompleteness(new TextEncoder().encode(text)).completeness).toBe(1);
  });

  it('limits the list of incomplete components', () => {
    const many = Array.from({ length: 5 }, (_, i) => component(`c${i}`, { version: '' }));
    expect(sbomCompleteness(bom(many), { maxListed: 2 }).incomplete).toHaveLength(2);
    expect(rejection(() => sbomCompleteness(bom(many), { maxListed: -1 })).code).toBe(
      'ARGUMENT_INVALID',
    );
  });

  it('rejects documents that are not CycloneDX JSON', () => {
    expect(rejection(() => sbomCompleteness('{not json')).code).toBe('SBOM_INVALID');
    expect(rejection(() => sbomCompleteness(null)).code).toBe('SBOM_INVALID');
    expect(rejection(() => sbomCompleteness([])).code).toBe('SBOM_INVALID');
    expect(rejection(() => sbomCompleteness({ spdxVersion: 'SPDX-2.3' })).code).toBe(
      'SBOM_INVALID',
    );
    expect(rejection(() => sbomCompleteness({ bomFormat: 'CycloneDX' })).code).toBe('SBOM_INVALID');
    expect(rejection(() => sbomCompleteness(bom('x' as never))).code).toBe('SBOM_INVALID');
    expect(rejection(() => sbomCompleteness(bom([42]))).code).toBe('SBOM_INVALID');
    expect(rejection(() => sbomCompleteness(bom([component('a', { components: {} })]))).code).toBe(
      'SBOM_INVALID',
    );
    try {
      sbomCompleteness('{not json');
    } catch (error) {
      expect((error as TrustScoreError).cause).toBeInstanceOf(SyntaxError);
    }
  });

  it('keeps completeness equal to complete / total for arbitrary component mixes', () => {
    const field = fc.constantFrom('name', 'version', 'purl', 'licenses', 'hashes', 'supplier');
    fc.assert(
      fc.property(fc.array(fc.array(field, { maxLength: 3 }), { maxLength: 30 }), (drops) => {
        const comps = drops.map((drop, i) => {
          const c = component(`p${i}`);
          for (const f of drop) delete c[f];
          return c;
        });
        const r = sbomCompleteness(bom(comps));
        const expectedComplete = drops.filter((d) => d.length === 0).length;
        expect(r.total).toBe(drops.length);
        expect(r.complete).toBe(expectedComplete);
        expect(r.completeness).toBe(drops.length === 0 ? 0 : expectedComplete / drops.length);
        for (const v of Object.values(r.coverage)) {
          expect(v).toBeGreaterThanOrEqual(r.completeness);
          expect(v).toBeLessThanOrEqual(1);
        }
      }),
    );
  });
});
