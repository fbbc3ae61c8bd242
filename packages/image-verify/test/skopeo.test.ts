import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  addCosignSignature,
  addTestMultiArchImage,
  cosignSignatureTag,
  findTool,
  OciPushClient,
  OciStore,
  type RegistryProcess,
  referrersFallbackTag,
  startTestRegistry,
} from '@flareo/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOciLayout, registrySource } from '../src/index.js';
import { attachBundle, codes, policy, rekor, signer, stranger, verifier } from './support/world.js';

const run = promisify(execFile);
const registryBinary = findTool('docker-registry');
const skopeo = findTool('skopeo');

// What a real tool writes: skopeo copies the image (all platforms, digests preserved), then
// the cosign signature tags and the referrers fallback index, into one OCI layout with a ref
// name per tag. The layout is then verified offline.
describe.skipIf(!registryBinary || !skopeo)(
  'skopeo copy → OCI layout → offline verification',
  () => {
    let registry: RegistryProcess;
    let dir: string;
    const store = new OciStore();
    const { index, images } = addTestMultiArchImage(store, { seed: 'skopeo-image', tag: 'v1' });
    for (const d of [index, ...images])
      addCosignSignature(store, { imageDigest: d.digest, signer, rekor });
    addCosignSignature(store, { imageDigest: index.digest, signer: stranger, rekor });
    attachBundle(store, index);

    const copy = async (source: string, refName: string, extra: string[] = []) => {
      await run(
        skopeo as string,
        [
          'copy',
          '--quiet',
          '--src-tls-verify=false',
          ...extra,
          `docker://${registry.host}/modules/skopeo${source}`,
          `oci:${dir}:${refName}`,
        ],
        { timeout: 60_000 },
      );
    };

    beforeAll(async () => {
      registry = await startTestRegistry(registryBinary as string);
      await new OciPushClient({ baseUrl: registry.url }).pushStore('modules/skopeo', store);
      dir = await mkdtemp(join(tmpdir(), 'flareo-iv-skopeo-'));
      await copy(`@${index.digest}`, 'v1', ['--all', '--preserve-digests']);
      for (const d of [index, ...images]) {
        const tag = cosignSignatureTag(d.digest);
        await copy(`:${tag}`, tag, ['--preserve-digests']);
      }
      // skopeo 1.9 rewrites an index it copies with --all and cannot keep its digest; the
      // referrer manifests inside keep theirs, which is all verification needs.
      await copy(`:${referrersFallbackTag(index.digest)}`, referrersFallbackTag(index.digest), [
        '--all',
      ]);
    }, 120_000);
    afterAll(async () => {
      await registry?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('skopeo wrote a layout with the image digest preserved', async () => {
      const written = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
      const entries = written.manifests as {
        digest: string;
        annotations?: Record<string, string>;
      }[];
      expect(
        entries.find((e) => e.annotations?.['org.opencontainers.image.ref.name'] === 'v1')?.digest,
      ).toBe(index.digest);
      expect(entries).toHaveLength(5);
    });

    it('offline verification of the copied layout passes (index and every platform)', async () => {
      const collected = await openOciLayout(dir, { image: 'v1' }).collect({ platforms: true });
      const result = verifier.verifyImage(collected, policy);
      expect(result.digest).toBe(index.digest);
      expect(codes(result)).toEqual(['VERIFIED', 'UNTRUSTED_SIGNER', 'VERIFIED']);
      expect(result.signatures.map((s) => s.kind)).toEqual(['cosign', 'cosign', 'bundle']);
      expect(result.platforms?.map((p) => [p.digest, p.verified])).toEqual(
        images.map((i) => [i.digest, true]),
      );
    });

    it('the layout and the registry give the same verdicts', async () => {
      const online = verifier.verifyImage(
        await registrySource(`${registry.host}/modules/skopeo:v1`, { plainHttp: true }).collect({
          platforms: true,
        }),
        policy,
      );
      const offline = verifier.verifyImage(
        await openOciLayout(dir, { image: 'v1' }).collect({ platforms: true }),
        policy,
      );
      const verdicts = (r: typeof online) => [
        r.digest,
        codes(r),
        r.platforms?.map((p) => [p.digest, codes(p)]),
      ];
      expect(verdicts(offline)).toEqual(verdicts(online));
    });
  },
);
