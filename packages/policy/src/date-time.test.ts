import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanInput } from '../test/fixtures.js';
import { isDateTime } from './date-time.js';
import { compilePolicy, createDecisionLog, PolicyError, validateDecisionLog } from './index.js';
import { assertDecisionLog } from './validate.js';

describe('decision-log timestamp (date-time format)', () => {
  it.each([
    '2025-06-01T00:00:00Z',
    '2025-06-01T12:34:56.789Z',
    '2024-02-29T23:59:59Z',
    '2000-02-29T00:00:00+05:30',
    '2025-06-01T00:00:00-23:59',
  ])('accepts %s', (text) => {
    expect(isDateTime(text)).toBe(true);
  });

  it.each([
    '2021-02-31T24:00:00Z',
    '2023-04-31T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2023-13-01T00:00:00Z',
    '2023-00-01T00:00:00Z',
    '2023-06-00T00:00:00Z',
    '2023-06-01T24:00:00Z',
    '2023-06-01T23:60:00Z',
    '2016-12-31T23:59:60Z',
    '2023-06-01T00:00:00+24:00',
    '2023-06-01T00:00:00-00:60',
    '2023-06-01',
    '2023-06-01T00:00:00',
  ])('refuses %s', (text) => {
    expect(isDateTime(text)).toBe(false);
  });

  it('makes the schema refuse a record with an impossible timestamp (DECISION_LOG_INVALID)', () => {
    const policy = compilePolicy();
    const input = cleanInput();
    const record = JSON.parse(
      JSON.stringify(
        createDecisionLog(policy, input, policy.evaluate(input), {
          decisionId: 'x',
          timestamp: new Date('2025-06-01T00:00:00Z'),
        }),
      ),
    );
    expect(validateDecisionLog(record).valid).toBe(true);
    const bad = { ...record, timestamp: '2021-02-31T24:00:00Z' };
    expect(validateDecisionLog(bad)).toEqual({
      valid: false,
      errors: [{ path: '/timestamp', message: 'must match format "date-time"' }],
    });
    expect(() => assertDecisionLog(bad)).toThrow(PolicyError);
    try {
      assertDecisionLog(bad);
    } catch (error) {
      expect((error as PolicyError).code).toBe('DECISION_LOG_INVALID');
    }
  });

  it('agrees with the calendar: accepted exactly when the components are a real time', () => {
    const pad = (n: number, width = 2) => String(n).padStart(width, '0');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 61 }),
        (year, month, day, hour, minute, second) => {
          const text = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}Z`;
          const probe = new Date(0);
          probe.setUTCFullYear(year, month - 1, day);
          probe.setUTCHours(hour, minute, second);
          const real =
            probe.getUTCFullYear() === year &&
            probe.getUTCMonth() === month - 1 &&
            probe.getUTCDate() === day &&
            probe.getUTCHours() === hour &&
            probe.getUTCMinutes() === minute &&
            probe.getUTCSeconds() === second;
          expect(isDateTime(text)).toBe(real);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
