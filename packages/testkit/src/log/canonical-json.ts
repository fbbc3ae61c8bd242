import { canonicalJson as jcs } from '@flareo/internal/canonical-json';

/**
 * Canonical JSON (RFC 8785) of the values the test logs emit, from the implementation the
 * packages share (`@flareo/internal/canonical-json`), with `bigint` values written as plain
 * decimal integers so that log indexes and times beyond 2^53 stay exact.
 *
 * Not an independent oracle, and it need not be: what the logs canonicalise is checked by
 * code that does not use it (rekor-set writes the SignedEntryTimestamp payload's four keys
 * by hand, and an entry body is hashed as the bytes given and read with `JSON.parse`).
 */
export type CanonicalJsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | readonly CanonicalJsonValue[]
  | { readonly [key: string]: CanonicalJsonValue | undefined };

/** The canonical JSON text of a log value; throws for `NaN` and the infinities. */
export function canonicalJson(value: CanonicalJsonValue): string {
  return jcs(value, { bigint: 'integer' });
}

/** UTF-8 bytes of {@link canonicalJson}. */
export function canonicalJsonBytes(value: CanonicalJsonValue): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}
