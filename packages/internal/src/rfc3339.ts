import { calendarTimeToEpochMs, fractionToMs } from './calendar.js';

/**
 * Strict RFC 3339 `date-time` parsing: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`.
 *
 * `Date.parse` is not used: it accepts forms RFC 3339 does not (a date alone, no zone, a space
 * separator) and rolls impossible fields over (`2021-02-31`, `T24:00:00`). Here every field is
 * checked against the calendar (`isValidCalendarTime`: no hour 24, no leap second 60)
 * and the offset must lie within ±23:59. Fractions are truncated to the millisecond.
 *
 * Hand-written: no small, well-kept npm package parses RFC 3339 to an instant with these
 * checks (validators only say yes or no; date libraries accept ISO 8601 forms such as `24:00`
 * that RFC 3339 does not).
 */

export interface Rfc3339Options {
  /**
   * Also accept lower-case `t` and `z`, as RFC 3339 §5.6 allows. Default: upper case only,
   * as protobuf JSON and JSON Schema producers write them.
   */
  readonly lowerCase?: boolean;
  /**
   * Most digits accepted in the fraction of a second. Default 9 (nanoseconds, as protobuf's
   * Timestamp); `Infinity` accepts any length.
   */
  readonly maxFractionDigits?: number;
}

const patterns = new Map<string, RegExp>();

function patternFor(lowerCase: boolean, maxFractionDigits: number): RegExp {
  const key = `${lowerCase}:${maxFractionDigits}`;
  let pattern = patterns.get(key);
  if (!pattern) {
    const t = lowerCase ? '[Tt]' : 'T';
    const z = lowerCase ? '[Zz]' : 'Z';
    const fraction = Number.isFinite(maxFractionDigits) ? `{1,${maxFractionDigits}}` : '+';
    pattern = new RegExp(
      `^(\\d{4})-(\\d{2})-(\\d{2})${t}(\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d${fraction}))?(?:${z}|([+-])(\\d{2}):(\\d{2}))$`,
    );
    patterns.set(key, pattern);
  }
  return pattern;
}

/**
 * Epoch milliseconds of a strict RFC 3339 timestamp, or `undefined` for anything else
 * (including values that are not strings and strings `Date` would accept after shifting).
 */
export function parseRfc3339(value: unknown, options: Rfc3339Options = {}): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = patternFor(options.lowerCase ?? false, options.maxFractionDigits ?? 9).exec(value);
  if (!m) return undefined;
  const local = calendarTimeToEpochMs(
    Number(m[1]),
    Number(m[2]),
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
    fractionToMs(m[7]),
  );
  if (local === undefined) return undefined;
  if (m[8] === undefined) return local;
  const offsetHour = Number(m[9]);
  const offsetMinute = Number(m[10]);
  if (offsetHour > 23 || offsetMinute > 59) return undefined;
  return local - (m[8] === '-' ? -1 : 1) * (offsetHour * 60 + offsetMinute) * 60_000;
}
