import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildIndex, groupNames, tokens, vulnerabilityKey } from '../src/vex-index/build.js';
import { UnionFind } from '../src/vex-index/union-find.js';
import { doc, na } from './helpers.js';

describe('UnionFind', () => {
  it('starts every key in a set of its own, and joins sets', () => {
    const u = new UnionFind();
    expect(u.find('a')).toBeUndefined();
    u.add('a');
    u.add('b');
    expect(u.size).toBe(2);
    expect(u.find('a')).not.toBe(u.find('b'));
    u.union('a', 'b');
    u.union('c', 'd');
    expect(u.size).toBe(4);
    expect(u.find('a')).toBe(u.find('b'));
    expect(u.find('c')).toBe(u.find('d'));
    expect(u.find('a')).not.toBe(u.find('c'));
    u.union('d', 'b');
    expect(new Set([...u.sets()].map(([, set]) => set)).size).toBe(1);
    expect([...u.sets()].map(([key]) => key)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('puts two keys in one set exactly when a chain of unions links them', () => {
    const pair = fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 12 }));
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 30 }), (pairs) => {
        const u = new UnionFind();
        for (let k = 0; k <= 12; k++) u.add(String(k));
        for (const [a, b] of pairs) u.union(String(a), String(b));
        // Reachability in the undirected graph of the unions, by a plain search.
        const linked = (a: number, b: number): boolean => {
          const seen = new Set([a]);
          const todo = [a];
          while (todo.length > 0) {
            const x = todo.pop() as number;
            for (const [p, q] of pairs) {
              for (const [from, to] of [
                [p, q],
                [q, p],
              ] as const) {
                if (from === x && !seen.has(to)) {
                  seen.add(to);
                  todo.push(to);
                }
              }
            }
          }
          return seen.has(b);
        };
        for (let a = 0; a <= 12; a++) {
          for (let b = 0; b <= 12; b++) {
            expect(u.find(String(a)) === u.find(String(b))).toBe(linked(a, b));
          }
        }
      }),
    );
  });
});

describe('the index builder', () => {
  it('groups every name, @id and alias of a vulnerability, across statements', () => {
    const d = doc([
      na('CVE-2024-1', 'pkg:npm/a', { vulnerability: { name: 'CVE-2024-1', aliases: ['GHSA-1'] } }),
      na('GHSA-1', 'pkg:npm/b', { vulnerability: { name: 'ghsa-1', aliases: ['GO-1'] } }),
      na('CVE-2024-2', 'pkg:npm/c', {
        vulnerability: { name: 'CVE-2024-2', '@id': 'https://nvd/CVE-2024-2' },
      }),
    ]);
    const { groupOf, statementNames } = groupNames([d]);
    expect(statementNames).toEqual([
      ['CVE-2024-1', 'GHSA-1'],
      ['GHSA-1', 'GO-1'],
      ['CVE-2024-2', 'HTTPS://NVD/CVE-2024-2'],
    ]);
    expect(groupOf.get('CVE-2024-1')).toBe(groupOf.get('GO-1'));
    expect(groupOf.get('CVE-2024-2')).toBe(groupOf.get('HTTPS://NVD/CVE-2024-2'));
    expect(groupOf.get('CVE-2024-1')).not.toBe(groupOf.get('CVE-2024-2'));
  });

  it('seeds each (statement, product) under its group, sets aside tag-only images', () => {
    const d = doc([
      na('CVE-2024-1', 'pkg:npm/a@1', {
        products: [{ '@id': 'pkg:npm/a@1' }, { '@id': 'pkg:oci/app?tag=1.0' }],
      }),
      na('CVE-2024-1', 'pkg:npm/b'),
    ]);
    const data = buildIndex([d], false);
    expect(data.statementCount).toBe(2);
    const group = data.groupOf.get('CVE-2024-1') as number;
    // A purl is claimed as a purl and as its text (an IRI); the tag-only image as nothing.
    expect(data.seeds.get(group)?.map((s) => [s.position, s.productClaims.length])).toEqual([
      [1, 2],
      [1, 0],
      [2, 2],
    ]);
    expect(data.tagOnly.map((t) => t.text)).toEqual(['pkg:oci/app?tag=1.0']);
    // Packages no usable claim names (the tag-only image) are not among those to parse.
    expect([...data.packages].sort()).toEqual(['npm/a', 'npm/b']);
    expect(data.reach.get(group)?.product.coarse.has('npm/b')).toBe(true);
    // With matchOciTags the tag-only identifier is kept for matching.
    expect(buildIndex([d], true).tagOnly).toEqual([]);
  });

  it('normalizes ids for lookups and finds vulnerability ids inside names', () => {
    expect(vulnerabilityKey('  cve-2024-1234 ')).toBe('CVE-2024-1234');
    expect(tokens('https://nvd.nist.gov/vuln/detail/cve-2024-1234')).toEqual(['CVE-2024-1234']);
    expect(tokens('ghsa-abcd-efgh-ijkl and GO-2024-0001')).toEqual([
      'GHSA-ABCD-EFGH-IJKL',
      'GO-2024-0001',
    ]);
  });
});
