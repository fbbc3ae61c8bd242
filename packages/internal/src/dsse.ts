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
  // An ASCII type (every real one: a media type) is its own UTF-8: the head is written into
  // the one output array, with no intermediate arrays (on Node each `encode` result is an
  // array buffer outside V8's heap, a few `malloc` calls each).
  let ascii = true;
  for (let i = 0; i < payloadType.length && ascii; i++) ascii = payloadType.charCodeAt(i) < 0x80;
  const typeLength = ascii ? payloadType.length : encoder.encode(payloadType).length;
  const head = `DSSEv1 ${typeLength} ${payloadType} ${payload.length} `;
  const encoded = ascii ? undefined : encoder.encode(head);
  const headLength = encoded === undefined ? head.length : encoded.length;
  const out = new Uint8Array(headLength + payload.length);
  if (encoded !== undefined) out.set(encoded, 0);
  else for (let i = 0; i < head.length; i++) out[i] = head.charCodeAt(i);
  out.set(payload, headLength);
  return out;
}
