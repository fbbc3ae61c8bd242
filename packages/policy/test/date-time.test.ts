import { describe, expect, it } from 'vitest';
import { isDateTime } from '../src/date-time.js';
import { validateDecisionLog } from '../src/documents.js';
import { compilePolicy, createDecisionLog, PolicyError } from '../src/index.js';
import { assertDecisionLog } from '../src/validate.js';
import { cleanInput } from '../test/fixtures.js';

// The calendar checks and their fast-check properties are @flareo/internal's (calendar.ts,
// rfc3339.ts); these tables hold this package's variant: upper-case T and Z, fractions of any
// length, a yes or no.
describe('decision-log timestamp (date-time format)', () => {
  it.each([
    '2025-06-01T00:00:00Z',
    '2025-06-01T12:34:56.789Z',
    '2024-02-29T23:59:59Z',
    '2000-02-29T00:00:00+05:30',
    '2025-06-01T00:00:00-23:59',
    '2025-06-01T12:34:56.123456789012Z',
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
    '2023-06-01t00:00:00Z',
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
});
