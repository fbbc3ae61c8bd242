// Format checks used by the schema. ajv has no `iri` format, and ajv-formats is not a
// dependency, so the three formats OpenVEX needs are written here.

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** RFC 3339 `date-time`: a `T` separator and an explicit zone are required. */
export function isDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const maxDay = month === 2 && !leap ? 28 : (DAYS_IN_MONTH[month - 1] ?? 31);
  if (day > maxDay) return false;
  if (hour > 23 || minute > 59 || second > 60) return false;
  if (m[8] && m[8] !== 'Z' && m[8] !== 'z') {
    if (Number(m[10]) > 23 || Number(m[11]) > 59) return false;
  }
  return true;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** Whitespace, the characters RFC 3987 excludes, and the C0 controls and DEL. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const IRI_FORBIDDEN = /[\s<>"{}|\\^`\x00-\x1f\x7f]/;

/** An absolute IRI (RFC 3987): a scheme, a colon, then no whitespace or control characters. */
export function isIri(value: string): boolean {
  return SCHEME.test(value) && !IRI_FORBIDDEN.test(value);
}

/** An absolute URI (RFC 3986): like {@link isIri}, restricted to ASCII. */
export function isUri(value: string): boolean {
  return isIri(value) && /^[\x21-\x7e]*$/.test(value);
}

/**
 * A parsed instant that keeps sub-millisecond digits, so that two RFC 3339 times compare
 * exactly even with nanosecond fractions (which `Date` would round).
 */
export interface Instant {
  /** Milliseconds since the epoch. */
  readonly ms: number;
  /** Nanoseconds within the millisecond, 0–999,999. */
  readonly subMs: number;
}

/** Parse an RFC 3339 time; `undefined` when absent or not valid. */
export function parseInstant(value: string | undefined): Instant | undefined {
  if (value === undefined) return undefined;
  const m = DATE_TIME.exec(value);
  if (!m || !isDateTime(value)) return undefined;
  const fraction = (m[7] ?? '.').slice(1).padEnd(9, '0').slice(0, 9);
  const ms0 = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Math.min(Number(m[6]), 59),
  );
  let offset = 0;
  if (m[9]) offset = (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11])) * 60_000;
  return { ms: ms0 - offset + Number(fraction.slice(0, 3)), subMs: Number(fraction.slice(3)) };
}

/** Compare two instants; an absent instant is older than any present one. */
export function compareInstants(a: Instant | undefined, b: Instant | undefined): number {
  if (!a || !b) return a ? 1 : b ? -1 : 0;
  return a.ms - b.ms || a.subMs - b.subMs;
}
