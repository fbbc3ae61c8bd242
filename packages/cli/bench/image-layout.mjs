// An OCI image layout with one cosign-signed image, for the whole-process bench's
// `flareo verify-image` row: the command a CI job runs once per image, here on a layout on
// disk (no registry, so no network in the measure). Minted with @flareo/testkit: a P-384 CA
// chain (as Fulcio's) and a Rekor v1 log, and a trusted_root.json for both (writeMintedTrust);
// the signature is a cosign `.sig` manifest with the log entry's SET, as `cosign sign` writes
// it.
//
// writeImageLayout(dir) → { layout, trustedRoot, identity }
import { join } from 'node:path';
import {
  addCosignSignature,
  addTestImage,
  DEFAULT_OIDC_ISSUER,
  OciStore,
  writeOciLayout,
} from '@flareo/testkit';
import { writeMintedTrust } from './minted-manifest.mjs';

export async function writeImageLayout(dir) {
  const { chain, rekor, trustedRoot } = writeMintedTrust(dir, 'cli-bench-image');
  const store = new OciStore();
  const image = addTestImage(store, { seed: 'cli-bench-image', tag: 'v1' });
  addCosignSignature(store, {
    imageDigest: image.digest,
    signer: { certificate: chain.leaf(), chain: [chain.intermediate, chain.root] },
    rekor,
  });
  const layout = join(dir, 'image-layout');
  await writeOciLayout(store, layout);
  return {
    layout,
    trustedRoot,
    identity: [
      '--certificate-identity-regexp',
      '^https://github\\.com/flareo/.+$',
      '--certificate-oidc-issuer',
      DEFAULT_OIDC_ISSUER,
    ],
  };
}
