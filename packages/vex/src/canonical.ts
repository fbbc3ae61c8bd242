import { CanonicalJsonError, canonicalJson as jcs } from '@flareo/internal/canonical-json';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { findTooDeep, MAX_REPORT_DEPTH, tooDeepError } from './depth.js';
import { VexError } from './errors.js';

const OPTIONS = { nonFinite: 'null', maxDepth: MAX_REPORT_DEPTH } as const;

/**
 * The canonical JSON (RFC 8785, `@flareo/internal/canonical-json`) of a value, with this
 * package's errors. Two JSON values are deeply equal exactly when their canonical forms are
 * equal, which is what the schema's `uniqueItems` means; hashing this string finds
 * duplicates in one pass. `NaN` and the infinities are written `null`, as `JSON.stringify`
 * writes them (a document given as a value may hold them in extension fields).
 *
 * Throws `VexError` `INPUT_TOO_DEEP` for a value that nests arrays and objects more than
 * 128 levels deep (`MAX_REPORT_DEPTH`) or contains itself, and `ARGUMENT_INVALID` for a
 * `bigint`, which JSON cannot hold.
 */
export function canonicalJson(value: unknown): string {
  try {
    return jcs(value, OPTIONS);
  } catch (e) {
    if (!(e instanceof CanonicalJsonError)) throw e;
    if (e.code === 'BIGINT') {
      throw new VexError(
        'ARGUMENT_INVALID',
        'a bigint has no JSON form',
        { expected: 'JSON data', actual: 'bigint' },
        { cause: e },
      );
    }
    const deep = findTooDeep(value, MAX_REPORT_DEPTH) ?? { path: '', cycle: false };
    throw tooDeepError(deep, MAX_REPORT_DEPTH, 'the value');
  }
}

/**
 * Lower-case hex SHA-256 of a string's UTF-8 bytes. `@noble/hashes` rather than `node:crypto`
 * so that the package runs unchanged in browsers and edge workers, where WebCrypto's digest is
 * asynchronous and this function is not.
 */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}
