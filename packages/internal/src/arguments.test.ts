import { describe, expect, it } from 'vitest';
import {
  type ArgumentMismatch,
  createChecks,
  describeMismatch,
  isRecord,
  typeOf,
} from './arguments.js';

class CodedError extends Error {
  constructor(
    readonly code: 'BAD_ARGUMENT',
    message: string,
    readonly detail: ArgumentMismatch,
  ) {
    super(message);
  }
}

const checks = createChecks(
  (message, mismatch) => new CodedError('BAD_ARGUMENT', message, mismatch),
);

/** The error `call` throws (the test fails when it throws none). */
function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, got none');
}

describe('typeOf', () => {
  it.each([
    [null, 'null'],
    [undefined, 'undefined'],
    [[1], 'array'],
    [new Uint8Array(1), 'Uint8Array'],
    [new Date(0), 'Date'],
    [new Date(Number.NaN), 'invalid Date'],
    [{}, 'object'],
    [Object.create(null), 'object'],
    [new Map(), 'Map'],
    [42, 'number'],
    [42n, 'bigint'],
    ['x', 'string'],
    [() => 1, 'function'],
    [Symbol('s'), 'symbol'],
  ])('describes %o as %s', (value, expected) => {
    expect(typeOf(value)).toBe(expected);
  });
});

describe('isRecord', () => {
  it('accepts objects, not null, arrays or bytes', () => {
    expect([{}, { a: 1 }, new Map()].map(isRecord)).toEqual([true, true, true]);
    expect([null, [], new Uint8Array(1), 'x', 1, undefined].map(isRecord)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('describeMismatch', () => {
  it('names the function, the parameter, what was expected and the type given', () => {
    expect(describeMismatch('load', 'options.path', 'a string', 42)).toEqual({
      message: 'load: options.path must be a string, got number',
      mismatch: { field: 'options.path', expected: 'a string', actual: 'number' },
    });
  });
});

describe('createChecks', () => {
  it.each([
    [
      'requireRecord',
      checks.requireRecord,
      { a: 1 },
      [[], null, new Uint8Array(1), 'x'],
      'an object',
    ],
    ['requireString', checks.requireString, 'text', [1, null, undefined, {}], 'a string'],
    [
      'requireBytes',
      checks.requireBytes,
      new Uint8Array(2),
      [[1, 2], 'AQI=', null],
      'a Uint8Array',
    ],
    ['requireBigint', checks.requireBigint, 7n, [7, '7', null], 'a bigint'],
    ['requireDate', checks.requireDate, new Date(0), [0, '2024-01-01', null], 'a Date'],
  ] as const)(
    '%s returns what it accepts and refuses the rest',
    (_name, check, good, bad, expected) => {
      expect(check('fn', 'p', good)).toBe(good);
      for (const value of bad) {
        const error = thrownBy(() => check('fn', 'p', value));
        expect(error).toBeInstanceOf(CodedError);
        expect((error as CodedError).message).toBe(
          `fn: p must be ${expected}, got ${typeOf(value)}`,
        );
        expect((error as CodedError).detail).toEqual({
          field: 'p',
          expected,
          actual: typeOf(value),
        });
      }
    },
  );

  it('requireOptional gives {} for undefined and refuses what is not an object', () => {
    expect(checks.requireOptional('fn', 'options', undefined)).toEqual({});
    const given = { a: 1 };
    expect(checks.requireOptional('fn', 'options', given)).toBe(given);
    expect(thrownBy(() => checks.requireOptional('fn', 'options', null))).toBeInstanceOf(
      CodedError,
    );
    expect(thrownBy(() => checks.requireOptional('fn', 'options', []))).toBeInstanceOf(CodedError);
  });

  it('optionalString and optionalBoolean let undefined through', () => {
    expect(() => checks.optionalString('fn', 'p', undefined)).not.toThrow();
    expect(() => checks.optionalString('fn', 'p', 'x')).not.toThrow();
    expect(thrownBy(() => checks.optionalString('fn', 'p', 1))).toBeInstanceOf(CodedError);
    expect(() => checks.optionalBoolean('fn', 'p', undefined)).not.toThrow();
    expect(() => checks.optionalBoolean('fn', 'p', false)).not.toThrow();
    const error = thrownBy(() => checks.optionalBoolean('fn', 'p', 'true'));
    expect((error as CodedError).detail).toEqual({
      field: 'p',
      expected: 'a boolean',
      actual: 'string',
    });
  });

  it('requireArrayOf checks every item under its own path', () => {
    expect(() =>
      checks.requireArrayOf('fn', 'list', ['a', 'b'], checks.requireString),
    ).not.toThrow();
    const notArray = thrownBy(() => checks.requireArrayOf('fn', 'list', 'a', checks.requireString));
    expect((notArray as CodedError).message).toBe('fn: list must be an array, got string');
    const badItem = thrownBy(() =>
      checks.requireArrayOf('fn', 'list', ['a', 2], checks.requireString),
    );
    expect((badItem as CodedError).message).toBe('fn: list[1] must be a string, got number');
    expect((badItem as CodedError).detail.field).toBe('list[1]');
  });

  it('argumentError builds the caller’s own error', () => {
    const error = checks.argumentError('fn', 'p', 'something', 1);
    expect(error).toBeInstanceOf(CodedError);
    expect(error.code).toBe('BAD_ARGUMENT');
    expect(error.message).toBe('fn: p must be something, got number');
  });
});
