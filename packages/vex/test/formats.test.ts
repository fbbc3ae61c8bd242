import { describe, expect, it } from 'vitest';
import { compareInstants, isDateTime, parseInstant } from '../src/formats.js';
import { validateVex } from '../src/index.js';
import { doc, na } from './helpers.js';

describe('date-time (the shared RFC 3339 parser)', () => {
  it.each([
    '2024-01-01T00:00:00Z',
    '2024-01-01t00:00:00z',
    '2024-02-29T23:59:59.123456789123+05:30',
    '2024-12-31T23:59:59-23:59',
  ])('accepts %s', (value) => {
    expect(isDateTime(value)).toBe(true);
  });

  it.each([
    '2024-06-30T23:59:60Z',
    '2023-02-29T00:00:00Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01T00:00:00+24:00',
    '2024-01-01 00:00:00Z',
    '2024-01-01T00:00:00',
    '2024-01-01',
  ])('refuses %s', (value) => {
    expect(isDateTime(value)).toBe(false);
  });

  it('a document whose timestamp is a leap second does not validate', () => {
    const r = validateVex(doc([na('CVE-1', 'pkg:npm/a')], { timestamp: '2016-12-31T23:59:60Z' }));
    expect(r.valid).toBe(false);
    expect(r.errors.map((e) => e.path)).toContain('/timestamp');
  });

  it('keeps nanoseconds for ordering, and reads years before 100 as written', () => {
    const a = parseInstant('2024-01-01T00:00:00.000000001Z');
    const b = parseInstant('2024-01-01T00:00:00.000000002Z');
    expect(a?.ms).toBe(b?.ms);
    expect(compareInstants(a, b)).toBeLessThan(0);
    expect(parseInstant('0050-01-01T00:00:00Z')?.ms).toBe(Date.parse('0050-01-01T00:00:00Z'));
    expect(parseInstant('2024-01-01T01:00:00+01:00')?.ms).toBe(Date.UTC(2024, 0, 1));
    expect(parseInstant('2024-06-30T23:59:60Z')).toBeUndefined();
  });
});
