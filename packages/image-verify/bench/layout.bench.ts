import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addCosignSignature,
  addTestImage,
  addTestMultiArchImage,
  OciStore,
  writeOciLayout,
} from '@flareo/testkit';
import { afterAll, bench, describe } from 'vitest';
import { openOciLayout } from '../src/index.js';
import { policy, rekor, signer, verifier } from '../test/support/world.js';

// What verifying a module image from a layout costs: reading and digest-checking the
// manifests and blobs (collect), and the signature pipeline (verify).
const root = mkdtempSync(join(tmpdir(), 'flareo-iv-bench-'));
const single = new OciStore();
const image = addTestImage(single, { tag: 'v1' });
addCosignSignature(single, { imageDigest: image.digest, signer, rekor });
const multi = new OciStore();
const { index, images } = addTestMultiArchImage(multi, { tag: 'v1' });
for (const d of [index, ...images])
  addCosignSignature(multi, { imageDigest: d.digest, signer, rekor });
const singleDir = join(root, 'single');
const multiDir = join(root, 'multi');
await writeOciLayout(single, singleDir);
await writeOciLayout(multi, multiDir);
const collected = await openOciLayout(singleDir).collect();
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('OCI layout', () => {
  bench('collect + verify: image with one cosign signature', async () => {
    verifier.verifyImage(await openOciLayout(singleDir).collect(), policy);
  });
  bench('collect + verify: multi-arch index and 2 platforms (3 signatures)', async () => {
    verifier.verifyImage(await openOciLayout(multiDir).collect({ platforms: true }), policy);
  });
  bench('verify only (already collected), one signature', () => {
    verifier.verifyImage(collected, policy);
  });
});
