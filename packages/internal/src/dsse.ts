const encoder = new TextEncoder();

/**
 * The DSSE v1 pre-authentication encoding (PAE), the bytes a DSSE signature covers:
 * `"DSSEv1" SP len(type) SP type SP len(body) SP body`, lengths in bytes as ASCII decimal,
 * `type` UTF-8 encoded. One owner for rekor-set (Rekor v2 and DSSE entry digests),
 * bundle-verify (DSSE signatures) and the test kit (signing).
 *
 * Hand-written: eight lines of byte concatenation against the DSSE specification; no
 * library for the field exports it on its own. Callers pass checked values (a string and
 * bytes); public functions check their arguments before they get here.
 */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = encoder.encode(payloadType);
  const head = encoder.encode(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}
