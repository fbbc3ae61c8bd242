import { type AddressInfo, createServer } from 'node:net';
import {
  addCosignSignature,
  addTestImage,
  addTestMultiArchImage,
  findTool,
  OciPushClient,
  OciStore,
  type RegistryProcess,
  startTestRegistry,
} from '@flareo/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrySource } from '../src/index.js';
import {
  attachBundle,
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

const registryBinary = findTool('docker-registry');

// The CNCF distribution registry as Debian ships it (2.8.x): no referrers API, so Sigstore
// bundle referrers are found through the sha256-<hex> tag-schema fallback index.
describe.skipIf(!registryBinary)('registrySource against a real docker-registry', () => {
  let registry: RegistryProcess;
  let push: OciPushClient;
  beforeAll(async () => {
    registry = await startTestRegistry(registryBinary as string);
    push = new OciPushClient({ baseUrl: registry.url });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  const source = (ref: string, options = {}) =>
    registrySource(`${registry.host}/${ref}`, { plainHttp: true, ...options });

  it('verifies a signed image by tag and by digest, with a bundle referrer beside it', async () => {
    const { store, image } = signedImage({ seed: 'reg-valid' });
    attachBundle(store, image);
    await push.pushStore('modules/valid', store);

    for (const ref of ['modules/valid:v1', `modules/valid@${image.digest}`]) {
      const collected = await source(ref).collect();
      expect(collected.digest).toBe(image.digest);
      const result = verifier.verifyImage(collected, policy);
      expect(result.signatures.map((s) => [s.kind, s.origin.via, s.verified])).toEqual([
        ['cosign', 'signature-tag', true],
        ['bundle', 'referrers-tag', true],
      ]);
    }
  });

  it('the registry has no referrers API (the fallback tag is what works)', async () => {
    const { store, image } = signedImage({ seed: 'reg-probe' });
    await push.pushStore('modules/probe', store);
    const response = await fetch(`${registry.url}/v2/modules/probe/referrers/${image.digest}`);
    await response.arrayBuffer();
    expect(response.status).toBe(404);
  });

  const rejections = [
    {
      name: 'signature for another image',
      signature: { payloadDigest: `sha256:${'ab'.repeat(32)}` },
      code: 'PAYLOAD_DIGEST_MISMATCH',
    },
    { name: 'untrusted signer', signature: { signer: stranger }, code: 'UNTRUSTED_SIGNER' },
    { name: 'wrong identity', signature: { signer: wrongIdentity }, code: 'IDENTITY_MISMATCH' },
  ] as const;

  it.each(rejections)('rejects: $name ($code)', async ({ name, signature, code }) => {
    const repo = `modules/${name.replaceAll(' ', '-')}`;
    const { store } = signedImage({ seed: repo, signature });
    await push.pushStore(repo, store);
    const collected = await source(`${repo}:v1`).collect();
    const error = await rejects(
      () => verifier.verifyImage(collected, policy),
      'NO_VERIFIED_SIGNATURE',
    );
    expect((error.detail.signatures as { code: string }[]).map((s) => s.code)).toEqual([code]);
  });

  it('rejects a payload tampered after signing', async () => {
    const { store, image } = signedImage({ seed: 'reg-tampered' });
    const sigTag = `${image.digest.replace(':', '-')}.sig`;
    const layer = store.json<{ layers: { annotations: Record<string, string> }[] }>(
      store.tags.get(sigTag) as string,
    ).layers[0];
    const tampered = new OciStore();
    const same = addTestImage(tampered, { seed: 'reg-tampered', tag: 'v1' });
    addCosignSignature(tampered, {
      imageDigest: same.digest,
      payloadDigest: `sha256:${'12'.repeat(32)}`,
      signer,
      rekor,
      annotationOverrides: layer?.annotations ?? {},
    });
    await push.pushStore('modules/tampered', tampered);
    const result = verifier.inspectImage(await source('modules/tampered:v1').collect(), policy);
    expect(codes(result)).toEqual(['SIGNATURE_MISMATCH']);
  });

  it('reports NO_SIGNATURES for an unsigned image', async () => {
    const store = new OciStore();
    addTestImage(store, { seed: 'reg-unsigned', tag: 'v1' });
    await push.pushStore('modules/unsigned', store);
    const collected = await source('modules/unsigned:v1').collect();
    await rejects(() => verifier.verifyImage(collected, policy), 'NO_SIGNATURES');
  });

  it('multi-arch: index digest, then every platform on request', async () => {
    const store = new OciStore();
    const { index, images } = addTestMultiArchImage(store, { seed: 'reg-multi', tag: 'v1' });
    for (const d of [index, ...images]) {
      addCosignSignature(store, { imageDigest: d.digest, signer, rekor });
    }
    await push.pushStore('modules/multi', store);
    const collected = await source('modules/multi:v1').collect({ platforms: true });
    const result = verifier.verifyImage(collected, policy);
    expect(result.digest).toBe(index.digest);
    expect(result.platforms?.map((p) => p.verified)).toEqual([true, true]);
  });

  it('unknown images and tags are IMAGE_NOT_FOUND', async () => {
    await rejects(() => source('modules/none:v1').collect(), 'IMAGE_NOT_FOUND');
    await rejects(
      () => source(`modules/valid@sha256:${'00'.repeat(32)}`).collect(),
      'IMAGE_NOT_FOUND',
    );
  });

  it('an unreachable registry is REGISTRY_ERROR', async () => {
    // A port that was free a moment ago: nothing listens there.
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await new Promise((r) => server.close(r));
    await rejects(
      () =>
        registrySource(`127.0.0.1:${port}/x/y:v1`, {
          plainHttp: true,
          timeoutMs: 2000,
        }).collect(),
      'REGISTRY_ERROR',
    );
  });
});
