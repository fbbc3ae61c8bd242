import { type PublicKeyRef, parsePemTrustBundle } from '@flareo/trust-root';

/** A seam key from a DER SPKI, classified by trust-root's own import. */
export function importKeyRef(spki: Uint8Array): PublicKeyRef {
  const pem = `-----BEGIN PUBLIC KEY-----\n${Buffer.from(spki).toString('base64')}\n-----END PUBLIC KEY-----\n`;
  const key = parsePemTrustBundle(pem).keys[0];
  if (!key) throw new Error('no key');
  return key;
}
