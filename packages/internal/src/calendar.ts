/**
 * The proleptic Gregorian calendar, checked by hand. `Date` cannot be asked whether a time
 * exists: `Date.UTC` silently rolls impossible fields over (February 31 becomes March 3rd,
 * hour 24 the next midnight) and reads years 0–99 as 1900–1999, so a time read with it could
 * name another instant than the one written. Every parser of the packages checks its fields
 * here first and computes the instant by arithmetic.
 */

/** True for leap years: divisible by 4, and by 400 when divisible by 100. */
export function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** Number of days in `month` (1–12) of `year`; 0 for a month that does not exist. */
export function daysInMonth(year: number, month: number): number {
  if (!Number.isInteger(month) || month < 1 || month > 12) return 0;
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The fields of a UTC calendar time, month and day counted from 1. */
export type CalendarFields = [
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
];

/** {@link CalendarFields} and, optionally, milliseconds (0 when left out). */
export type CalendarTime = [...CalendarFields, millis?: number];

const within = (value: number, min: number, max: number) =>
  Number.isInteger(value) && value >= min && value <= max;

/**
 * True when the fields name a real UTC time of years 0000–9999: month 1–12, day within its
 * month, hour 0–23, minute and second 0–59. Leap seconds (`60`) are refused: `Date`, X.509
 * validity, RFC 3161 tokens and protobuf timestamps all count time without them, so a second
 * 60 could only be mapped to an instant by guessing.
 */
export function isValidCalendarTime(...fields: CalendarFields): boolean {
  const [year, month, day, hour, minute, second] = fields;
  return (
    within(year, 0, 9999) &&
    within(month, 1, 12) &&
    within(day, 1, daysInMonth(year, month)) &&
    within(hour, 0, 23) &&
    within(minute, 0, 59) &&
    within(second, 0, 59)
  );
}

/**
 * Days from 1970-01-01 to a civil date, by arithmetic (valid for any year). The year is
 * counted from March so that the leap day is the last day of the counted year.
 */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * Epoch milliseconds of a UTC calendar time, or `undefined` when the fields name no real time
 * (see {@link isValidCalendarTime}) or `millis` is not an integer 0–999.
 */
export function calendarTimeToEpochMs(...time: CalendarTime): number | undefined {
  const [year, month, day, hour, minute, second, millis = 0] = time;
  if (!isValidCalendarTime(year, month, day, hour, minute, second)) return undefined;
  if (!within(millis, 0, 999)) return undefined;
  return (
    daysSinceEpoch(year, month, day) * 86_400_000 +
    ((hour * 60 + minute) * 60 + second) * 1000 +
    millis
  );
}

/** Milliseconds of a decimal fraction of a second (`"5"` is 500): truncated, never rounded. */
export function fractionToMs(digits: string | undefined): number {
  return digits === undefined ? 0 : Number(digits.padEnd(3, '0').slice(0, 3));
}
