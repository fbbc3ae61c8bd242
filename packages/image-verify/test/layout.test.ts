import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addCosignSignature,
  addTestImage,
  addTestMultiArchImage,
  buildTrustedRoot,
  COSIGN_ANNOTATIONS,
  type CosignSignatureOptions,
  cosignSignatureTag,
  descriptorOf,
  OciStore,
  TestTimestampAuthority,
  type WriteOciLayoutOptions,
  writeOciLayout,
} from '@flareo/testkit';
import { parseTrustedRoot } from '@flareo/trust-root';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageVerifier, type OciLayoutOptions, openOciLayout } from '../src/index.js';
import {
  attachBundle,
  chain,
  codes,
  policy,
  rejects,
  rekor,
  signedImage,
  signer,
  stranger,
  verifier,
  wrongIdentity,
} from './support/world.js';

let root: string;
let counter = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'flareo-iv-layout-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function layoutOf(store: OciStore, options: WriteOciLayoutOptions = {}): Promise<string> {
  const dir = join(root, `layout-${counter++}`);
  await writeOciLayout(store, dir, options);
  return dir;
}

async function collect(
  store: OciStore,
  options: OciLayoutOptions & {
    write?: WriteOciLayoutOptions;
    platforms?: boolean | string[];
  } = {},
) {
  const dir = await layoutOf(store, options.write);
  return openOciLayout(dir, options).collect(
    options.platforms === undefined ? {} : { platforms: options.platforms },
  );
}

describe('cosign signatures in an OCI layout', () => {
  it('verifies a signed image and reports the signer, log entry and claims', async () => {
    const { store, image } = signedImage();
    const collected = await collect(store);
    expect(collected.digest).toBe(image.digest);
    expect(collected.reference).toBe('v1');
    expect(collected.signatures).toHaveLength(1);
    const result = verifier.verifyImage(collected, policy);
    expect(result.verified).toBe(true);
    const [sig] = result.signatures;
    expect(sig?.verified).toBe(true);
    if (!sig?.verified) return;
    expect(sig.kind).toBe('cosign');
    expect(sig.origin.via).toBe('signature-tag');
    expect(sig.result.format).toBe('cosign-legacy-bundle');
    expect(sig.result.signer.kind).toBe('certificate');
    if (sig.result.signer.kind === 'certificate') {
      expect(sig.result.signer.subjectAlternativeNames[0]).toMatch(
        /^https:\/\/github.com\/flareo\//,
      );
      expect(sig.result.signer.issuer).toBe('https://token.actions.githubusercontent.com');
    }
    expect(sig.result.tlog.entries).toHaveLength(1);
    expect(sig.result.tlog.entries[0]?.checks.set).toBe(true);
    expect(sig.claims?.dockerManifestDigest).toBe(image.digest);
  });

  it('reads a layout given as files already read', async () => {
    const { store, image } = signedImage();
    const dir = await layoutOf(store);
    const files: Record<string, Uint8Array> = {
      'oci-layout': await readFile(join(dir, 'oci-layout')),
      'index.json': await readFile(join(dir, 'index.json')),
    };
    for (const name of await readdir(join(dir, 'blobs', 'sha256'))) {
      files[`blobs/sha256/${name}`] = await readFile(join(dir, 'blobs', 'sha256', name));
    }
    const collected = await openOciLayout(files).collect();
    expect(verifier.verifyImage(collected, policy).digest).toBe(image.digest);
  });

  // Each row: how the signature is made, and the code the one signature must fail with.
  const rejections = [
    {
      name: 'signature for another image',
      signature: { payloadDigest: `sha256:${'ab'.repeat(32)}` },
      code: 'PAYLOAD_DIGEST_MISMATCH',
    },
    { name: 'untrusted signer', signature: { signer: stranger }, code: 'UNTRUSTED_SIGNER' },
    { name: 'wrong identity', signature: { signer: wrongIdentity }, code: 'IDENTITY_MISMATCH' },
    {
      name: 'not a cosign container image signature',
      signature: { type: 'atomic container signature' },
      code: 'PAYLOAD_TYPE_INVALID',
    },
    {
      name: 'payload that is not simple-signing JSON',
      signature: { payload: new TextEncoder().encode('{"critical":{}}') },
      code: 'PAYLOAD_INVALID',
    },
    {
      name: 'missing signature annotation',
      signature: { annotationOverrides: { [COSIGN_ANNOTATIONS.signature]: null } },
      code: 'SIGNATURE_MALFORMED',
    },
    {
      name: 'Rekor bundle annotation that is not JSON',
      signature: { annotationOverrides: { [COSIGN_ANNOTATIONS.bundle]: '{not json' } },
      code: 'SIGNATURE_MALFORMED',
    },
    {
      name: 'no Rekor bundle under the default policy',
      signature: { rekor: null },
      code: 'TLOG_MISSING',
    },
    {
      name: 'signature of other bytes',
      signature: {
        annotationOverrides: {
          [COSIGN_ANNOTATIONS.signature]: Buffer.from(new Uint8Array(72).fill(1)).toString(
            'base64',
          ),
        },
      },
      code: 'SIGNATURE_MISMATCH',
    },
  ] as const;

  it.each(rejections)('rejects: $name ($code)', async ({ signature, code }) => {
    const { store } = signedImage({ signature });
    const collected = await collect(store);
    const result = verifier.inspectImage(collected, policy);
    expect(result.verified).toBe(false);
    expect(codes(result)).toEqual([code]);
    const error = await rejects(
      () => verifier.verifyImage(collected, policy),
      'NO_VERIFIED_SIGNATURE',
    );
    expect(error.detail.signatures).toHaveLength(1);
    expect(error.message).toContain(code);
  });

  it('rejects a payload whose digest was changed after signing', async () => {
    const { store, image } = signedImage();
    // Re-attach the same signature, certificate and Rekor bundle to a payload naming another
    // digest: the signed bytes are no longer the stored bytes.
    const sigManifest = store.json<{ layers: { annotations: Record<string, string> }[] }>(
      store.tags.get(cosignSignatureTag(image.digest)) as string,
    );
    const tamperedStore = new OciStore();
    const tamperedImage = addTestImage(tamperedStore, { seed: 'iv-image', tag: 'v1' });
    const original = sigManifest.layers[0]?.annotations ?? {};
    const payload = new TextEncoder().encode(
      JSON.stringify({
        critical: {
          identity: { 'docker-reference': 'registry.flareo.test/modules/demo' },
          image: { 'docker-manifest-digest': `sha256:${'cd'.repeat(32)}` },
          type: 'cosign container image signature',
        },
        optional: null,
      }),
    );
    addCosignSignature(tamperedStore, {
      imageDigest: tamperedImage.digest,
      payload,
      signer,
      rekor,
      annotationOverrides: original,
    });
    const result = verifier.inspectImage(await collect(tamperedStore), policy);
    expect(codes(result)).toEqual(['SIGNATURE_MISMATCH']);
  });

  it('reports NO_SIGNATURES for an unsigned image', async () => {
    const store = new OciStore();
    addTestImage(store, { tag: 'v1' });
    const collected = await collect(store);
    expect(collected.signatures).toEqual([]);
    const error = await rejects(() => verifier.verifyImage(collected, policy), 'NO_SIGNATURES');
    expect((error.detail.result as { verified: boolean }).verified).toBe(false);
  });

  it('passes when one of several signatures verifies, and reports the others', async () => {
    const { store, image } = signedImage({ signature: { signer: stranger } });
    addCosignSignature(store, { imageDigest: image.digest, signer: wrongIdentity, rekor });
    addCosignSignature(store, { imageDigest: image.digest, signer, rekor });
    const result = verifier.verifyImage(await collect(store), policy);
    expect(codes(result)).toEqual(['UNTRUSTED_SIGNER', 'IDENTITY_MISMATCH', 'VERIFIED']);
    expect(result.signatures.map((s) => s.origin.layer)).toEqual([0, 1, 2]);
  });

  it('checks required annotations (cosign verify -a)', async () => {
    const { store } = signedImage({
      signature: { optional: { module: 'demo', build: 7 } },
    });
    const collected = await collect(store);
    const ok = verifier.verifyImage(collected, {
      ...policy,
      requireAnnotations: { module: 'demo', build: '7' },
    });
    const first = ok.signatures[0];
    expect(first?.verified && first.claims?.optional).toEqual({ module: 'demo', build: 7 });
    const result = verifier.inspectImage(collected, {
      ...policy,
      requireAnnotations: { module: 'other' },
    });
    expect(codes(result)).toEqual(['ANNOTATION_MISMATCH']);
    const missing = verifier.inspectImage(collected, {
      ...policy,
      requireAnnotations: { team: 'core' },
    });
    expect(codes(missing)).toEqual(['ANNOTATION_MISMATCH']);
    expect(missing.signatures[0]).toMatchObject({ detail: { key: 'team', expected: 'core' } });
  });

  it('refuses a policy without identity', async () => {
    const { store } = signedImage();
    const collected = await collect(store);
    await rejects(
      () => verifier.verifyImage(collected, {} as unknown as typeof policy),
      'ARGUMENT_INVALID',
    );
    await rejects(
      () =>
        verifier.verifyImage(collected, {
          identity: { subjectAlternativeName: { regexp: '(' } },
        }),
      'ARGUMENT_INVALID',
    );
  });
});

describe('cosign signatures stamped by a TSA (cosign sign --timestamp-server-url)', () => {
  // A private deployment without a log: the RFC 3161 timestamp annotation is the trusted time.
  const tsa = new TestTimestampAuthority({ seed: 'iv-tsa' });
  const stampedTrust = parseTrustedRoot({
    ...buildTrustedRoot({
      certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }],
      timestampAuthorities: [{ chain: [...tsa.chain] }],
    }),
    tlogs: [rekor.transparencyLogInstance()],
  });
  const noLog = createImageVerifier(stampedTrust, { rekor: { policy: 'disabled' } });
  const stamped = (signature: Partial<CosignSignatureOptions> = {}) =>
    signedImage({ signature: { rekor: null, timestamp: tsa, ...signature } });

  it('verifies with the timestamp as the only trusted time', async () => {
    const { store } = stamped();
    const result = noLog.verifyImage(await collect(store), policy);
    const [sig] = result.signatures;
    expect(sig?.verified && sig.result.times.map((t) => t.source)).toEqual(['timestamp']);
    expect(sig?.verified && sig.result.tlog.entries).toEqual([]);
  });

  it('uses the timestamp beside a Rekor bundle under the default policy', async () => {
    const { store } = stamped({ rekor });
    const result = createImageVerifier(stampedTrust).verifyImage(await collect(store), policy);
    const [sig] = result.signatures;
    expect(sig?.verified && sig.result.times.map((t) => t.source).sort()).toEqual([
      'log',
      'timestamp',
    ]);
  });

  const timestampRejections = [
    {
      name: 'timestamp annotation that is not JSON',
      annotation: '{not json',
      code: 'SIGNATURE_MALFORMED',
    },
    {
      name: 'timestamp annotation without SignedRFC3161Timestamp',
      annotation: '{"signedRFC3161Timestamp":"AA=="}',
      code: 'BUNDLE_MALFORMED',
    },
    {
      name: 'timestamp that is not a TimeStampResp',
      annotation: JSON.stringify({
        SignedRFC3161Timestamp: Buffer.from('nope').toString('base64'),
      }),
      code: 'TIMESTAMP_INVALID',
    },
  ] as const;

  it.each(timestampRejections)('rejects: $name ($code)', async ({ annotation, code }) => {
    const { store } = stamped({
      annotationOverrides: { [COSIGN_ANNOTATIONS.timestamp]: annotation },
    });
    expect(codes(noLog.inspectImage(await collect(store), policy))).toEqual([code]);
  });

  it('rejects a timestamp from a TSA the trust root does not name (untrusted timestamp signer)', async () => {
    const { store } = stamped({ timestamp: new TestTimestampAuthority({ seed: 'iv-tsa-other' }) });
    const result = noLog.inspectImage(await collect(store), policy);
    expect(codes(result)).toEqual(['UNTRUSTED_SIGNER']);
    expect(result.signatures[0]).toMatchObject({ detail: { step: 'timestamp' } });
  });

  it('rejects a timestamp over another signature', async () => {
    // The timestamp of one signature copied onto another one by the same signer.
    const { store: other, image } = stamped({ optional: { build: 2 } });
    const layer = other.json<{ layers: { annotations: Record<string, string> }[] }>(
      other.tags.get(cosignSignatureTag(image.digest)) as string,
    ).layers[0];
    const { store } = stamped({
      annotationOverrides: {
        [COSIGN_ANNOTATIONS.timestamp]: layer?.annotations[COSIGN_ANNOTATIONS.timestamp] ?? null,
      },
    });
    expect(codes(noLog.inspectImage(await collect(store), policy))).toEqual(['TIMESTAMP_INVALID']);
  });

  it('without a log and without a timestamp there is no trusted time', async () => {
    const { store } = signedImage({ signature: { rekor: null } });
    const [code] = codes(noLog.inspectImage(await collect(store), policy));
    expect(code).toBe('TIME_SOURCE_MISSING');
  });
});

describe('cosign save layouts (kind annotations, no ref names)', () => {
  it('finds the image and its sigs entry', async () => {
    const { store, image } = signedImage();
    const sig = store.tags.get(cosignSignatureTag(image.digest)) as string;
    const collected = await collect(store, {
      write: {
        tags: [],
        extraEntries: [
          {
            ...descriptorOf(store, image.digest),
            annotations: { kind: 'dev.cosignproject.cosign/image' },
          },
          { ...descriptorOf(store, sig), annotations: { kind: 'dev.cosignproject.cosign/sigs' } },
        ],
      },
    });
    expect(collected.digest).toBe(image.digest);
    const result = verifier.verifyImage(collected, policy);
    expect(result.signatures.map((x) => [x.origin.via, x.verified])).toEqual([
      ['layout-entry', true],
    ]);
  });
});

describe('corrupted and malformed layouts', () => {
  it('a corrupted signature payload blob fails that signature with BLOB_DIGEST_MISMATCH', async () => {
    const { store, image } = signedImage();
    const sig = store.json<{ layers: { digest: string }[] }>(
      store.tags.get(cosignSignatureTag(image.digest)) as string,
    );
    store.corrupt(sig.layers[0]?.digest as string);
    const collected = await collect(store);
    expect(collected.signatures[0]?.kind).toBe('unreadable');
    const error = await rejects(
      () => verifier.verifyImage(collected, policy),
      'NO_VERIFIED_SIGNATURE',
    );
    expect(error.detail.signatures?.[0]).toMatchObject({ code: 'BLOB_DIGEST_MISMATCH' });
  });

  it('a corrupted image manifest stops collection with BLOB_DIGEST_MISMATCH', async () => {
    const { store, image } = signedImage();
    store.corrupt(image.digest);
    await rejects(() => collect(store), 'BLOB_DIGEST_MISMATCH');
  });

  it('a truncated blob fails on its size', async () => {
    const { store, image } = signedImage();
    const layer = store.json<{ layers: { digest: string; size: number }[] }>(
      store.tags.get(cosignSignatureTag(image.digest)) as string,
    ).layers[0] as { digest: string; size: number };
    store.corrupt(layer.digest, store.bytes(layer.digest).slice(0, 10));
    const collected = await collect(store);
    expect(collected.signatures).toMatchObject([
      {
        kind: 'unreadable',
        code: 'BLOB_DIGEST_MISMATCH',
        detail: { expected: layer.size, actual: 10 },
      },
    ]);
  });

  it('a corrupted signature manifest is reported, not ignored', async () => {
    const { store, image } = signedImage();
    store.corrupt(store.tags.get(cosignSignatureTag(image.digest)) as string);
    const collected = await collect(store);
    expect(collected.signatures).toMatchObject([
      { kind: 'unreadable', code: 'BLOB_DIGEST_MISMATCH' },
    ]);
  });

  it('a missing blob is LAYOUT_INVALID', async () => {
    const { store, image } = signedImage();
    const dir = await layoutOf(store);
    await rm(join(dir, 'blobs', 'sha256', image.digest.slice(7)));
    await rejects(() => openOciLayout(dir).collect(), 'LAYOUT_INVALID');
  });

  const broken = [
    { name: 'no oci-layout file', file: 'oci-layout', content: null, code: 'LAYOUT_INVALID' },
    {
      name: 'unsupported layout version',
      file: 'oci-layout',
      content: '{"imageLayoutVersion":"2.0.0"}',
      code: 'LAYOUT_INVALID',
    },
    { name: 'index.json not JSON', file: 'index.json', content: '{', code: 'LAYOUT_INVALID' },
    {
      name: 'index.json without manifests',
      file: 'index.json',
      content: '{"schemaVersion":2}',
      code: 'LAYOUT_INVALID',
    },
    {
      name: 'index.json entry with a bad digest',
      file: 'index.json',
      content:
        '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:../../etc/passwd","size":1}]}',
      code: 'LAYOUT_INVALID',
    },
    {
      name: 'empty layout',
      file: 'index.json',
      content: '{"schemaVersion":2,"manifests":[]}',
      code: 'IMAGE_NOT_FOUND',
    },
  ] as const;

  it.each(broken)('$name → $code', async ({ file, content, code }) => {
    const { store } = signedImage();
    const dir = await layoutOf(store);
    if (content === null) await rm(join(dir, file));
    else await writeFile(join(dir, file), content);
    await rejects(() => openOciLayout(dir).collect(), code);
  });

  it('a manifest that is not a manifest is MANIFEST_INVALID', async () => {
    const store = new OciStore();
    store.addManifestBytes(
      'application/vnd.oci.image.manifest.v1+json',
      new TextEncoder().encode('{"schemaVersion":2,"layers":"nope"}'),
      'v1',
    );
    await rejects(() => collect(store), 'MANIFEST_INVALID');
  });

  it('selects among several images by ref name or digest, and refuses to guess', async () => {
    const { store, image } = signedImage();
    const other = addTestImage(store, { seed: 'iv-other', tag: 'other' });
    await rejects(() => collect(store), 'REFERENCE_INVALID');
    expect((await collect(store, { image: 'v1' })).digest).toBe(image.digest);
    expect((await collect(store, { image: other.digest })).digest).toBe(other.digest);
    await rejects(() => collect(store, { image: 'v2' }), 'IMAGE_NOT_FOUND');
  });

  it('enforces limits', async () => {
    const { store, image } = signedImage();
    addCosignSignature(store, { imageDigest: image.digest, signer, rekor });
    await rejects(() => collect(store, { limits: { maxSignatures: 1 } }), 'LIMIT_EXCEEDED');
    const tiny = await collect(store, { limits: { maxBlobBytes: 16 } });
    expect(tiny.signatures.map((s) => s.kind === 'unreadable' && s.code)).toEqual([
      'LIMIT_EXCEEDED',
      'LIMIT_EXCEEDED',
    ]);
    await rejects(() => collect(store, { limits: { maxManifestBytes: 64 } }), 'LIMIT_EXCEEDED');
    await rejects(() => collect(store, { limits: { maxSignatures: 0 } }), 'ARGUMENT_INVALID');
  });
});

describe('Sigstore bundle referrers in an OCI layout', () => {
  it('verifies a bundle referrer found through the fallback tag', async () => {
    const store = new OciStore();
    const image = addTestImage(store, { tag: 'v1' });
    attachBundle(store, image);
    const result = verifier.verifyImage(await collect(store), policy);
    expect(result.signatures).toHaveLength(1);
    const [sig] = result.signatures;
    expect(sig).toMatchObject({ verified: true, kind: 'bundle', origin: { via: 'referrers-tag' } });
    if (sig?.verified) {
      expect(sig.result.format).toBe('sigstore-bundle-v0.3');
      expect(sig.result.statement?.predicateType).toBe('https://sigstore.dev/cosign/sign/v1');
    }
  });

  it('finds untagged referrers listed in index.json by their subject', async () => {
    const store = new OciStore();
    const image = addTestImage(store, { tag: 'v1' });
    attachBundle(store, image, { fallbackTag: false });
    const collected = await collect(store, { write: { listReferrers: true } });
    expect(collected.signatures.map((s) => s.origin.via)).toEqual(['layout-entry']);
    expect(verifier.verifyImage(collected, policy).verified).toBe(true);
  });

  const invalid = [
    {
      name: 'statement about another image',
      options: { statementDigest: `sha256:${'ef'.repeat(32)}` },
      code: 'DIGEST_MISMATCH',
    },
    { name: 'untrusted signer', options: { who: stranger }, code: 'UNTRUSTED_SIGNER' },
    { name: 'wrong identity', options: { who: wrongIdentity }, code: 'IDENTITY_MISMATCH' },
  ] as const;

  it.each(invalid)('rejects a referrer bundle: $name ($code)', async ({ options, code }) => {
    const store = new OciStore();
    const image = addTestImage(store, { tag: 'v1' });
    attachBundle(store, image, options);
    const result = verifier.inspectImage(await collect(store), policy);
    expect(codes(result)).toEqual([code]);
  });

  it('a referrer whose subject is another image is reported as SUBJECT_MISMATCH', async () => {
    const store = new OciStore();
    const image = addTestImage(store, { tag: 'v1' });
    const other = addTestImage(store, { seed: 'iv-other' });
    attachBundle(store, other, { fallbackTag: false });
    // Put the other image's referrer into this image's fallback index.
    const referrer = [...store.manifests].at(-1) as string;
    store.addManifest(
      {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: referrer,
            size: store.bytes(referrer).length,
          },
        ],
      },
      image.digest.replace(':', '-'),
    );
    const result = verifier.inspectImage(await collect(store, { image: 'v1' }), policy);
    expect(codes(result)).toEqual(['SUBJECT_MISMATCH']);
  });

  it('a message-signature bundle over the image manifest verifies', async () => {
    const store = new OciStore();
    const image = addTestImage(store, { tag: 'v1' });
    attachBundle(store, image, { message: store.bytes(image.digest) });
    const result = verifier.verifyImage(await collect(store), policy);
    expect(result.signatures[0]).toMatchObject({
      verified: true,
      result: { content: 'message-signature' },
    });
  });

  it('a message-signature bundle over other bytes is DIGEST_MISMATCH', async () => {
    const store = new OciStore();
    const image = addTestImage(store, { tag: 'v1' });
    attachBundle(store, image, { message: new TextEncoder().encode('another manifest') });
    expect(codes(verifier.inspectImage(await collect(store), policy))).toEqual(['DIGEST_MISMATCH']);
  });

  it('attestations of other predicate types are listed, not counted, unless accepted', async () => {
    const store = new OciStore();
    const image = addTestImage(store, { tag: 'v1' });
    attachBundle(store, image, { predicateType: 'https://slsa.dev/provenance/v1' });
    const collected = await collect(store);
    expect(codes(verifier.inspectImage(collected, policy))).toEqual(['PREDICATE_TYPE_MISMATCH']);
    const accepted = verifier.verifyImage(collected, {
      ...policy,
      acceptedPredicateTypes: ['https://slsa.dev/provenance/v1'],
    });
    expect(codes(accepted)).toEqual(['VERIFIED']);
  });

  it('a bundle cannot satisfy required annotations', async () => {
    const store = new OciStore();
    const image = addTestImage(store, { tag: 'v1' });
    attachBundle(store, image);
    const result = verifier.inspectImage(await collect(store), {
      ...policy,
      requireAnnotations: { module: 'demo' },
    });
    expect(codes(result)).toEqual(['ANNOTATION_MISMATCH']);
  });

  it('cosign signature and bundle referrer side by side', async () => {
    const { store, image } = signedImage();
    attachBundle(store, image);
    const result = verifier.verifyImage(await collect(store), policy);
    expect(result.signatures.map((s) => `${s.kind}:${s.verified}`)).toEqual([
      'cosign:true',
      'bundle:true',
    ]);
  });
});

describe('multi-arch images', () => {
  function multiArch(signPlatforms: boolean) {
    const store = new OciStore();
    const { index, images } = addTestMultiArchImage(store, { tag: 'v1' });
    addCosignSignature(store, { imageDigest: index.digest, signer, rekor });
    if (signPlatforms) {
      for (const image of images) {
        addCosignSignature(store, { imageDigest: image.digest, signer, rekor });
      }
    }
    return { store, index, images };
  }

  it('verifies the index digest by default', async () => {
    const { store, index } = multiArch(false);
    const collected = await collect(store);
    expect(collected.digest).toBe(index.digest);
    expect(collected.platforms).toBeUndefined();
    expect(verifier.verifyImage(collected, policy).verified).toBe(true);
  });

  it('on request, requires every platform manifest to be signed too', async () => {
    const { store } = multiArch(false);
    const collected = await collect(store, { platforms: true });
    expect(collected.platforms).toHaveLength(2);
    const error = await rejects(() => verifier.verifyImage(collected, policy), 'NO_SIGNATURES');
    expect(error.message).toContain('linux');
  });

  it('verifies every platform when each is signed', async () => {
    const { store, images } = multiArch(true);
    const result = verifier.verifyImage(await collect(store, { platforms: true }), policy);
    expect(result.platforms?.map((p) => [p.digest, p.verified])).toEqual(
      images.map((i) => [i.digest, true]),
    );
    expect(result.platforms?.[1]?.platform).toEqual({
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8',
    });
  });

  it('a platform list selects platforms, and unknown platforms are IMAGE_NOT_FOUND', async () => {
    const { store } = multiArch(true);
    const some = await collect(store, { platforms: ['linux/arm64'] });
    expect(some.platforms?.map((p) => p.platform?.architecture)).toEqual(['arm64']);
    await rejects(() => collect(store, { platforms: ['windows/amd64'] }), 'IMAGE_NOT_FOUND');
  });

  it('a platform signature attached to the index does not count for the platform', async () => {
    const { store, index, images } = multiArch(false);
    // A signature naming the index digest, attached under the first platform's .sig tag.
    addCosignSignature(store, {
      imageDigest: images[0]?.digest as string,
      payloadDigest: index.digest,
      signer,
      rekor,
    });
    const result = verifier.inspectImage(await collect(store, { platforms: true }), policy);
    expect(result.verified).toBe(false);
    expect(codes(result.platforms?.[0] as never)).toEqual(['PAYLOAD_DIGEST_MISMATCH']);
  });
});
