import { type KeyObject, X509Certificate } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readVector, vectorsDir } from '@flareo/testkit';
import { parseTrustedRoot, type TrustRoot } from '@flareo/trust-root';
import { children, decodeOid, parseCertificate, readTlv, type Tlv } from '@flareo/trust-root/x509';
import { describe, expect, it } from 'vitest';
import { BundleVerifyError } from '../../src/errors.js';
import { verifyEmbeddedScts } from '../../src/sct.js';

const dir = vectorsDir();
const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

/** The raw bundle fields this suite reads. */
interface BundleJson {
  verificationMaterial: {
    certificate?: { rawBytes: string };
    x509CertificateChain?: { certificates: { rawBytes: string }[] };
  };
}

/** Value bounds of the extnValue OCTET STRING of extension `oid` in a certificate. */
function extensionValue(der: Uint8Array, oid: string): Tlv {
  const tbs = children(der, readTlv(der, 0))[0] as Tlv;
  const wrapper = children(der, tbs).find((t) => t.tag === 0xa3) as Tlv;
  for (const ext of children(der, children(der, wrapper)[0] as Tlv)) {
    const parts = children(der, ext);
    const id = parts[0] as Tlv;
    if (decodeOid(der.subarray(id.valueStart, id.end)) === oid) return parts.at(-1) as Tlv;
  }
  throw new Error(`no extension ${oid}`);
}

function flipBit(der: Uint8Array, offset: number): Uint8Array {
  const copy = Uint8Array.from(der);
  copy[offset] = (copy[offset] as number) ^ 0x01;
  return copy;
}

describe.skipIf(!dir)('interop: embedded SCTs of real public-good certificates', () => {
  const names = dir
    ? readdirSync(join(dir, 'sigstore', 'bundles')).filter((f) => f.endsWith('.sigstore'))
    : [];
  const trustedRootJson = dir ? readVector('sigstore/public-good/trusted_root.json') : '{}';
  const trust = dir ? parseTrustedRoot(trustedRootJson) : (undefined as unknown as TrustRoot);
  const noCtlogs = dir
    ? parseTrustedRoot({ ...JSON.parse(trustedRootJson), ctlogs: [] })
    : (undefined as unknown as TrustRoot);

  /** The signing certificate and its issuer: from the bundle chain, else from the trust root. */
  function material(name: string): { leaf: Uint8Array; issuer: Uint8Array } {
    const bundle = JSON.parse(readVector(`sigstore/bundles/${name}`)) as BundleJson;
    const vm = bundle.verificationMaterial;
    const chain = vm.x509CertificateChain?.certificates ?? [];
    const leafRaw = vm.certificate?.rawBytes ?? chain[0]?.rawBytes;
    if (!leafRaw) throw new Error(`${name}: no certificate`);
    const leaf = b64(leafRaw);
    if (chain[1]) return { leaf, issuer: b64(chain[1].rawBytes) };
    const x509 = new X509Certificate(leaf);
    const issuer = trust
      .issuerCandidates({ issuerNameDer: parseCertificate(leaf).issuerNameDer })
      .find((c) => x509.verify(c.certificate.publicKey as KeyObject));
    if (!issuer) throw new Error(`${name}: issuer not in the trust root`);
    return { leaf, issuer: issuer.certificate.der };
  }

  it('has the nine bundles', () => {
    expect(names).toHaveLength(9);
  });

  it.each(names)('%s: the SCT verifies with a public-good CT log', (name) => {
    const { leaf, issuer } = material(name);
    const result = verifyEmbeddedScts(leaf, issuer, trust);
    expect(result.present).toBe(true);
    expect(result.unknownLogs).toEqual([]);
    expect(result.verified.length).toBeGreaterThanOrEqual(1);
    const x509 = new X509Certificate(leaf);
    const notBefore = new Date(x509.validFrom).getTime();
    const notAfter = new Date(x509.validTo).getTime();
    for (const sct of result.verified) {
      expect(trust.ctlogs).toContain(sct.log);
      expect(sct.log.baseUrl).toMatch(/^https:\/\/ctfe\.sigstore\.dev\//);
      // Fulcio logs the precertificate while issuing: the SCT time falls in the leaf's lifetime.
      expect(sct.timestamp.getTime()).toBeGreaterThanOrEqual(notBefore - 60_000);
      expect(sct.timestamp.getTime()).toBeLessThanOrEqual(notAfter);
    }
  });

  it.each(names)('%s: a one-bit change of the SCT signature fails', (name) => {
    const { leaf, issuer } = material(name);
    const value = extensionValue(leaf, '1.3.6.1.4.1.11129.2.4.2');
    // The list's last byte is the last byte of the last SCT's signature.
    const error = catchError(() => verifyEmbeddedScts(flipBit(leaf, value.end - 1), issuer, trust));
    expect(error.code).toBe('SCT_INVALID');
    expect(error.detail.field).toBe('signature');
  });

  it.each(names)('%s: a one-bit change of the TBSCertificate fails', (name) => {
    const { leaf, issuer } = material(name);
    const san = extensionValue(leaf, '2.5.29.17');
    const error = catchError(() => verifyEmbeddedScts(flipBit(leaf, san.end - 1), issuer, trust));
    expect(error.code).toBe('SCT_INVALID');
    expect(error.message).toContain('ctfe.sigstore.dev');
  });

  it.each(names)('%s: without CT logs in the trust root the SCT is unknown', (name) => {
    const { leaf, issuer } = material(name);
    const result = verifyEmbeddedScts(leaf, issuer, noCtlogs, { threshold: 0 });
    expect(result.verified).toEqual([]);
    expect(result.unknownLogs).toHaveLength(1);
    expect(trust.ctlogsById(result.unknownLogs[0] as string)).toHaveLength(1);
    const error = catchError(() => verifyEmbeddedScts(leaf, issuer, noCtlogs));
    expect(error.code).toBe('SCT_INVALID');
    expect(error.detail).toMatchObject({ step: 'sct', missing: 'ctlogs', expected: 1, actual: 0 });
    expect(error.message).toContain('the trust root has no CT log with id');
  });
});

function catchError(run: () => unknown): BundleVerifyError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BundleVerifyError);
    return error as BundleVerifyError;
  }
  throw new Error('expected a BundleVerifyError');
}
