import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hoursSince, TrustScoreError } from './index.js';
import { parseRfc3339 } from './rfc3339.js';

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

  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  it('accepts exactly the real times, each at the instant its components name', () => {
    fc.assert(
      fc.property(
        fc.record({
          year: fc.integer({ min: 0, max: 9999 }),
          month: fc.integer({ min: 0, max: 13 }),
          day: fc.integer({ min: 0, max: 32 }),
          hour: fc.integer({ min: 0, max: 25 }),
          minute: fc.integer({ min: 0, max: 61 }),
          second: fc.integer({ min: 0, max: 61 }),
          fraction: fc.option(fc.stringMatching(/^\d{1,9}$/), { nil: undefined }),
          offset: fc.option(
            fc.record({
              sign: fc.constantFrom(1, -1),
              hour: fc.integer({ min: 0, max: 25 }),
              minute: fc.integer({ min: 0, max: 61 }),
            }),
            { nil: undefined },
          ),
        }),
        (c) => {
          const zone =
            c.offset === undefined
              ? 'Z'
              : `${c.offset.sign < 0 ? '-' : '+'}${pad(c.offset.hour)}:${pad(c.offset.minute)}`;
          const text = `${pad(c.year, 4)}-${pad(c.month)}-${pad(c.day)}T${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)}${c.fraction === undefined ? '' : `.${c.fraction}`}${zone}`;
          const ms = parseRfc3339(text);
          if (ms === undefined) {
            // Refused: some component is out of range for the calendar.
            const probe = new Date(0);
            probe.setUTCFullYear(c.year, c.month - 1, c.day);
            probe.setUTCHours(c.hour, c.minute, c.second);
            const rolled =
              probe.getUTCFullYear() !== c.year ||
              probe.getUTCMonth() !== c.month - 1 ||
              probe.getUTCDate() !== c.day ||
              probe.getUTCHours() !== c.hour ||
              probe.getUTCMinutes() !== c.minute ||
              probe.getUTCSeconds() !== c.second;
            const badOffset =
              c.offset !== undefined && (c.offset.hour > 23 || c.offset.minute > 59);
            expect(rolled || badOffset).toBe(true);
            return;
          }
          // Accepted: shifting back by the offset gives exactly the written fields.
          const offsetMs =
            c.offset === undefined
              ? 0
              : c.offset.sign * (c.offset.hour * 60 + c.offset.minute) * 60_000;
          const local = new Date(ms + offsetMs);
          expect([
            local.getUTCFullYear(),
            local.getUTCMonth() + 1,
            local.getUTCDate(),
            local.getUTCHours(),
            local.getUTCMinutes(),
            local.getUTCSeconds(),
            local.getUTCMilliseconds(),
          ]).toEqual([
            c.year,
            c.month,
            c.day,
            c.hour,
            c.minute,
            c.second,
            c.fraction === undefined ? 0 : Number(c.fraction.padEnd(3, '0').slice(0, 3)),
          ]);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
