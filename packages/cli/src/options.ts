import { InvalidArgumentError } from 'commander';
import { oneLine, shown } from './text.js';

/**
 * The option-value parsers every command uses. Each one either returns the parsed value or
 * throws commander's `InvalidArgumentError`, which commander turns into one line on stderr
 * naming the option and the value given (`error: option '--min-score <n>' argument 'abc' is
 * invalid. expected …`) and which the entry point turns into exit status 2. Never throw
 * anything else from a parser: commander rethrows other errors as they are.
 */

/** A plain decimal number: optional sign, digits, optional fraction and exponent. No hex, no spaces. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** What an integer option accepts, inclusive. */
export interface IntegerRange {
  readonly min: number;
  readonly max?: number;
}

/** What a number option accepts. */
export interface NumberRange {
  readonly min?: number;
  /** True when `min` itself is refused (`> min` rather than `>= min`). */
  readonly exclusiveMin?: boolean;
  readonly max?: number;
}

function rangeText(r: NumberRange): string {
  const low = r.min === undefined ? '' : r.exclusiveMin ? `more than ${r.min}` : `${r.min}`;
  if (r.min !== undefined && r.max !== undefined && !r.exclusiveMin) {
    return `from ${r.min} to ${r.max}`;
  }
  if (r.min !== undefined && r.max !== undefined) return `${low} and at most ${r.max}`;
  if (r.min !== undefined) return r.exclusiveMin ? low : `>= ${r.min}`;
  if (r.max !== undefined) return `<= ${r.max}`;
  return '';
}

/** An integer option within `range` (decimal digits only). */
export function integerOption(range: IntegerRange) {
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  const expected =
    range.max === undefined
      ? `expected an integer >= ${range.min}`
      : `expected an integer from ${range.min} to ${range.max}`;
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(expected);
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < range.min || n > max) {
      throw new InvalidArgumentError(expected);
    }
    return n;
  };
}

/** A finite decimal number option within `range`. */
export function numberOption(range: NumberRange = {}) {
  const bounds = rangeText(range);
  const expected = `expected a finite number${bounds ? ` ${bounds}` : ''}`;
  return (value: string): number => {
    if (!DECIMAL.test(value)) throw new InvalidArgumentError(expected);
    const n = Number(value);
    if (!Number.isFinite(n)) throw new InvalidArgumentError(expected);
    if (range.min !== undefined && (range.exclusiveMin ? n <= range.min : n < range.min)) {
      throw new InvalidArgumentError(expected);
    }
    if (range.max !== undefined && n > range.max) throw new InvalidArgumentError(expected);
    return n;
  };
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;

const daysIn = (year: number, month: number): number =>
  month === 2
    ? (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31;

/**
 * An RFC 3339 date-time option (`2024-05-01T12:00:00Z`, `…+02:00`), checked against the
 * calendar: no 31 April, no 29 February outside leap years, hours 0–23, minutes and seconds
 * 0–59 (no leap second), offsets up to ±23:59. Returns the text as given.
 */
export function rfc3339Option() {
  const expected = 'expected an RFC 3339 date-time such as 2024-05-01T12:00:00Z';
  return (value: string): string => {
    const m = RFC3339.exec(value);
    if (!m) throw new InvalidArgumentError(expected);
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as number[];
    const offH = m[9] === undefined ? 0 : Number(m[9]);
    const offM = m[10] === undefined ? 0 : Number(m[10]);
    if (
      (month as number) < 1 ||
      (month as number) > 12 ||
      (day as number) < 1 ||
      (day as number) > daysIn(year as number, month as number) ||
      (hour as number) > 23 ||
      (minute as number) > 59 ||
      (second as number) > 59 ||
      offH > 23 ||
      offM > 59
    ) {
      throw new InvalidArgumentError(expected);
    }
    return value;
  };
}

/** An `http:` or `https:` URL option (a log's base URL). */
export function urlOption() {
  const expected = 'expected an http or https URL such as https://rekor.example.com';
  return (value: string): string => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new InvalidArgumentError(expected);
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.hostname === '') {
      throw new InvalidArgumentError(expected);
    }
    return value;
  };
}

/** A repeatable `os/arch[/variant]` option (`linux/amd64`, `linux/arm64/v8`). */
export function platformOption() {
  const expected = 'expected os/arch or os/arch/variant, such as linux/arm64/v8';
  return (value: string, previous: readonly string[] | undefined): string[] => {
    if (!/^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)?$/i.test(value)) {
      throw new InvalidArgumentError(expected);
    }
    return [...(previous ?? []), value];
  };
}

/**
 * Commander's error text as one line: the value commander echoes (`argument '<value>' is
 * invalid`) is escaped and shortened, any other control character escaped.
 */
export function commanderErrorLine(text: string): string {
  const trimmed = text.replace(/\n$/, '');
  const m = /^(.*? argument ')([\s\S]*)(' is invalid\.[^\n]*)$/.exec(trimmed);
  return m
    ? `${oneLine(m[1] as string)}${shown(m[2] as string)}${oneLine(m[3] as string)}`
    : oneLine(trimmed);
}
