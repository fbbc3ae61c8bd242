/** Deeper than any field of a Sigstore bundle or trusted root; below this, values are left as they are. */
const MAX_NULL_DEPTH = 32;

/**
 * ProtoJSON reads a field whose value is JSON `null` as unset, whatever the field's type
 * (`"validFor": null`, `"inclusionProof": null`, `"tlogEntries": null`). This drops such
 * members so a schema or reader sees what a protobuf reader would. A `null` inside an array
 * is not a field value (ProtoJSON refuses it) and stays, for the reader to reject. The input
 * is never changed: only objects that hold a null are copied, everything else is shared.
 */
export function withoutNulls(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_NULL_DEPTH) return value;
  // Plain loops (no `forEach` closure, no `Object.entries` pair arrays): this walks every
  // object of every bundle and trusted root read.
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) continue; // a hole: `forEach` skipped it too
      const item: unknown = value[i];
      const cleaned = withoutNulls(item, depth + 1);
      if (cleaned !== item) {
        copy ??= value.slice();
        copy[i] = cleaned;
      }
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  const record = value as Record<string, unknown>;
  // Own enumerable string keys in order, as `Object.entries` lists them.
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const item = record[key];
    const cleaned = item === null ? undefined : withoutNulls(item, depth + 1);
    if (cleaned === item) continue;
    copy ??= { ...(value as Record<string, unknown>) };
    if (cleaned === undefined) delete copy[key];
    else copy[key] = cleaned;
  }
  return copy ?? value;
}
