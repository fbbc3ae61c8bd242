import { parseRfc3339 as parseStrict } from '@flareo/internal/rfc3339';

/**
 * Strict RFC 3339 `date-time` parsing for signing times:
 * `YYYY-MM-DD(T|t)HH:MM:SS[.fraction](Z|z|+HH:MM|-HH:MM)`, fractions of up to nine digits
 * truncated to the millisecond.
 *
 * `Date.parse` is not used: it accepts forms RFC 3339 does not (date only, no zone, a space
 * separator) and silently rolls impossible values over (`2021-02-31` becomes March 3rd,
 * `T24:00:00` the next midnight), so a freshness signal could be computed from another
 * instant than the one written. The calendar checks (real days, Gregorian leap years, hours
 * 00–23, no leap second 60, offsets within ±23:59) are `@flareo/internal`'s, shared with the
 * other packages and bundled in at build time.
 */
export function parseRfc3339(value: string): number | undefined {
  return parseStrict(value, { lowerCase: true });
}
