import { expect } from 'vitest';

/**
 * Scaffolding of the packages' argument-validation table tests: every public function is
 * called with values of every type a caller might pass by mistake, and each call must fail
 * with the package's own error class and a stable code, never a raw TypeError. For tests
 * only (it imports vitest): no package's source imports it.
 */

/** A labelled value of the wrong type. */
export type WrongValue = readonly [label: string, value: unknown];

/** Values of every JavaScript type a caller might pass by mistake. */
export const WRONG_VALUES: readonly WrongValue[] = [
  ['undefined', undefined],
  ['null', null],
  ['a number', 42],
  ['a string', 'text'],
  ['a boolean', true],
  ['a plain object', {}],
  ['an array', []],
  ['a Uint8Array', new Uint8Array([1, 2, 3])],
  ['a function', () => 1],
];

/** {@link WRONG_VALUES} with a bigint, for packages whose API takes bigints. */
export const WRONG_VALUES_WITH_BIGINT: readonly WrongValue[] = [
  ...WRONG_VALUES.slice(0, 3),
  ['a bigint', 42n],
  ...WRONG_VALUES.slice(3),
];

/** One table row: a label, the call, and the code expected when not the table's default. */
export type Row<Code extends string> = readonly [
  label: string,
  call: () => unknown,
  code?: Code | undefined,
];

/**
 * One row per value of `values` that `accepts` refuses, calling `call` with it. `code` is the
 * expected code when not the default, or a function choosing it by value.
 */
export function wrongRows<Code extends string>(
  values: readonly WrongValue[],
  parameter: string,
  accepts: (value: unknown) => boolean,
  call: (value: unknown) => unknown,
  code?: Code | ((value: unknown) => Code),
): Row<Code>[] {
  return values
    .filter(([, v]) => !accepts(v))
    .map(
      ([name, v]) =>
        [
          `${parameter} = ${name}`,
          () => call(v),
          typeof code === 'function' ? code(v) : code,
        ] as const,
    );
}

export const isString = (v: unknown) => typeof v === 'string';
export const isBytes = (v: unknown) => v instanceof Uint8Array;
export const isBigint = (v: unknown) => typeof v === 'bigint';
export const isUndefined = (v: unknown) => v === undefined;
/** Accepts nothing: every wrong value is refused. */
export const never = () => false;
/** `{}` itself: valid where every field is optional. */
export const isEmptyObject = (v: unknown) =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  !isBytes(v) &&
  Object.keys(v).length === 0;
/** `undefined` or `{}`: valid for an options parameter. */
export const optionalObject = (v: unknown) => v === undefined || isEmptyObject(v);
/** Accepts what any of `tests` accepts. */
export const either =
  (...tests: ((v: unknown) => boolean)[]) =>
  (v: unknown) =>
    tests.some((t) => t(v));

/** A package's error class: an `Error` with a string `code`. */
export type CodedErrorClass = abstract new (...args: never[]) => Error & { readonly code: string };

/**
 * Asserts that `call` fails with an instance of `errorClass` carrying `code`. With `async`,
 * the call must not throw but return a promise that rejects (the contract of an async
 * function); otherwise it must throw synchronously.
 */
export async function expectCoded(
  errorClass: CodedErrorClass,
  call: () => unknown,
  code: string,
  async = false,
): Promise<void> {
  let thrown: unknown;
  let returned: unknown;
  try {
    returned = call();
  } catch (error) {
    thrown = error;
  }
  if (async) {
    expect(thrown, 'an async function threw synchronously').toBeUndefined();
    expect(returned).toBeInstanceOf(Promise);
    try {
      await returned;
    } catch (error) {
      thrown = error;
    }
  }
  expect(thrown, `expected a ${errorClass.name}, got no error`).toBeDefined();
  if (!(thrown instanceof errorClass)) {
    throw new Error(`expected a ${errorClass.name}, got ${String(thrown)}`, { cause: thrown });
  }
  expect(thrown.code).toBe(code);
}

/**
 * The error `call` throws, which must be an instance of `errorClass`: the one `rejection`
 * helper of the package test suites. A call that succeeds, or throws anything else (a raw
 * `TypeError` above all), fails the test.
 */
export function rejectionOf<E extends Error>(
  errorClass: abstract new (...args: never[]) => E,
  call: () => unknown,
): E {
  try {
    call();
  } catch (error) {
    if (error instanceof errorClass) return error;
    throw new Error(`expected a ${errorClass.name}, got ${String(error)}`, { cause: error });
  }
  throw new Error(`expected a ${errorClass.name}, but the call succeeded`);
}
