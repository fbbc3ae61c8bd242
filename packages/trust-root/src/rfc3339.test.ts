import { describe, expect, it } from 'vitest';
import { parseRfc3339 } from './rfc3339.js';

// The calendar checks and their fast-check properties are @flareo/internal's (calendar.ts,
// rfc3339.ts); these tables hold this package's variant: upper-case T and Z, at most nine
// fraction digits, a Date.

describe('parseRfc3339', () => {
  it.each([
    ['2021-01-01T00:00:00Z', '2021-01-01T00:00:00.000Z'],
    ['2024-02-29T23:59:59Z', '2024-02-29T23:59:59.000Z'],
    ['2000-02-29T12:00:00Z', '2000-02-29T12:00:00.000Z'],
    ['2023-04-30T00:00:00Z', '2023-04-30T00:00:00.000Z'],
    ['2023-12-31T23:59:59.999999999Z', '2023-12-31T23:59:59.999Z'],
    ['2023-06-01T12:00:00.5Z', '2023-06-01T12:00:00.500Z'],
    ['2023-06-01T12:00:00+02:00', '2023-06-01T10:00:00.000Z'],
    ['2023-06-01T00:30:00-23:59', '2023-06-02T00:29:00.000Z'],
    ['2023-06-01T00:30:00+23:59', '2023-05-31T00:31:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['0050-03-01T00:00:00Z', '0050-03-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59.000Z'],
  ])('accepts %s', (text, iso) => {
    expect(parseRfc3339(text)?.toISOString()).toBe(iso);
  });

  it.each([
    ['day 31 of February', '2021-02-31T00:00:00Z'],
    ['day 31 of February at hour 24', '2021-02-31T24:00:00Z'],
    ['day 31 of April', '2023-04-31T00:00:00Z'],
    ['day 31 of June', '2023-06-31T00:00:00Z'],
    ['day 31 of September', '2023-09-31T00:00:00Z'],
    ['day 31 of November', '2023-11-31T00:00:00Z'],
    ['day 32', '2023-01-32T00:00:00Z'],
    ['day 0', '2023-01-00T00:00:00Z'],
    ['month 13', '2023-13-01T00:00:00Z'],
    ['month 0', '2023-00-01T00:00:00Z'],
    ['leap day of a non-leap year', '2023-02-29T00:00:00Z'],
    ['leap day of a century that is not a leap year', '1900-02-29T00:00:00Z'],
    ['hour 24', '2023-06-01T24:00:00Z'],
    ['minute 60', '2023-06-01T23:60:00Z'],
    ['second 60 (leap second)', '2016-12-31T23:59:60Z'],
    ['second 61', '2023-06-01T00:00:61Z'],
    ['offset hour 24', '2023-06-01T00:00:00+24:00'],
    ['offset minute 60', '2023-06-01T00:00:00-01:60'],
    ['no zone', '2023-06-01T00:00:00'],
    ['date only', '2023-06-01'],
    ['space separator', '2023-06-01 00:00:00Z'],
    ['lower-case t', '2023-06-01t00:00:00Z'],
    ['offset without colon', '2023-06-01T00:00:00+0200'],
    ['ten fraction digits', '2023-06-01T00:00:00.1234567890Z'],
    ['empty fraction', '2023-06-01T00:00:00.Z'],
    ['five-digit year', '12023-06-01T00:00:00Z'],
    ['signed year', '+2023-06-01T00:00:00Z'],
    ['trailing text', '2023-06-01T00:00:00Zjunk'],
    ['trailing newline', '2023-06-01T00:00:00Z\n'],
    ['non-ASCII digits', '٢٠٢٣-06-01T00:00:00Z'],
    ['words', 'yesterday'],
    ['empty', ''],
  ])('refuses %s', (_name, text) => {
    expect(parseRfc3339(text)).toBeUndefined();
  });

  it('refuses values that are not strings', () => {
    for (const value of [undefined, null, 0, {}, [], new Date(0)]) {
      expect(parseRfc3339(value as never)).toBeUndefined();
    }
  });
});
