import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CalendarFields,
  calendarTimeToEpochMs,
  daysInMonth,
  fractionToMs,
  isLeapYear,
  isValidCalendarTime,
} from './calendar.js';

/** The reference: whether Date's own setters keep every field as given (no roll-over). */
function dateKeeps(...fields: CalendarFields): boolean {
  const [year, month, day, hour, minute, second] = fields;
  const probe = new Date(0);
  probe.setUTCFullYear(year, month - 1, day);
  probe.setUTCHours(hour, minute, second);
  const kept: CalendarFields = [
    probe.getUTCFullYear(),
    probe.getUTCMonth() + 1,
    probe.getUTCDate(),
    probe.getUTCHours(),
    probe.getUTCMinutes(),
    probe.getUTCSeconds(),
  ];
  return kept.every((value, i) => value === fields[i]);
}

// Components drawn a little past every limit, so that both sides of each check are tried.
const components = fc.tuple(
  fc.integer({ min: 0, max: 9999 }),
  fc.integer({ min: 0, max: 13 }),
  fc.integer({ min: 0, max: 32 }),
  fc.integer({ min: 0, max: 25 }),
  fc.integer({ min: 0, max: 61 }),
  fc.integer({ min: 0, max: 61 }),
);

describe('calendar', () => {
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
    expect([0, 13, 1.5, Number.NaN].map((m) => daysInMonth(2024, m))).toEqual([0, 0, 0, 0]);
  });

  it.each([
    ['February 31', [2021, 2, 31, 0, 0, 0]],
    ['leap day of 2023', [2023, 2, 29, 0, 0, 0]],
    ['leap day of 1900', [1900, 2, 29, 0, 0, 0]],
    ['month 0', [2023, 0, 1, 0, 0, 0]],
    ['month 13', [2023, 13, 1, 0, 0, 0]],
    ['day 0', [2023, 1, 0, 0, 0, 0]],
    ['hour 24', [2023, 6, 1, 24, 0, 0]],
    ['minute 60', [2023, 6, 1, 23, 60, 0]],
    ['leap second 60', [2016, 12, 31, 23, 59, 60]],
    ['a negative hour', [2023, 6, 1, -1, 0, 0]],
    ['a fractional day', [2023, 6, 1.5, 0, 0, 0]],
    ['NaN minutes', [2023, 6, 1, 0, Number.NaN, 0]],
    ['year 10000', [10000, 1, 1, 0, 0, 0]],
    ['year -1', [-1, 1, 1, 0, 0, 0]],
  ] as const)('refuses %s', (_why, fields) => {
    const [y, mo, d, h, mi, s] = fields;
    expect(isValidCalendarTime(y, mo, d, h, mi, s)).toBe(false);
    expect(calendarTimeToEpochMs(y, mo, d, h, mi, s)).toBeUndefined();
  });

  it('refuses milliseconds outside 0-999 or not integers', () => {
    for (const millis of [-1, 1000, 0.5, Number.NaN]) {
      expect(calendarTimeToEpochMs(2024, 1, 1, 0, 0, 0, millis)).toBeUndefined();
    }
    expect(calendarTimeToEpochMs(2024, 1, 1, 0, 0, 0, 999)).toBe(
      Date.UTC(2024, 0, 1, 0, 0, 0, 999),
    );
  });

  it('reads years 0-99 as written, not as 1900-1999', () => {
    expect(new Date(calendarTimeToEpochMs(50, 3, 1, 0, 0, 0) as number).toISOString()).toBe(
      '0050-03-01T00:00:00.000Z',
    );
    expect(new Date(calendarTimeToEpochMs(0, 2, 29, 0, 0, 0) as number).toISOString()).toBe(
      '0000-02-29T00:00:00.000Z',
    );
  });

  it('truncates fractions of a second to the millisecond', () => {
    expect(['5', '05', '123', '999999999', '0001'].map(fractionToMs)).toEqual([
      500, 50, 123, 999, 0,
    ]);
    expect(fractionToMs(undefined)).toBe(0);
  });

  it('accepts exactly the real calendar times, at the instant they name', () => {
    fc.assert(
      fc.property(
        components,
        fc.integer({ min: 0, max: 999 }),
        ([year, month, day, hour, minute, second], millis) => {
          const real = dateKeeps(year, month, day, hour, minute, second);
          expect(isValidCalendarTime(year, month, day, hour, minute, second)).toBe(real);
          const ms = calendarTimeToEpochMs(year, month, day, hour, minute, second, millis);
          expect(ms !== undefined).toBe(real);
          if (ms === undefined) return;
          // Round trip: the instant's own UTC fields are the components given.
          const date = new Date(ms);
          expect([
            date.getUTCFullYear(),
            date.getUTCMonth() + 1,
            date.getUTCDate(),
            date.getUTCHours(),
            date.getUTCMinutes(),
            date.getUTCSeconds(),
            date.getUTCMilliseconds(),
          ]).toEqual([year, month, day, hour, minute, second, millis]);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
