import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { daysInMonth, isLeapYear, parseRfc3339 } from './rfc3339.js';

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

  it('knows the Gregorian leap years and month lengths', () => {
    expect([1900, 2000, 2023, 2024, 2100, 2400].map(isLeapYear)).toEqual([
      false,
      true,
      false,
      true,
      false,
      true,
    ]);
    expect(Array.from({ length: 12 }, (_, i) => daysInMonth(2023, i + 1))).toEqual([
      31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
    ]);
    expect(daysInMonth(2024, 2)).toBe(29);
  });

  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  // Components drawn a little past every limit, so that both sides of each check are tried.
  const components = fc.record({
    year: fc.integer({ min: 0, max: 9999 }),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.integer({ min: 0, max: 25 }),
    minute: fc.integer({ min: 0, max: 61 }),
    second: fc.integer({ min: 0, max: 61 }),
    fraction: fc.option(fc.stringMatching(/^\d{1,9}$/), { nil: undefined }),
    offset: fc.option(
      fc.record({
        sign: fc.constantFrom('+', '-'),
        hour: fc.integer({ min: 0, max: 25 }),
        minute: fc.integer({ min: 0, max: 61 }),
      }),
      { nil: undefined },
    ),
  });

  it('accepts exactly the real times, each at the instant its components name', () => {
    fc.assert(
      fc.property(components, (c) => {
        const zone =
          c.offset === undefined
            ? 'Z'
            : `${c.offset.sign}${pad(c.offset.hour)}:${pad(c.offset.minute)}`;
        const text = `${pad(c.year, 4)}-${pad(c.month)}-${pad(c.day)}T${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)}${c.fraction === undefined ? '' : `.${c.fraction}`}${zone}`;
        const valid =
          c.month >= 1 &&
          c.month <= 12 &&
          c.day >= 1 &&
          c.day <= daysInMonth(c.year, c.month) &&
          c.hour <= 23 &&
          c.minute <= 59 &&
          c.second <= 59 &&
          (c.offset === undefined || (c.offset.hour <= 23 && c.offset.minute <= 59));
        const parsed = parseRfc3339(text);
        expect(parsed !== undefined).toBe(valid);
        if (parsed === undefined) return;
        // The instant, rebuilt through Date's own setters (which handle years 0-99 as given).
        const expected = new Date(0);
        expected.setUTCFullYear(c.year, c.month - 1, c.day);
        const millis = c.fraction === undefined ? 0 : Number(c.fraction.padEnd(3, '0').slice(0, 3));
        expected.setUTCHours(c.hour, c.minute, c.second, millis);
        const offsetMs =
          c.offset === undefined
            ? 0
            : (c.offset.sign === '-' ? -1 : 1) * (c.offset.hour * 60 + c.offset.minute) * 60_000;
        expect(parsed.getTime()).toBe(expected.getTime() - offsetMs);
      }),
      { numRuns: 2000 },
    );
  });
});
