/**
 * Minimal RFC 8785 (JCS) canonical JSON for the values the test logs emit: object keys sorted
 * by UTF-16 code units, no whitespace, strings and numbers serialised as ECMAScript
 * `JSON.stringify` does. `bigint` values are written as plain decimal integers (so log indexes
 * and times beyond 2^53 stay exact); `undefined` object members are skipped.
 */
export type CanonicalJsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | readonly CanonicalJsonValue[]
  | { readonly [key: string]: CanonicalJsonValue | undefined };

export function canonicalJson(value: CanonicalJsonValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new Error('canonical JSON cannot hold NaN or Infinity');
      return JSON.stringify(value);
    case 'bigint':
      return value.toString();
    case 'string':
      return JSON.stringify(value);
    default:
      break;
  }
  if (Array.isArray(value)) {
    return `[${(value as readonly CanonicalJsonValue[]).map(canonicalJson).join(',')}]`;
  }
  const obj = value as { readonly [key: string]: CanonicalJsonValue | undefined };
  const members: string[] = [];
  for (const key of Object.keys(obj).sort()) {
    const member = obj[key];
    if (member === undefined) continue;
    members.push(`${JSON.stringify(key)}:${canonicalJson(member)}`);
  }
  return `{${members.join(',')}}`;
}

/** UTF-8 bytes of {@link canonicalJson}. */
export function canonicalJsonBytes(value: CanonicalJsonValue): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}
