import { describe, expect, it } from 'vitest';
import { hoursSince, TrustScoreError } from '../src/index.js';
import { parseRfc3339 } from '../src/rfc3339.js';

// The calendar checks and their fast-check properties are @flareo/internal's (calendar.ts,
// rfc3339.ts); these tables hold this package's variant: lower-case t and z accepted, at
// most nine fraction digits, epoch milliseconds.

describe('parseRfc3339', () => {
  it.each([
    ['2025-06-01T00:00:00Z', '2025-06-01T00:00:00.000Z'],
    ['2025-06-01t00:00:00z', '2025-06-01T00:00:00.000Z'],
    ['2024-02-29T23:59:59.123456789Z', '2024-02-29T23:59:59.123Z'],
    ['2000-02-29T00:00:00+05:30', '2000-02-28T18:30:00.000Z'],
    ['2025-06-01T00:00:00-23:59', '2025-06-01T23:59:00.000Z'],
    ['0099-12-31T00:00:00Z', '0099-12-31T00:00:00.000Z'],
  ])('accepts %s', (text, iso) => {
    expect(new Date(parseRfc3339(text) as number).toISOString()).toBe(iso);
  });

  it.each([
    '2021-02-31T24:00:00Z',
    '2023-04-31T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2100-02-29T00:00:00Z',
    '2023-13-01T00:00:00Z',
    '2023-00-10T00:00:00Z',
    '2023-06-00T00:00:00Z',
    '2023-06-01T24:00:00Z',
    '2023-06-01T23:60:00Z',
    '2016-12-31T23:59:60Z',
    '2023-06-01T00:00:00+24:00',
    '2023-06-01T00:00:00+01:60',
    '2023-06-01',
    '2023-06-01T00:00:00',
    '2023-06-01 00:00:00Z',
    'Thu, 01 Jun 2023 00:00:00 GMT',
    '2023-06-01T00:00:00.Z',
    '2023-06-01T00:00:00.1234567890Z',
    '',
  ])('refuses %s', (text) => {
    expect(parseRfc3339(text)).toBeUndefined();
  });

  it('makes hoursSince refuse impossible signing times with SIGNAL_INVALID', () => {
    for (const signedAt of ['2021-02-31T24:00:00Z', '2025-05-31T23:60:00Z', '2025-06-01']) {
      let error: unknown;
      try {
        hoursSince(signedAt, { now: Date.parse('2025-06-01T12:00:00Z') });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TrustScoreError);
      expect((error as TrustScoreError).code).toBe('SIGNAL_INVALID');
    }
  });
});
