import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TestRekorV1 } from '../log/rekor-v1.js';
import { TestTimestampAuthority } from '../tsa/tsa.js';
import { createFulcioChain, DEFAULT_WORKFLOW_URI } from '../x509.js';
import {
  addBundleReferrer,
  addCosignSignature,
  addTestImage,
  addTestMultiArchImage,
  COSIGN_ANNOTATIONS,
  cosignSignatureTag,
  OciStore,
  referrersFallbackTag,
  writeOciLayout,
  writeSignedImageLayout,
} from './index.js';

const chain = createFulcioChain({ seed: 'tk-oci' });
const rekor = new TestRekorV1({ seed: 'tk-oci-rekor' });
const signer = { certificate: chain.leaf(), chain: [chain.intermediate] };

describe('OCI test kit', () => {
  it('stores content under its sha256 digest and is deterministic', () => {
    const a = new OciStore();
    const b = new OciStore();
    expect(addTestImage(a, { seed: 's' }).digest).toBe(addTestImage(b, { seed: 's' }).digest);
    expect(addTestImage(a, { seed: 't' }).digest).not.toBe(addTestImage(b, { seed: 's' }).digest);
    for (const [digest, blob] of a.blobs) {
      expect(`sha256:${createHash('sha256').update(blob.bytes).digest('hex')}`).toBe(digest);
    }
  });

  it('appends cosign signatures as layers of one .sig manifest', () => {
    const store = new OciStore();
    const image = addTestImage(store, { tag: 'v1' });
    addCosignSignature(store, { imageDigest: image.digest, signer, rekor });
    const second = addCosignSignature(store, {
      imageDigest: image.digest,
      signer,
      rekor,
      optional: { k: 'v' },
    });
    const manifest = store.json<{ layers: { annotations: Record<string, string> }[] }>(
      store.tags.get(cosignSignatureTag(image.digest)) as string,
    );
    expect(manifest.layers).toHaveLength(2);
    const annotations = manifest.layers[1]?.annotations ?? {};
    // Every annotation but the RFC 3161 timestamp, which only a TSA-stamped signature has.
    expect(Object.keys(annotations).sort()).toEqual(
      Object.values(COSIGN_ANNOTATIONS)
        .filter((key) => key !== COSIGN_ANNOTATIONS.timestamp)
        .sort(),
    );
    expect(JSON.parse(new TextDecoder().decode(second.payload))).toMatchObject({
      critical: { image: { 'docker-manifest-digest': image.digest } },
      optional: { k: 'v' },
    });
  });

  it('writes the RFC 3161 timestamp annotation of a TSA-stamped signature', () => {
    const store = new OciStore();
    const image = addTestImage(store, { tag: 'v1' });
    addCosignSignature(store, {
      imageDigest: image.digest,
      signer,
      rekor: null,
      timestamp: new TestTimestampAuthority({ seed: 'tk-oci-tsa' }),
    });
    const manifest = store.json<{ layers: { annotations: Record<string, string> }[] }>(
      store.tags.get(cosignSignatureTag(image.digest)) as string,
    );
    const annotations = manifest.layers[0]?.annotations ?? {};
    expect(annotations[COSIGN_ANNOTATIONS.bundle]).toBeUndefined();
    const stamp = JSON.parse(annotations[COSIGN_ANNOTATIONS.timestamp] ?? 'null');
    expect(Object.keys(stamp)).toEqual(['SignedRFC3161Timestamp']);
    // A DER SEQUENCE: the TimeStampResp.
    expect(Buffer.from(stamp.SignedRFC3161Timestamp, 'base64')[0]).toBe(0x30);
  });

  it('keeps the referrers fallback index up to date', () => {
    const store = new OciStore();
    const { index } = addTestMultiArchImage(store, { tag: 'v1' });
    const one = addBundleReferrer(store, { subject: index, bundle: { mediaType: 'x' } });
    const two = addBundleReferrer(store, { subject: index, bundle: { mediaType: 'y' } });
    const fallback = store.json<{ manifests: { digest: string }[] }>(
      store.tags.get(referrersFallbackTag(index.digest)) as string,
    );
    expect(fallback.manifests.map((m) => m.digest)).toEqual([one.digest, two.digest]);
    expect(store.json<{ subject: { digest: string } }>(one.digest).subject.digest).toBe(
      index.digest,
    );
  });

  it('writes an image layout with every blob and one index.json entry per tag', async () => {
    const store = new OciStore();
    const image = addTestImage(store, { tag: 'v1' });
    addCosignSignature(store, { imageDigest: image.digest, signer, rekor });
    const dir = await mkdtemp(join(tmpdir(), 'flareo-tk-oci-'));
    try {
      await writeOciLayout(store, dir);
      const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
      expect(
        index.manifests.map(
          (m: { annotations: Record<string, string> }) =>
            m.annotations['org.opencontainers.image.ref.name'],
        ),
      ).toEqual(['v1', cosignSignatureTag(image.digest)]);
      expect((await readdir(join(dir, 'blobs', 'sha256'))).length).toBe(store.blobs.size);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('writeSignedImageLayout', () => {
  it('writes a signed image layout and the trusted root that trusts its signature', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flareo-tk-signed-'));
    try {
      const a = await writeSignedImageLayout(dir, 'tk-signed');
      const index = JSON.parse(await readFile(join(a.layout, 'index.json'), 'utf8'));
      expect(
        index.manifests.map(
          (m: { digest: string; annotations: Record<string, string> }) =>
            m.annotations['org.opencontainers.image.ref.name'],
        ),
      ).toEqual(['v1', cosignSignatureTag(a.imageDigest)]);
      expect(index.manifests[0].digest).toBe(a.imageDigest);
      const root = JSON.parse(await readFile(a.trustedRoot, 'utf8'));
      expect(root.certificateAuthorities[0].certChain.certificates).toHaveLength(2);
      expect(root.tlogs).toHaveLength(1);
      expect(new RegExp(a.identityRegexp).test(DEFAULT_WORKFLOW_URI)).toBe(true);
      expect(a.verifyImageArgs).toEqual([
        a.layout,
        '--trust-root',
        a.trustedRoot,
        '--certificate-identity-regexp',
        a.identityRegexp,
        '--certificate-oidc-issuer',
        a.issuer,
      ]);
      // The same seed, the same image and trust.
      const dir2 = await mkdtemp(join(tmpdir(), 'flareo-tk-signed-'));
      try {
        const b = await writeSignedImageLayout(dir2, 'tk-signed');
        expect(b.imageDigest).toBe(a.imageDigest);
        expect(await readFile(b.trustedRoot, 'utf8')).toBe(await readFile(a.trustedRoot, 'utf8'));
      } finally {
        await rm(dir2, { recursive: true, force: true });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
