import { createPublicKey, type KeyObject } from 'node:crypto';
import { children, decodeOid, readTlv, value } from './der.js';

// Importing a public key from DER SPKI goes through OpenSSL's generic decoder, which costs
// ~175 µs for a P-256 key; the same key as JWK costs ~75 µs. Signing certificates are new
// for every bundle, so their keys take the JWK path when the SPKI is a plain uncompressed
// EC point or an Ed25519 key, and the DER path otherwise.

const CURVES: Record<string, { crv: string; size: number }> = {
  '1.2.840.10045.3.1.7': { crv: 'P-256', size: 32 },
  '1.3.132.0.34': { crv: 'P-384', size: 48 },
  '1.3.132.0.35': { crv: 'P-521', size: 66 },
};

const b64url = (b: Uint8Array) =>
  Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64url');

function fastJwk(spki: Uint8Array): Record<string, string> | undefined {
  const seq = readTlv(spki, 0);
  if (seq.end !== spki.length) return undefined;
  const [alg, bits] = children(spki, seq);
  if (!alg || !bits || bits.tag !== 0x03) return undefined;
  const [oid, param] = children(spki, alg);
  if (!oid) return undefined;
  const algorithm = decodeOid(value(spki, oid));
  const key = value(spki, bits);
  if (key[0] !== 0) return undefined; // unused bits
  const point = key.subarray(1);
  if (algorithm === '1.2.840.10045.2.1' && param?.tag === 0x06) {
    const curve = CURVES[decodeOid(value(spki, param))];
    if (!curve || point.length !== 1 + 2 * curve.size || point[0] !== 0x04) return undefined;
    return {
      kty: 'EC',
      crv: curve.crv,
      x: b64url(point.subarray(1, 1 + curve.size)),
      y: b64url(point.subarray(1 + curve.size)),
    };
  }
  if (algorithm === '1.3.101.112' && !param && point.length === 32) {
    return { kty: 'OKP', crv: 'Ed25519', x: b64url(point) };
  }
  return undefined;
}

/** Import a DER SubjectPublicKeyInfo, by the fastest route that is exact for it. */
export function importSpki(spki: Uint8Array): KeyObject {
  let jwk: Record<string, string> | undefined;
  try {
    jwk = fastJwk(spki);
  } catch {
    jwk = undefined;
  }
  if (jwk) return createPublicKey({ key: jwk, format: 'jwk' });
  return createPublicKey({
    key: Buffer.from(spki.buffer, spki.byteOffset, spki.length),
    format: 'der',
    type: 'spki',
  });
}
