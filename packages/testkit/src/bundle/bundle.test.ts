import { createHash, verify, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testKey } from '../keys.js';
import { dssePae } from '../log/dsse.js';
import { TestRekorV1 } from '../log/rekor-v1.js';
import { TestRekorV2 } from '../log/rekor-v2.js';
import type { TlogEntryJson } from '../log/tlog-base.js';
import { TestTimestampAuthority } from '../tsa/tsa.js';
import { createFulcioChain } from '../x509.js';
import { DEFAULT_ARTIFACT, inTotoStatement } from './content.js';
import { mintKeyedSignature, mintLegacyCosignBundle } from './legacy-bundle.js';
import { mintSigstoreBundle, SIGSTORE_BUNDLE_MEDIA_TYPES } from './sigstore-bundle.js';

const artifact = new TextEncoder().encode('kit artifact');
const chain = createFulcioChain({ seed: 'kit-test' });
const leaf = chain.leaf();
const key = testKey('ecdsa-p256', 'kit-test-key');
const unb64 = (s: string) => Buffer.from(s, 'base64');
const sha256 = (d: Uint8Array) => createHash('sha256').update(d).digest();

// biome-ignore lint/suspicious/noExplicitAny: walking protobuf JSON in assertions
type J = any;

function checkSet(log: TestRekorV1, entry: TlogEntryJson) {
  const set = unb64(entry.inclusionPromise?.signedEntryTimestamp ?? '');
  return verify('sha256', Buffer.from(log.setPayload(entry)), log.key.publicKey, set);
}

describe('mintSigstoreBundle', () => {
  it('v0.1 message: chain, SET only, digest and signature verify', () => {
    const rekor = new TestRekorV1({ seed: 'kit-v01' });
    const m = mintSigstoreBundle({
      version: '0.1',
      content: { kind: 'message', artifact },
      signer: { certificate: leaf, chain: [chain.intermediate] },
      rekor,
    });
    const j: J = m.json;
    expect(j.mediaType).toBe(SIGSTORE_BUNDLE_MEDIA_TYPES['0.1']);
    expect(j.verificationMaterial.x509CertificateChain.certificates).toHaveLength(2);
    expect(unb64(j.verificationMaterial.x509CertificateChain.certificates[0].rawBytes)).toEqual(
      Buffer.from(leaf.der),
    );
    expect(j.messageSignature.messageDigest).toEqual({
      algorithm: 'SHA2_256',
      digest: sha256(artifact).toString('base64'),
    });
    expect(
      verify('sha256', artifact, leaf.key.publicKey, unb64(j.messageSignature.signature)),
    ).toBe(true);
    const [entry] = j.verificationMaterial.tlogEntries as TlogEntryJson[];
    expect(entry?.inclusionProof).toBeUndefined();
    expect(entry && checkSet(rekor, entry)).toBe(true);
    expect(typeof entry?.logIndex).toBe('string');
    expect(entry?.integratedTime).toBe(
      String(Math.floor(new Date(leaf.x509.validFrom).getTime() / 1000) + 60),
    );
    const body = JSON.parse(unb64(entry?.canonicalizedBody ?? '').toString());
    expect(body.kind).toBe('hashedrekord');
    expect(unb64(body.spec.signature.publicKey.content).toString()).toBe(leaf.pem);
  });

  it('v0.3 DSSE: single certificate, proof and SET, PAE signature, default statement', () => {
    const rekor = new TestRekorV1({ seed: 'kit-v03' });
    const m = mintSigstoreBundle({
      version: '0.3',
      content: { kind: 'dsse', subjectDigests: ['sha256', 'sha512'] },
      signer: { certificate: leaf },
      rekor,
      dsseLogKind: 'intoto',
    });
    const j: J = m.json;
    expect(j.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(j.verificationMaterial.certificate.rawBytes).toBe(
      Buffer.from(leaf.der).toString('base64'),
    );
    const env = j.dsseEnvelope;
    expect(env.signatures).toEqual([{ sig: expect.any(String), keyid: '' }]);
    const payload = unb64(env.payload);
    expect(JSON.parse(payload.toString())).toEqual(
      inTotoStatement(DEFAULT_ARTIFACT, { digests: ['sha256', 'sha512'] }),
    );
    expect(
      verify(
        'sha256',
        dssePae(env.payloadType, payload),
        leaf.key.publicKey,
        unb64(env.signatures[0].sig),
      ),
    ).toBe(true);
    const [entry] = j.verificationMaterial.tlogEntries as TlogEntryJson[];
    expect(entry?.kindVersion).toEqual({ kind: 'intoto', version: '0.0.2' });
    expect(entry?.inclusionProof?.checkpoint.envelope).toContain(rekor.origin);
    expect(entry && checkSet(rekor, entry)).toBe(true);
    expect(m.artifact).toEqual(DEFAULT_ARTIFACT);
  });

  it('v0.3 legacy spelling, Rekor v2 entry over the PAE, TSA timestamp, no SET', () => {
    const rekor = new TestRekorV2({ seed: 'kit-v2' });
    const tsa = new TestTimestampAuthority({ seed: 'kit-tsa' });
    const m = mintSigstoreBundle({
      version: '0.3',
      mediaTypeSpelling: 'legacy',
      content: { kind: 'dsse' },
      signer: { key, hint: 'my-hint' },
      rekor,
      timestamp: tsa,
      timestampTime: new Date('2026-02-01T00:00:00Z'),
    });
    const j: J = m.json;
    expect(j.mediaType).toBe('application/vnd.dev.sigstore.bundle+json;version=0.3');
    expect(j.verificationMaterial.publicKey).toEqual({ hint: 'my-hint' });
    const [entry] = j.verificationMaterial.tlogEntries as TlogEntryJson[];
    expect(entry?.inclusionPromise).toBeUndefined();
    expect(entry?.integratedTime).toBe('0');
    const body = JSON.parse(unb64(entry?.canonicalizedBody ?? '').toString());
    expect(body.kind).toBe('hashedrekord');
    expect(body.apiVersion).toBe('0.0.2');
    const pae = dssePae(
      m.signed.kind === 'dsse' ? m.signed.payloadType : '',
      m.signed.kind === 'dsse' ? m.signed.payload : new Uint8Array(),
    );
    expect(body.spec.hashedRekordV002.data.digest).toBe(sha256(pae).toString('base64'));
    expect(j.verificationMaterial.timestampVerificationData.rfc3161Timestamps).toHaveLength(1);
  });

  it('v0.2 keyed message without log; SET can be dropped on v1', () => {
    const plain = mintSigstoreBundle({
      version: '0.2',
      content: { kind: 'message', artifact },
      signer: { key },
    });
    const j: J = plain.json;
    expect(j.verificationMaterial).toEqual({ publicKey: { hint: key.keyId }, tlogEntries: [] });
    const rekor = new TestRekorV1({ seed: 'kit-noset' });
    const noSet = mintSigstoreBundle({
      version: '0.2',
      content: { kind: 'message', artifact },
      signer: { key },
      rekor,
      set: false,
    });
    expect(noSet.tlogEntry?.inclusionPromise).toBeUndefined();
    expect(noSet.tlogEntry?.inclusionProof).toBeDefined();
  });
});

describe('mintLegacyCosignBundle', () => {
  it('writes base64 PEM of leaf and chain, and a rekorBundle with a real SET', () => {
    const rekor = new TestRekorV1({ seed: 'kit-legacy' });
    const b = mintLegacyCosignBundle({
      artifact,
      signer: { certificate: leaf, chain: [chain.intermediate] },
      rekor,
    });
    const pem = Buffer.from(b.cert ?? '', 'base64').toString();
    expect(pem).toBe(leaf.pem + chain.intermediate.pem);
    expect(new X509Certificate(pem).publicKey.equals(leaf.key.publicKey)).toBe(true);
    expect(verify('sha256', artifact, leaf.key.publicKey, unb64(b.base64Signature))).toBe(true);
    const p = b.rekorBundle?.Payload;
    expect(p?.logID).toBe(rekor.logId);
    const payload = `{"body":"${p?.body}","integratedTime":${p?.integratedTime},"logID":"${p?.logID}","logIndex":${p?.logIndex}}`;
    expect(
      verify(
        'sha256',
        Buffer.from(payload),
        rekor.key.publicKey,
        unb64(b.rekorBundle?.SignedEntryTimestamp ?? ''),
      ),
    ).toBe(true);
  });

  it('raw PEM, keyed, and DSSE-in-base64Signature forms', () => {
    expect(
      mintLegacyCosignBundle({ artifact, signer: { certificate: leaf }, certEncoding: 'pem' }).cert,
    ).toBe(leaf.pem);
    const keyed = mintLegacyCosignBundle({ artifact, signer: { key } });
    expect(Buffer.from(keyed.cert ?? '', 'base64').toString()).toBe(key.publicKeyPem);
    expect(keyed.rekorBundle).toBeUndefined();
    const att = mintLegacyCosignBundle({ artifact, signer: { key }, dsse: true });
    const env = JSON.parse(Buffer.from(att.base64Signature, 'base64').toString());
    expect(env.payloadType).toBe('application/vnd.in-toto+json');
    const statement = JSON.parse(Buffer.from(env.payload, 'base64').toString());
    expect(statement.subject[0].digest.sha256).toBe(sha256(artifact).toString('hex'));
  });
});

describe('mintKeyedSignature', () => {
  it.each(['ecdsa-p256', 'ecdsa-p384', 'ed25519', 'rsa-2048'] as const)('%s', (type) => {
    const k = testKey(type, 'kit-keyed');
    const sig = unb64(mintKeyedSignature(artifact, k));
    expect(verify(type === 'ed25519' ? null : 'sha256', artifact, k.publicKey, sig)).toBe(true);
  });
});
