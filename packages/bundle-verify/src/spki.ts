import { createPublicKey, type KeyObject } from 'node:crypto';
import { children, contentOf, decodeOid, OID, readTlv } from '@flareo/trust-root/x509';

// Importing a public key from DER SPKI goes through OpenSSL's generic decoder, which costs
// ~175 µs for a P-256 key; the same key as JWK costs ~75 µs. Signing certificates are new
// for every bundle, so their keys take the JWK path when the SPKI is a plain uncompressed
// EC point or an Ed25519 key, and the DER path otherwise.

const CURVES: Record<string, { crv: string; size: number }> = {
  [OID.p256]: { crv: 'P-256', size: 32 },
  [OID.p384]: { crv: 'P-384', size: 48 },
  [OID.p521]: { crv: 'P-521', size: 66 },
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
  const algorithm = decodeOid(contentOf(spki, oid));
  const key = contentOf(spki, bits);
  if (key[0] !== 0) return undefined; // unused bits
  const point = key.subarray(1);
  if (algorithm === OID.ecPublicKey && param?.tag === 0x06) {
    const curve = CURVES[decodeOid(contentOf(spki, param))];
    if (!curve || point.length !== 1 + 2 * curve.size || point[0] !== 0x04) return undefined;
    return {
      kty: 'EC',
      crv: curve.crv,
      x: b64url(point.subarray(1, 1 + curve.size)),
      y: b64url(point.subarray(1 + curve.size)),
    };
  }
  if (algorithm === OID.ed25519 && !param && point.length === 32) {
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
