import { parseRfc3339 } from '@flareo/internal/rfc3339';

/**
 * The `date-time` format of the decision-log schema: RFC 3339 with a real calendar time.
 * The schema's `pattern` only checks the shape, so `2021-02-31T24:00:00Z` would pass it;
 * this check refuses month 00/13+, a day past its month's end (Gregorian leap years), hour
 * 24, minute or second 60 (leap seconds are refused: the records are written from `Date`,
 * which has none) and offsets beyond ±23:59. Fractions of any length are accepted. The
 * parser is `@flareo/internal`'s, shared with the other packages and bundled in at build time.
 */
export function isDateTime(value: string): boolean {
  return parseRfc3339(value, { maxFractionDigits: Number.POSITIVE_INFINITY }) !== undefined;
}
