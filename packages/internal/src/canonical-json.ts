/**
 * Canonical JSON (RFC 8785, JSON Canonicalization Scheme) of JSON data held in memory, the
 * one implementation the packages share: object members sorted by their names' UTF-16 code
 * units, no whitespace, strings and numbers written as ECMAScript's `JSON.stringify` writes
 * them (which is what RFC 8785 §3.2.2 prescribes). Two JSON values are deeply equal exactly
 * when their canonical texts are equal, which is what the callers use it for: duplicate
 * detection (vex), content hashes (vex merge ids, policy config hashes) and the bodies and
 * signed payloads of the test logs (testkit).
 *
 * Hand-written rather than taken from the `canonicalize` package: the walk is twenty lines,
 * the callers need a depth limit and typed errors, and vex runs it for every statement of
 * every document it validates, so it builds one string in place without intermediate arrays.
 *
 * Values are read as plain data: `toJSON` is not called, object members are the own
 * enumerable string keys, and, as with `JSON.stringify`, members whose value is `undefined`,
 * a function or a symbol are left out (in an array such a value is written `null`, and so is
 * such a value at the top level).
 */

/** Why a value has no canonical JSON. */
export type CanonicalJsonErrorCode =
  /** The value nests arrays and objects deeper than `maxDepth`, or contains itself. */
  | 'TOO_DEEP'
  /** A `bigint`, with `bigint: 'reject'`. */
  | 'BIGINT'
  /** `NaN` or an infinity, with `nonFinite: 'reject'`. */
  | 'NOT_FINITE';

/** Thrown by {@link canonicalJson}; callers turn it into their own package's error. */
export class CanonicalJsonError extends Error {
  override readonly name = 'CanonicalJsonError';
  readonly code: CanonicalJsonErrorCode;

  constructor(code: CanonicalJsonErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Options of {@link canonicalJson}. The defaults are strict RFC 8785. */
export interface CanonicalJsonOptions {
  /**
   * How a `bigint` is written: `'reject'` throws `BIGINT` (JSON numbers are IEEE doubles);
   * `'integer'` writes its decimal digits, for integers beyond 2^53 that must stay exact
   * (the test logs' indexes and times), which RFC 8785 does not cover.
   * @defaultValue `'reject'`
   */
  readonly bigint?: 'reject' | 'integer';
  /**
   * How `NaN` and the infinities are written: `'reject'` throws `NOT_FINITE`, as RFC 8785
   * requires; `'null'` writes `null`, as `JSON.stringify` does (for callers that must keep
   * the output they gave before this was shared).
   * @defaultValue `'reject'`
   */
  readonly nonFinite?: 'reject' | 'null';
  /**
   * The deepest nesting of arrays and objects read (the top-level value is depth 1); a
   * value beyond it, or one that contains itself, throws `TOO_DEEP` instead of overflowing
   * the stack.
   * @defaultValue `128`
   */
  readonly maxDepth?: number;
}

/** Default of {@link CanonicalJsonOptions.maxDepth}. */
export const CANONICAL_JSON_MAX_DEPTH = 128;

interface Settings {
  readonly integers: boolean;
  readonly nullForNonFinite: boolean;
  readonly maxDepth: number;
}

const DEFAULTS: Settings = {
  integers: false,
  nullForNonFinite: false,
  maxDepth: CANONICAL_JSON_MAX_DEPTH,
};

/** The canonical JSON text of `value`. Throws {@link CanonicalJsonError}. */
export function canonicalJson(value: unknown, options?: CanonicalJsonOptions): string {
  const settings: Settings =
    options === undefined
      ? DEFAULTS
      : {
          integers: options.bigint === 'integer',
          nullForNonFinite: options.nonFinite === 'null',
          maxDepth: options.maxDepth ?? CANONICAL_JSON_MAX_DEPTH,
        };
  return write(value, 1, settings);
}

function write(v: unknown, depth: number, settings: Settings): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      if (Number.isFinite(v)) return JSON.stringify(v);
      if (settings.nullForNonFinite) return 'null';
      throw new CanonicalJsonError('NOT_FINITE', `${v} has no JSON form`);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      if (settings.integers) return v.toString();
      throw new CanonicalJsonError('BIGINT', 'a bigint has no JSON form');
    case 'object':
      break;
    default:
      // undefined, a function or a symbol: `null` where a value must be written.
      return 'null';
  }
  if (v === null) return 'null';
  if (depth > settings.maxDepth) {
    throw new CanonicalJsonError(
      'TOO_DEEP',
      `the value nests deeper than ${settings.maxDepth} levels, or contains itself`,
    );
  }
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out += ',';
      out += write(v[i], depth + 1, settings);
    }
    return `${out}]`;
  }
  const record = v as Record<string, unknown>;
  // Array.prototype.sort without a comparator orders strings by UTF-16 code units, the order
  // RFC 8785 §3.2.3 prescribes.
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') {
      continue;
    }
    out += `${first ? '' : ','}${JSON.stringify(key)}:${write(member, depth + 1, settings)}`;
    first = false;
  }
  return `${out}}`;
}
