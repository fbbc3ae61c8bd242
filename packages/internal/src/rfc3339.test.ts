import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { daysInMonth } from './calendar.js';
import { parseRfc3339, type Rfc3339Options } from './rfc3339.js';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('parseRfc3339', () => {
  it.each([
    ['2021-01-01T00:00:00Z', '2021-01-01T00:00:00.000Z'],
    ['2024-02-29T23:59:59Z', '2024-02-29T23:59:59.000Z'],
    ['2023-12-31T23:59:59.999999999Z', '2023-12-31T23:59:59.999Z'],
    ['2023-06-01T12:00:00.5Z', '2023-06-01T12:00:00.500Z'],
    ['2023-06-01T12:00:00+02:00', '2023-06-01T10:00:00.000Z'],
    ['2023-06-01T00:30:00-23:59', '2023-06-02T00:29:00.000Z'],
    ['2023-06-01T00:30:00+23:59', '2023-05-31T00:31:00.000Z'],
    ['0000-01-01T00:00:00Z', '0000-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59.000Z'],
  ])('accepts %s', (text, expected) => {
    expect(iso(parseRfc3339(text))).toBe(expected);
  });

  // The calendar's own limits are covered by the property below; these are the shapes.
  it.each([
    '2024-09-31T08:00:00Z',
    '2024-07-04T24:00:00+01:00',
    '1998-12-31T23:59:60Z',
    '2024-07-04T08:00:00+24:00',
    '2024-07-04T08:00:00',
    '2024-07-04',
    '2024-07-04 08:00:00Z',
    '2024-07-04t08:00:00Z',
    '2024-07-04T08:00:00z',
    '2024-07-04T08:00:00+0100',
    '2024-07-04T08:00:00.0123456789Z',
    '2024-07-04T08:00:00.Z',
    '02024-07-04T08:00:00Z',
    ' 2024-07-04T08:00:00Z',
    '2024-07-04T08:00Z',
    '',
  ])('refuses %j', (text) => {
    expect(parseRfc3339(text)).toBeUndefined();
  });

  it('refuses values that are not strings', () => {
    for (const value of [undefined, null, 0, {}, [], new Date(0)]) {
      expect(parseRfc3339(value)).toBeUndefined();
    }
  });

  it('accepts lower-case t and z only when asked', () => {
    const lower = { lowerCase: true };
    expect(iso(parseRfc3339('2023-06-01t00:00:00z', lower))).toBe('2023-06-01T00:00:00.000Z');
    expect(iso(parseRfc3339('2023-06-01t00:00:00+01:00', lower))).toBe('2023-05-31T23:00:00.000Z');
    expect(parseRfc3339('2023-06-01 00:00:00z', lower)).toBeUndefined();
  });

  it('takes fractions of the length asked for', () => {
    const long = '2023-06-01T00:00:00.123456789012Z';
    expect(parseRfc3339(long)).toBeUndefined();
    expect(iso(parseRfc3339(long, { maxFractionDigits: Number.POSITIVE_INFINITY }))).toBe(
      '2023-06-01T00:00:00.123Z',
    );
    expect(parseRfc3339('2023-06-01T00:00:00.1234Z', { maxFractionDigits: 3 })).toBeUndefined();
    expect(iso(parseRfc3339('2023-06-01T00:00:00.123Z', { maxFractionDigits: 3 }))).toBe(
      '2023-06-01T00:00:00.123Z',
    );
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
    fraction: fc.option(fc.stringMatching(/^\d{1,12}$/), { nil: undefined }),
    offset: fc.option(
      fc.record({
        sign: fc.constantFrom('+', '-'),
        hour: fc.integer({ min: 0, max: 25 }),
        minute: fc.integer({ min: 0, max: 61 }),
      }),
      { nil: undefined },
    ),
    lowerT: fc.boolean(),
    lowerZ: fc.boolean(),
  });
  const variants: readonly Rfc3339Options[] = [
    {},
    { lowerCase: true },
    { maxFractionDigits: Number.POSITIVE_INFINITY },
  ];

  it('accepts exactly the real times of its variant, each at the instant its components name', () => {
    fc.assert(
      fc.property(components, fc.constantFrom(...variants), (c, options) => {
        const zone =
          c.offset === undefined
            ? c.lowerZ
              ? 'z'
              : 'Z'
            : `${c.offset.sign}${pad(c.offset.hour)}:${pad(c.offset.minute)}`;
        const text = `${pad(c.year, 4)}-${pad(c.month)}-${pad(c.day)}${c.lowerT ? 't' : 'T'}${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)}${c.fraction === undefined ? '' : `.${c.fraction}`}${zone}`;
        const usesLowerCase = c.lowerT || (c.offset === undefined && c.lowerZ);
        const caseOk = options.lowerCase === true || !usesLowerCase;
        const fractionOk =
          c.fraction === undefined || c.fraction.length <= (options.maxFractionDigits ?? 9);
        const valid =
          caseOk &&
          fractionOk &&
          c.month >= 1 &&
          c.month <= 12 &&
          c.day >= 1 &&
          c.day <= daysInMonth(c.year, c.month) &&
          c.hour <= 23 &&
          c.minute <= 59 &&
          c.second <= 59 &&
          (c.offset === undefined || (c.offset.hour <= 23 && c.offset.minute <= 59));
        const parsed = parseRfc3339(text, options);
        expect(parsed !== undefined).toBe(valid);
        if (parsed === undefined) return;
        // The instant, rebuilt through Date's own setters (which keep years 0-99 as given).
        const expected = new Date(0);
        expected.setUTCFullYear(c.year, c.month - 1, c.day);
        const millis = c.fraction === undefined ? 0 : Number(c.fraction.padEnd(3, '0').slice(0, 3));
        expected.setUTCHours(c.hour, c.minute, c.second, millis);
        const offsetMs =
          c.offset === undefined
            ? 0
            : (c.offset.sign === '-' ? -1 : 1) * (c.offset.hour * 60 + c.offset.minute) * 60_000;
        expect(parsed).toBe(expected.getTime() - offsetMs);
      }),
      { numRuns: 3000 },
    );
  });
});
