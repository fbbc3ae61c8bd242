import { createHash } from 'node:crypto';
import { findTooDeep, MAX_REPORT_DEPTH, tooDeepError } from './depth.js';
import { VexError } from './errors.js';

/** Thrown inside {@link canonical} when the value is deeper than the limit. */
const TOO_DEEP: unique symbol = Symbol('too deep');

/**
 * JSON with object keys sorted at every level and no whitespace. Two JSON values are deeply
 * equal exactly when their canonical forms are equal, which is what the schema's
 * `uniqueItems` means; hashing this string finds duplicates in one pass.
 *
 * Throws `VexError` `INPUT_TOO_DEEP` for a value that nests arrays and objects more than
 * 128 levels deep (`MAX_REPORT_DEPTH`) or contains itself, and `ARGUMENT_INVALID` for a
 * `bigint`, which JSON cannot hold.
 */
export function canonicalJson(value: unknown): string {
  try {
    return canonical(value, 1);
  } catch (e) {
    if (e !== TOO_DEEP) throw e;
    const deep = findTooDeep(value, MAX_REPORT_DEPTH) ?? { path: '', cycle: false };
    throw tooDeepError(deep, MAX_REPORT_DEPTH, 'the value');
  }
}

function canonical(value: unknown, depth: number): string {
  if (typeof value === 'bigint') {
    throw new VexError('ARGUMENT_INVALID', 'a bigint has no JSON form', {
      expected: 'JSON data',
      actual: 'bigint',
    });
  }
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (depth > MAX_REPORT_DEPTH) throw TOO_DEEP;
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += canonical(value[i], depth + 1);
    }
    return `${out}]`;
  }
  // One string built in place (no intermediate arrays): this runs for every statement of
  // every document validated.
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${canonical(v, depth + 1)}`;
    first = false;
  }
  return `${out}}`;
}

/** Lower-case hex SHA-256 of a string's UTF-8 bytes. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
