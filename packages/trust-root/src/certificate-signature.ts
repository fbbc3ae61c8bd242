import { constants, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { requireViewAndKey } from './arguments.js';
import { OID } from './der/oids.js';
import { children, contentOf, decodeOid, readTlv } from './der/reader.js';
import type { CertificateView } from './x509/certificate.js';

const SIGNATURE_ALGORITHMS: Readonly<
  Record<string, { readonly hash: string | null; readonly rsa?: true; readonly pss?: true }>
> = {
  [OID.ecdsaWithSha256]: { hash: 'sha256' },
  [OID.ecdsaWithSha384]: { hash: 'sha384' },
  [OID.ecdsaWithSha512]: { hash: 'sha512' },
  [OID.sha256WithRsa]: { hash: 'sha256', rsa: true },
  [OID.sha384WithRsa]: { hash: 'sha384', rsa: true },
  [OID.sha512WithRsa]: { hash: 'sha512', rsa: true },
  [OID.rsassaPss]: { hash: null, pss: true },
  [OID.ed25519]: { hash: null },
};

const PSS_HASHES: Readonly<Record<string, string>> = {
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

/** The hash of RSASSA-PSS parameters (SEQUENCE { [0] hashAlgorithm, ... }); the SHA-1 default is refused. */
function pssHash(params: Uint8Array | undefined): string | undefined {
  if (!params) return undefined;
  try {
    const first = children(params, readTlv(params, 0))[0];
    if (first?.tag !== 0xa0) return undefined;
    const algId = children(params, first)[0];
    const oid = algId && children(params, algId)[0];
    return oid ? PSS_HASHES[decodeOid(contentOf(params, oid))] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Does `cert` carry a valid signature by `issuerKey`? The TBSCertificate bytes are verified
 * directly with `node:crypto` (ECDSA P-256/384/521 with SHA-2, RSA PKCS#1 v1.5 and PSS with
 * SHA-2, Ed25519); any other algorithm, or a key that does not fit, is `false`.
 *
 * @throws TrustRootError ARGUMENT_INVALID when `cert` is not a certificate view or
 *   `issuerKey` not a public `KeyObject`.
 */
export function verifyCertificateSignature(cert: CertificateView, issuerKey: KeyObject): boolean {
  requireViewAndKey('verifyCertificateSignature', cert, 'cert', issuerKey, 'issuerKey');
  const alg = SIGNATURE_ALGORITHMS[cert.signatureAlgorithm];
  if (!alg) return false;
  try {
    if (alg.pss) {
      const hash = pssHash(cert.signatureAlgorithmParams);
      if (!hash) return false;
      return cryptoVerify(
        hash,
        cert.tbs,
        {
          key: issuerKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_AUTO,
        },
        cert.signature,
      );
    }
    return cryptoVerify(
      alg.hash,
      cert.tbs,
      alg.rsa ? { key: issuerKey, padding: constants.RSA_PKCS1_PADDING } : issuerKey,
      cert.signature,
    );
  } catch {
    return false;
  }
}
