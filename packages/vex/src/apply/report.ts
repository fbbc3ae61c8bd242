import { copyPlainJson, isPlainJson, NOT_PLAIN } from '../copy.js';
import { assertShallow, MAX_REPORT_DEPTH } from '../depth.js';
import { VexError } from '../errors.js';

// Reading a scanner report: parsing or copying it (the input is never changed), and typed
// access to its JSON fields.

/**
 * A deep copy of a report given as a value. Reports are JSON data (plain objects, arrays,
 * strings, numbers, booleans, null), which {@link copyPlainJson} copies several times faster
 * than `structuredClone`; anything else (a Date, a Map, a class instance, a sparse array, a
 * function, a cycle, …) makes it give up, and `structuredClone` copies (or rejects) the
 * value exactly as before.
 */
function copyReport(input: unknown, format: string): unknown {
  const copy = copyPlainJson(input, MAX_REPORT_DEPTH);
  if (copy !== NOT_PLAIN) return copy;
  // A cycle is not depth: `structuredClone` copies it, and nothing here walks the report
  // generically. Real depth is refused before `structuredClone` can overflow the stack.
  assertShallow(input, MAX_REPORT_DEPTH, `the ${format} report`, '', { cycles: 'ignore' });
  try {
    return structuredClone(input);
  } catch (cause) {
    throw new VexError(
      'REPORT_INVALID',
      `the ${format} report is not JSON data and cannot be copied`,
      {
        path: '',
        expected: 'JSON data',
        actual: cause instanceof Error ? cause.name : typeof cause,
      },
      { cause },
    );
  }
}

/**
 * The report as a JSON object of its own: parsed when given as text or bytes, else a deep
 * copy, or with `inPlace` the value itself (its depth checked as the copy's would be).
 * Throws `VexError` `JSON_INVALID`, `INPUT_TOO_DEEP` or `REPORT_INVALID`.
 */
export function readReport(
  input: unknown,
  format: string,
  inPlace = false,
): Record<string, unknown> {
  let value = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
    try {
      value = JSON.parse(text);
    } catch (cause) {
      throw new VexError('JSON_INVALID', `the ${format} report is not valid JSON`, {}, { cause });
    }
    assertShallow(value, MAX_REPORT_DEPTH, `the ${format} report`, '', { tree: true });
  } else if (inPlace) {
    // What `copyReport` refuses or passes, without the copy: plain JSON data within the
    // depth passes at once; anything else is measured as `copyReport` measures it (too deep
    // is refused; a cycle is not depth).
    if (!isPlainJson(input, MAX_REPORT_DEPTH)) {
      assertShallow(input, MAX_REPORT_DEPTH, `the ${format} report`, '', { cycles: 'ignore' });
    }
  } else {
    value = copyReport(input, format);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VexError('REPORT_INVALID', `a ${format} report must be a JSON object`, {
      path: '',
      expected: 'object',
      actual: Array.isArray(value) ? 'array' : typeof value,
    });
  }
  return value as Record<string, unknown>;
}

/** A JSON object (not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A non-empty string, else `undefined`. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The non-empty strings of an array; `[]` for anything else. */
export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : [];
}

/** `obj[key]` as an array (`[]` when absent); `REPORT_INVALID` when it is something else. */
export function arrayAt(
  obj: Record<string, unknown>,
  key: string,
  path: string,
  format: string,
): unknown[] {
  const v = obj[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    throw new VexError('REPORT_INVALID', `${format} report: ${path}/${key} must be an array`, {
      path: `${path}/${key}`,
      expected: 'array',
      actual: typeof v,
    });
  }
  return v;
}
