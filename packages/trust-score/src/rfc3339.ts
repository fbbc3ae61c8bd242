/**
 * Strict RFC 3339 `date-time` parsing for signing times:
 * `YYYY-MM-DD(T|t)HH:MM:SS[.fraction](Z|z|+HH:MM|-HH:MM)`.
 *
 * `Date.parse` is not used: it accepts forms RFC 3339 does not (date only, no zone, a space
 * separator) and silently rolls impossible values over (`2021-02-31` becomes March 3rd,
 * `T24:00:00` the next midnight), so a freshness signal could be computed from another
 * instant than the one written. Every field is checked against the calendar instead:
 *
 * - month 01–12, day within its month (Gregorian leap years);
 * - hour 00–23, minute 00–59, second 00–59;
 * - offset hours 00–23 and offset minutes 00–59.
 *
 * Leap seconds (`:60`) are refused: `Date` and Sigstore's times count without them, so a
 * `:60` could only be mapped to an instant by guessing. Fractions of up to nine digits are
 * truncated to the millisecond.
 */

const PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Parse a strict RFC 3339 timestamp to epoch milliseconds; `undefined` for anything else,
 * including strings that `Date.parse` would accept after shifting them.
 */
export function parseRfc3339(value: string): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = PATTERN.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[8] !== undefined) {
    const offsetHour = Number(m[9]);
    const offsetMinute = Number(m[10]);
    if (offsetHour > 23 || offsetMinute > 59) return undefined;
    offsetMinutes = (m[8] === '-' ? -1 : 1) * (offsetHour * 60 + offsetMinute);
  }
  // setUTCFullYear, unlike Date.UTC, keeps years 0-99 as written; the fields are valid, so
  // nothing rolls over.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  const millis = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime() - offsetMinutes * 60_000;
}
