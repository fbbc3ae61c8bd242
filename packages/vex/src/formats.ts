import { parseRfc3339 } from '@flareo/internal/rfc3339';

// Format checks used by the schema. ajv has no `iri` format, and ajv-formats is not a
// dependency, so the three formats OpenVEX needs are written here (`date-time` on the shared
// RFC 3339 parser).

/**
 * How OpenVEX times are read by the shared strict parser (`@flareo/internal/rfc3339`): RFC
 * 3339 §5.6 as written, so lower-case `t` and `z` and fractions of any length are accepted;
 * impossible fields (month 13, February 30, hour 24, a leap second `:60`) are not.
 */
const RFC3339 = { lowerCase: true, maxFractionDigits: Number.POSITIVE_INFINITY } as const;

/** RFC 3339 `date-time`: a `T` separator and an explicit zone are required. */
export function isDateTime(value: string): boolean {
  return parseRfc3339(value, RFC3339) !== undefined;
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
  const ms = parseRfc3339(value, RFC3339);
  if (ms === undefined) return undefined;
  // The date and time before the fraction hold no `.`: the first one starts the fraction.
  const fraction = FRACTION.exec(value)?.[1] ?? '';
  return { ms, subMs: Number(fraction.slice(3, 9).padEnd(6, '0')) };
}

const FRACTION = /\.(\d+)/;

/** Compare two instants; an absent instant is older than any present one. */
export function compareInstants(a: Instant | undefined, b: Instant | undefined): number {
  if (!a || !b) return a ? 1 : b ? -1 : 0;
  return a.ms - b.ms || a.subMs - b.subMs;
}
