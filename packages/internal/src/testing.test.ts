import { describe, expect, it } from 'vitest';
import {
  either,
  expectCoded,
  isBytes,
  isEmptyObject,
  isString,
  optionalObject,
  rejectionOf,
  WRONG_VALUES,
  WRONG_VALUES_WITH_BIGINT,
  wrongRows,
} from './testing.js';

class CodedError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

describe('table-test scaffolding', () => {
  it('lists one value of each type, and a bigint only when asked', () => {
    expect(WRONG_VALUES.map(([label]) => label)).toEqual([
      'undefined',
      'null',
      'a number',
      'a string',
      'a boolean',
      'a plain object',
      'an array',
      'a Uint8Array',
      'a function',
    ]);
    expect(WRONG_VALUES_WITH_BIGINT.map(([, v]) => typeof v)).toContain('bigint');
    expect(WRONG_VALUES_WITH_BIGINT).toHaveLength(WRONG_VALUES.length + 1);
  });

  it('makes a row for every value the parameter does not accept', () => {
    const seen: unknown[] = [];
    const rows = wrongRows(WRONG_VALUES, 'name', either(isString, isBytes), (v) => seen.push(v));
    expect(rows.map(([label]) => label)).not.toContain('name = a string');
    expect(rows.map(([label]) => label)).not.toContain('name = a Uint8Array');
    expect(rows).toHaveLength(WRONG_VALUES.length - 2);
    for (const [, call] of rows) call();
    expect(seen.some((v) => typeof v === 'string' || v instanceof Uint8Array)).toBe(false);
    const coded = wrongRows(
      WRONG_VALUES,
      'o',
      optionalObject,
      () => 0,
      (v) => (v === null ? 'NULL' : 'OTHER'),
    );
    expect(coded.find(([label]) => label === 'o = null')?.[2]).toBe('NULL');
    expect(coded.find(([label]) => label === 'o = a number')?.[2]).toBe('OTHER');
    expect(isEmptyObject({ a: 1 })).toBe(false);
  });

  it('expectCoded passes only for the class and code expected', async () => {
    await expectCoded(
      CodedError,
      () => {
        throw new CodedError('A');
      },
      'A',
    );
    await expect(expectCoded(CodedError, () => 1, 'A')).rejects.toThrow(/got no error/);
    await expect(
      expectCoded(
        CodedError,
        () => {
          throw new TypeError('raw');
        },
        'A',
      ),
    ).rejects.toThrow(/expected a CodedError, got TypeError: raw/);
    await expect(
      expectCoded(
        CodedError,
        () => {
          throw new CodedError('B');
        },
        'A',
      ),
    ).rejects.toThrow();
  });

  it('expectCoded holds an async function to rejecting, not throwing', async () => {
    await expectCoded(CodedError, () => Promise.reject(new CodedError('A')), 'A', true);
    await expect(
      expectCoded(
        CodedError,
        () => {
          throw new CodedError('A');
        },
        'A',
        true,
      ),
    ).rejects.toThrow(/threw synchronously/);
  });
});

describe('rejectionOf', () => {
  class CodedError extends Error {
    readonly code = 'X';
  }
  it('returns the error of the expected class', () => {
    const error = new CodedError('boom');
    expect(
      rejectionOf(CodedError, () => {
        throw error;
      }),
    ).toBe(error);
  });
  it('fails on success and on another error, keeping it as cause', () => {
    expect(() => rejectionOf(CodedError, () => 1)).toThrow(/but the call succeeded/);
    const raw = new TypeError('raw');
    let caught: unknown;
    try {
      rejectionOf(CodedError, () => {
        throw raw;
      });
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).message).toMatch(/expected a CodedError, got TypeError: raw/);
    expect((caught as Error).cause).toBe(raw);
  });
});
