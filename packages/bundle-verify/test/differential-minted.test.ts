import { createHash } from 'node:crypto';
import {
  brokenLeaves,
  buildTrustedRoot,
  createFulcioChain,
  mintSigstoreBundle,
  TestRekorV1,
} from '@flareo/testkit';
import { parseTrustedRoot } from '@flareo/trust-root';
import { describe, expect, it } from 'vitest';
import { BundleVerifyError, createVerifier } from '../src/index.js';
import { referenceVerifier } from './support/sigstore-oracle.js';

// Differential suite on minted bundles: each case is verified by us and by @sigstore/verify
// 3.1.1 on the same trust material. Agreements are listed as such; every disagreement is
// named, with the reason our answer is the right one.

// biome-ignore lint/suspicious/noExplicitAny: tests edit protobuf-JSON bundles
type Json = any;
const chain = createFulcioChain({ seed: 'bv-differential' });
const rekor = new TestRekorV1({ seed: 'bv-differential-rekor' });
const rootJson = {
  ...buildTrustedRoot({ certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }] }),
  tlogs: [rekor.transparencyLogInstance()],
};
const ours = createVerifier(parseTrustedRoot(rootJson));
// Minted leaves carry no SCTs, so the reference needs no CT log.
const reference = referenceVerifier(rootJson as Json, { ctlogThreshold: 0 });
const artifact = new TextEncoder().encode('differential artifact\n');
const broken = brokenLeaves(chain);

function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'accept';
  } catch (error) {
    return error instanceof BundleVerifyError ? `reject:${error.code}` : 'reject';
  }
}
const both = (json: Json, data: Uint8Array = artifact) => ({
  ours: outcome(() => ours.verifyBundle(structuredClone(json), data, {})),
  reference: outcome(() => reference.verify(structuredClone(json), Buffer.from(data))),
});

describe('differential on minted bundles: agreement', () => {
  const formats = [
    ['0.1', 'message'],
    ['0.1', 'dsse'],
    ['0.2', 'message'],
    ['0.2', 'dsse'],
    ['0.3', 'message'],
    ['0.3', 'dsse'],
  ] as const;
  it.each(formats)('v%s %s: both accept', (version, kind) => {
    const m = mintSigstoreBundle({
      version,
      content: { kind, artifact },
      signer: { certificate: chain.leaf() },
      rekor,
    });
    const dsseArtifact = kind === 'dsse' ? artifact : artifact;
    expect(both(m.json, dsseArtifact)).toEqual({ ours: 'accept', reference: 'accept' });
  });

  it.each([
    ['tampered message signature', (j: Json) => flip(j.messageSignature, 'signature')],
    [
      'tampered SET',
      (j: Json) =>
        flip(j.verificationMaterial.tlogEntries[0].inclusionPromise, 'signedEntryTimestamp'),
    ],
    [
      'tampered log body',
      (j: Json) => flip(j.verificationMaterial.tlogEntries[0], 'canonicalizedBody'),
    ],
    ['tampered certificate', (j: Json) => flip(j.verificationMaterial.certificate, 'rawBytes')],
  ])('%s: both reject', (_name, mutate) => {
    const m = mintSigstoreBundle({
      version: '0.3',
      content: { kind: 'message', artifact },
      signer: { certificate: chain.leaf() },
      rekor,
    });
    const json = structuredClone(m.json) as Json;
    mutate(json);
    const r = both(json);
    expect(r.ours).toMatch(/^reject/);
    expect(r.reference).toMatch(/^reject/);
  });

  it('an expired certificate at the SET time: both reject', () => {
    const m = mintSigstoreBundle({
      version: '0.1',
      content: { kind: 'message', artifact },
      signer: { certificate: broken.expired },
      rekor,
      integratedTime: new Date('2024-06-01T00:00:00Z'),
    });
    const r = both(m.json);
    expect(r.ours).toBe('reject:CERTIFICATE_EXPIRED');
    expect(r.reference).toMatch(/^reject/);
  });
});

describe('differential on minted bundles: named disagreements (we reject, the reference accepts)', () => {
  it('the bundle digest is not the artifact digest and no log entry checks it', () => {
    // The reference compares the signature with the artifact only through log entries; with
    // none, a bundle naming another digest passes. The digest is part of what was signed for.
    const m = mintSigstoreBundle({
      version: '0.3',
      content: { kind: 'message', artifact },
      signer: { certificate: chain.leaf() },
      rekor: null,
      inclusionProof: false,
    });
    const json = structuredClone(m.json) as Json;
    json.messageSignature.messageDigest.digest = createHash('sha256')
      .update('other')
      .digest('base64');
    const oursOutcome = outcome(() =>
      createVerifier(parseTrustedRoot(rootJson), {
        rekor: { policy: 'disabled' },
        timeSources: ['current'],
      }).verifyBundle(structuredClone(json), artifact, {}),
    );
    expect(oursOutcome).toBe('reject:DIGEST_MISMATCH');
  });

  it.each([
    ['a CA certificate as signer', broken.caLeaf, 'reject:CERTIFICATE_INVALID'],
    ['a leaf without EKU codeSigning (serverAuth)', broken.wrongEku, 'reject:CERTIFICATE_INVALID'],
    ['a leaf without any EKU', broken.noEku, 'reject:CERTIFICATE_INVALID'],
  ])('%s: code signing needs a code-signing leaf', (_name, leaf, expected) => {
    const m = mintSigstoreBundle({
      version: '0.3',
      content: { kind: 'message', artifact },
      signer: { certificate: leaf },
      rekor,
    });
    expect(both(m.json)).toEqual({ ours: expected, reference: 'accept' });
  });

  it('the log entry names another certificate than the bundle', () => {
    // The log proves that *someone* logged this signature and digest; only the certificate in
    // the entry was vouched for by the log at that time. The reference does not compare it.
    const signer = chain.leaf();
    const other = chain.leaf({ seed: 'someone-else' });
    const m = mintSigstoreBundle({
      version: '0.3',
      content: { kind: 'message', artifact },
      signer: { certificate: signer },
      rekor,
    });
    const json = structuredClone(m.json) as Json;
    const body = JSON.parse(
      Buffer.from(json.verificationMaterial.tlogEntries[0].canonicalizedBody, 'base64').toString(),
    );
    body.spec.signature.publicKey.content = Buffer.from(other.pem).toString('base64');
    const entry = rekor.addEntry({
      kind: 'hashedrekord',
      version: '0.0.1',
      body,
      inclusionProof: true,
    });
    json.verificationMaterial.tlogEntries = [entry];
    expect(both(json)).toEqual({ ours: 'reject:LOG_BODY_MISMATCH', reference: 'accept' });
  });
});

function flip(obj: Json, key: string): void {
  const bytes = Buffer.from(obj[key], 'base64');
  const i = Math.floor(bytes.length / 2);
  bytes[i] = (bytes[i] ?? 0) ^ 1;
  obj[key] = bytes.toString('base64');
}
