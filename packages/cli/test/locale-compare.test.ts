import { describe, expect, it } from 'vitest';
import { localeCompare } from '../src/lazy/locale-compare.js';

// The stand-in for packageurl-js's collator (see src/lazy/locale-compare.ts and
// tsup.config.ts) must order everything exactly as `new Intl.Collator().compare` does.
describe('localeCompare stand-in', () => {
  const collator = new Intl.Collator();
  const digits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const others: unknown[] = [
    10,
    -1,
    1.5,
    '0',
    '7',
    'name',
    'namespace',
    'qualifierKey',
    'qualifierValue',
    'subpath',
    'type',
    'version',
    'Ä',
    'a',
    'B',
    '',
  ];

  it('orders the digits 0 to 9 as the collator orders their strings', () => {
    for (const a of digits) {
      for (const b of digits) {
        expect(localeCompare(a, b), `${a} vs ${b}`).toBe(collator.compare(String(a), String(b)));
      }
    }
  });

  it('gives anything else to the collator', () => {
    const all = [...digits, ...others];
    for (const a of all) {
      for (const b of all) {
        expect(localeCompare(a, b), `${String(a)} vs ${String(b)}`).toBe(
          collator.compare(a as string, b as string),
        );
      }
    }
  });

  it('sorts purl component positions and names as packageurl-js sorts them', () => {
    const keys = [7, 'extra', 3, 0, 'another', 5, 1, 6, 2, 4];
    const real = collator.compare as (a: unknown, b: unknown) => number;
    expect([...keys].sort(localeCompare)).toEqual([...keys].sort(real));
  });
});
