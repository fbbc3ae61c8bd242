import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { compileIdentityPolicy } from '../src/identity.js';
import { SIMPLE_MAX_VALUE, simpleRegexpSource } from '../src/simple-regexp.js';

// Simple identity patterns run as JavaScript RegExps (src/simple-regexp.ts); every answer must
// be RE2's. Checked against re2js on a table of patterns and on generated ones, which mix the
// sublanguage's tokens with tokens outside it (those patterns go to RE2 and must still agree).

const matcher = (regexp: string, match: 'full' | 'search') =>
  compileIdentityPolicy({ subjectAlternativeName: { regexp, match } }).san as {
    test(v: string): boolean;
  };
const re2 = (regexp: string, match: 'full' | 'search', value: string): boolean => {
  const re = RE2JS.compile(regexp);
  return match === 'full' ? re.testExact(value) : re.test(value);
};

/** The compiled matcher answers as re2js for every value, full match and search. */
const agreesWithRe2 = (pattern: string, values: readonly string[]): void => {
  for (const match of ['full', 'search'] as const) {
    const m = matcher(pattern, match);
    for (const v of values) {
      expect(m.test(v), `${pattern} ${match} ${JSON.stringify(v)}`).toBe(re2(pattern, match, v));
    }
  }
};

describe('simpleRegexpSource', () => {
  it.each([
    ['^https://github\\.com/flareo/.+$', '^https://github\\.com/flareo/[^\\n]+$'],
    ['https://github.com/acme/', 'https://github[^\\n]com/acme/'],
    ['.*@example\\.com', '[^\\n]*@example\\.com'],
    ['^$', '^$'],
    ['', ''],
    ['price\\$', 'price\\$'],
    ['a\\\\$', 'a\\\\$'],
    ['a\\/b', 'a\\/b'],
    ['x\\*y+', 'x\\*y+'],
  ])('takes %j as %j', (pattern, source) => {
    expect(simpleRegexpSource(pattern)).toBe(source);
  });

  it.each([
    ['two quantifiers', 'a.*b.*'],
    ['a quantifier first', '*a'],
    ['a quantifier after an anchor', '^+a'],
    ['an optional atom', 'ab?'],
    ['a lazy quantifier', 'a.*?b'],
    ['a counted repetition', 'a{2}'],
    ['alternation', 'a|b'],
    ['a group', '(ab)*'],
    ['a character class', '[a-z]+'],
    ['a Perl class', '\\d+'],
    ['a flag', '(?i)abc'],
    ['an anchor inside', 'a^b'],
    ['a dollar inside', 'a$b'],
    ['an escaped letter', '\\Qa.b\\E'],
    ['a dangling backslash', 'ab\\'],
    ['an escaped hyphen', 'a\\-b'],
    ['a non-ASCII literal', 'café'],
    ['a control character', 'a\tb'],
  ])('leaves %s (%j) to RE2', (_, pattern) => {
    expect(simpleRegexpSource(pattern)).toBeUndefined();
  });
});

describe('simple patterns match as RE2 does', () => {
  // Characters that are literals in both languages, then what the patterns and values add.
  const plain = ['a', 'b', '/', ':', '@', '-'];
  const tokens = [
    ...plain,
    ...['.', '\\.', '\\$', '\\\\', '\\/', '\\*', '*', '+', '?', '^', '$', '|'],
    ...['(a)', '[ab]', '\\d', 'é', '{2}'],
  ];
  const chars = [...plain, '.', '$', '\\', '*', '\n', '\r', '\u2028', 'é', '😀'];
  const patterns = fc
    .array(fc.constantFrom(...tokens), { maxLength: 8 })
    .map((t) => t.join(''))
    .filter((p) => {
      try {
        RE2JS.compile(p);
        return true;
      } catch {
        return false;
      }
    });
  const values = fc.array(fc.constantFrom(...chars), { maxLength: 12 }).map((c) => c.join(''));

  it('agrees with RE2 on generated patterns and values, full match and search', () => {
    let simple = 0;
    let runs = 0;
    fc.assert(
      fc.property(patterns, fc.array(values, { minLength: 1, maxLength: 6 }), (pattern, vs) => {
        runs += 1;
        if (simpleRegexpSource(pattern) !== undefined) simple += 1;
        agreesWithRe2(pattern, vs);
      }),
      { numRuns: 2000 },
    );
    // The generator must reach the fast path often enough for the comparison to mean something.
    expect(simple / runs).toBeGreaterThan(0.1);
  });

  it('agrees with RE2 on realistic identities, including lookalikes and line breaks', () => {
    const cases: [string, string[]][] = [
      [
        '^https://github\\.com/flareo/demo/\\.github/workflows/release\\.yml@refs/tags/v.*$',
        [
          'https://github.com/flareo/demo/.github/workflows/release.yml@refs/tags/v1.0.0',
          'https://github.com/flareo/demo/.github/workflows/release.yml@refs/heads/main',
          'https://githubXcom/flareo/demo/.github/workflows/release.yml@refs/tags/v1',
          'https://github.com/flareo/demo/.github/workflows/release.yml@refs/tags/v1\n',
          'https://github.com/flareo/demo/.github/workflows/release.yml@refs/tags/v1\r',
        ],
      ],
      ['https://github.com/flareo/', ['https://github.com/flareo/x', 'https://githubxcom/flareo/']],
      [
        '.+@example\\.com',
        ['me@example.com', '@example.com', 'a\n@example.com', 'me@example.com.evil'],
      ],
    ];
    for (const [pattern, vs] of cases) {
      agreesWithRe2(pattern, vs);
    }
  });

  it(`matches values longer than ${SIMPLE_MAX_VALUE} characters with RE2, with the same answers`, () => {
    const pattern = '^a.*b$';
    const long = `a${'x'.repeat(SIMPLE_MAX_VALUE)}b`;
    for (const match of ['full', 'search'] as const) {
      const m = matcher(pattern, match);
      expect(m.test(long)).toBe(true);
      expect(m.test(`${long}c`)).toBe(false);
      expect(m.test(`a${'x\n'.repeat(SIMPLE_MAX_VALUE)}b`)).toBe(
        re2(pattern, match, `a${'x\n'.repeat(SIMPLE_MAX_VALUE)}b`),
      );
    }
  });

  it('answers as RE2 on a value that makes a backtracking engine retry at every position', () => {
    const m = matcher('a*c', 'search');
    const value = 'a'.repeat(SIMPLE_MAX_VALUE);
    expect(m.test(value)).toBe(false);
    expect(re2('a*c', 'search', value)).toBe(false);
  });
});
