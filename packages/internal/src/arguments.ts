/**
 * Argument checks of public functions, shared by the packages. A value of the wrong type is
 * refused before it can surface as a raw TypeError deep inside, with a message naming the
 * function, the parameter, what was expected and what was given. Each package keeps its own
 * error class and code: {@link createChecks} takes the factory that builds its error.
 */

/** A short description of a value's type for messages: `null`, `array`, `Uint8Array`, ... */
export function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Uint8Array) return 'Uint8Array';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'invalid Date' : 'Date';
  if (typeof value === 'object') {
    const name = Object.getPrototypeOf(value)?.constructor?.name;
    return name && name !== 'Object' ? name : 'object';
  }
  return typeof value;
}

/** An object that is neither an array nor bytes: what a record or options parameter takes. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  !(value instanceof Uint8Array);

/** What a refused argument was: the parameter's path, what it must be, the type it had. */
export interface ArgumentMismatch {
  readonly field: string;
  readonly expected: string;
  readonly actual: string;
}

/** Builds a package's own error for a refused argument. */
export type ArgumentErrorFactory<E extends Error> = (
  message: string,
  mismatch: ArgumentMismatch,
) => E;

/** The message and detail of a refused argument, for packages that build errors themselves. */
export function describeMismatch(
  fn: string,
  parameter: string,
  expected: string,
  value: unknown,
): { readonly message: string; readonly mismatch: ArgumentMismatch } {
  const actual = typeOf(value);
  return {
    message: `${fn}: ${parameter} must be ${expected}, got ${actual}`,
    mismatch: { field: parameter, expected, actual },
  };
}

/** The checks, throwing the errors `fail` builds. Each returns the value it accepted. */
export function createChecks<E extends Error>(fail: ArgumentErrorFactory<E>) {
  function argumentError(fn: string, parameter: string, expected: string, value: unknown): E {
    const { message, mismatch } = describeMismatch(fn, parameter, expected, value);
    return fail(message, mismatch);
  }

  function requireRecord(fn: string, parameter: string, value: unknown): Record<string, unknown> {
    if (!isRecord(value)) throw argumentError(fn, parameter, 'an object', value);
    return value;
  }

  /** `undefined` (use the defaults) or a plain object. */
  function requireOptional(fn: string, parameter: string, value: unknown): Record<string, unknown> {
    return value === undefined ? {} : requireRecord(fn, parameter, value);
  }

  function requireString(fn: string, parameter: string, value: unknown): string {
    if (typeof value !== 'string') throw argumentError(fn, parameter, 'a string', value);
    return value;
  }

  function optionalString(fn: string, parameter: string, value: unknown): void {
    if (value !== undefined) requireString(fn, parameter, value);
  }

  function requireBytes(fn: string, parameter: string, value: unknown): Uint8Array {
    if (!(value instanceof Uint8Array)) throw argumentError(fn, parameter, 'a Uint8Array', value);
    return value;
  }

  function requireBigint(fn: string, parameter: string, value: unknown): bigint {
    if (typeof value !== 'bigint') throw argumentError(fn, parameter, 'a bigint', value);
    return value;
  }

  function requireDate(fn: string, parameter: string, value: unknown): Date {
    if (!(value instanceof Date)) throw argumentError(fn, parameter, 'a Date', value);
    return value;
  }

  function optionalBoolean(fn: string, parameter: string, value: unknown): void {
    if (value !== undefined && typeof value !== 'boolean') {
      throw argumentError(fn, parameter, 'a boolean', value);
    }
  }

  /** An array whose every item passes `check` (given the item's path, `parameter[i]`). */
  function requireArrayOf(
    fn: string,
    parameter: string,
    value: unknown,
    check: (fn: string, parameter: string, item: unknown) => void,
  ): void {
    if (!Array.isArray(value)) throw argumentError(fn, parameter, 'an array', value);
    value.forEach((item, i) => {
      check(fn, `${parameter}[${i}]`, item);
    });
  }

  return {
    argumentError,
    requireRecord,
    requireOptional,
    requireString,
    optionalString,
    requireBytes,
    requireBigint,
    requireDate,
    optionalBoolean,
    requireArrayOf,
  };
}
