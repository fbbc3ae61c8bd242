import { parseRfc3339 as parseStrict } from '@flareo/internal/rfc3339';

/**
 * Strict RFC 3339 `date-time` parsing, as protobuf JSON writes `google.protobuf.Timestamp`:
 * `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`, upper-case `T` and `Z`, fractions of up
 * to nine digits (truncated to the millisecond).
 *
 * `Date` cannot be used directly: it silently rolls impossible values over (`2021-02-31`
 * becomes March 3rd, `T24:00:00` the next midnight), so a trust window read with it could
 * start or end at another instant than the one written. The calendar checks (real days,
 * Gregorian leap years, hours 00–23, no leap second 60, offsets within ±23:59) are
 * `@flareo/internal`'s, shared with the other packages and bundled in at build time.
 */
export function parseRfc3339(value: string): Date | undefined {
  const ms = parseStrict(value);
  return ms === undefined ? undefined : new Date(ms);
}
