/**
 * Strict RFC 3339 `date-time` parsing, as protobuf JSON writes `google.protobuf.Timestamp`:
 * `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`, upper-case `T` and `Z`.
 *
 * `Date` cannot be used directly: it silently rolls impossible values over
 * (`2021-02-31` becomes March 3rd, `T24:00:00` the next midnight), so a trust window read
 * with it could start or end at another instant than the one written. Here every field is
 * checked against the calendar first:
 *
 * - month 01–12, day within its month (February 29 only in leap years of the Gregorian
 *   calendar: divisible by 4, and by 400 when divisible by 100);
 * - hour 00–23, minute 00–59, second 00–59;
 * - offset hours 00–23 and offset minutes 00–59.
 *
 * Leap seconds (`:60`) are refused: protobuf's Timestamp and JavaScript's `Date` both count
 * time without them, so a `:60` could only be mapped to an instant by guessing.
 * Fractions of up to nine digits are accepted and truncated to the millisecond.
 *
 * Hand-written: no small, well-kept npm package parses RFC 3339 to an instant with these
 * checks (validators only say yes or no, date libraries accept ISO 8601 forms such as
 * `24:00` that RFC 3339 does not).
 */

const PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** True for leap years of the proleptic Gregorian calendar. */
export function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** Number of days in `month` (1–12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Days from 1970-01-01 to the given civil date (proleptic Gregorian). Computed by
 * arithmetic rather than `Date.UTC`, which maps years 0–99 to 1900–1999.
 */
function daysSinceEpoch(year: number, month: number, day: number): number {
  // Count years from March so that the leap day is the last day of the counted year.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const monthFromMarch = (month + 9) % 12;
  const dayOfYear = Math.floor((153 * monthFromMarch + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * Parse a strict RFC 3339 timestamp (see the module comment for the rules). Returns
 * `undefined` for anything else, including strings that `Date` would accept after shifting.
 */
export function parseRfc3339(value: string): Date | undefined {
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
  if (month < 1 || month > 12) return undefined;
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[8] !== undefined) {
    const offsetHour = Number(m[9]);
    const offsetMinute = Number(m[10]);
    if (offsetHour > 23 || offsetMinute > 59) return undefined;
    offsetMinutes = (m[8] === '-' ? -1 : 1) * (offsetHour * 60 + offsetMinute);
  }
  const millis = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  const time =
    daysSinceEpoch(year, month, day) * 86_400_000 +
    ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 +
    millis;
  return new Date(time);
}
