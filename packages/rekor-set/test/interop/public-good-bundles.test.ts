import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readVector, vectorsDir } from '@flareo/testkit';
import { parseTrustedRoot } from '@flareo/trust-root';
import { describe, expect, it } from 'vitest';
import { type EntryBinding, RekorError, verifyLogEvidence } from '../../src/index.js';

const dir = vectorsDir();
const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

// biome-ignore lint/suspicious/noExplicitAny: raw bundle JSON
type Bundle = any;

/** What bundle-verify will hand to rekor-set: the bundle's signature, signer and content. */
export function bindingOf(bundle: Bundle): EntryBinding {
  const vm = bundle.verificationMaterial;
  const cert = vm.certificate?.rawBytes ?? vm.x509CertificateChain?.certificates?.[0]?.rawBytes;
  const env = bundle.dsseEnvelope;
  return {
    signature: b64(env.signatures[0].sig),
    verifier: { certificate: b64(cert) },
    dsse: { payloadType: env.payloadType, payload: b64(env.payload) },
  };
}

describe.skipIf(!dir)('interop: real public-good bundles', () => {
  const names = dir
    ? readdirSync(join(dir, 'sigstore', 'bundles')).filter((f) => f.endsWith('.sigstore'))
    : [];
  const trust = dir
    ? parseTrustedRoot(readVector('sigstore/public-good/trusted_root.json'))
    : undefined;
  const load = (name: string): Bundle => JSON.parse(readVector(`sigstore/bundles/${name}`));

  it('has the nine bundles', () => {
    expect(names).toHaveLength(9);
  });

  it.each(names)('%s: SET, body, proof and checkpoint verify', (name) => {
    if (!trust) throw new Error('no trust root');
    const bundle = load(name);
    const entries = bundle.verificationMaterial.tlogEntries;
    const evidence = verifyLogEvidence(entries, bindingOf(bundle), trust, {
      policy: 'require-set',
    });
    expect(evidence.entries).toHaveLength(1);
    const [entry] = evidence.entries;
    expect(entry?.checks.set).toBe(true);
    expect(entry?.checks.body).toBe(true);
    expect(entry?.integratedTime?.getUTCFullYear()).toBe(2023);
    expect(entry?.log.host).toBe('rekor.sigstore.dev');
    const hasProof = entries[0].inclusionProof !== undefined;
    expect(entry?.checks.inclusionProof).toBe(hasProof);
    if (hasProof) {
      expect(entry?.checkpoint?.origin).toBe('rekor.sigstore.dev - 2605736670972794746');
      const proofOnly = { ...entries[0], inclusionPromise: undefined };
      const v = verifyLogEvidence([proofOnly], bindingOf(bundle), trust, {
        policy: 'require-inclusion-proof',
      });
      expect(v.entries[0]?.checks).toEqual({
        set: false,
        inclusionProof: true,
        checkpoint: true,
        body: true,
      });
      expect(v.noLogTime).toBe(true);
    }
  });

  it.each(names)('%s: a binding for another signature is rejected', (name) => {
    if (!trust) throw new Error('no trust root');
    const bundle = load(name);
    const binding = bindingOf(bundle);
    const other = new Uint8Array(binding.signature);
    other[10] = (other[10] ?? 0) ^ 1;
    expect(() =>
      verifyLogEvidence(
        bundle.verificationMaterial.tlogEntries,
        { ...binding, signature: other },
        trust,
      ),
    ).toThrow(expect.objectContaining({ code: 'BODY_SIGNATURE_MISMATCH' }));
  });

  it('a real entry is refused by a trust root without its log', () => {
    const bundle = load('bundleV03-dsse.sigstore');
    const other = parseTrustedRoot({
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    });
    try {
      verifyLogEvidence(bundle.verificationMaterial.tlogEntries, bindingOf(bundle), other);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RekorError);
      expect((error as RekorError).code).toBe('LOG_UNKNOWN');
      expect((error as RekorError).detail.entry).toBe(0);
    }
  });
});
