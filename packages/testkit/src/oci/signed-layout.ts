import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TestRekorV1 } from '../log/rekor-v1.js';
import { buildTrustedRoot } from '../trusted-root.js';
import { createFulcioChain, DEFAULT_OIDC_ISSUER } from '../x509.js';
import { addCosignSignature } from './cosign.js';
import { writeOciLayout } from './layout.js';
import { addTestImage, OciStore } from './store.js';

/** What {@link writeSignedImageLayout} wrote. */
export interface SignedImageLayout {
  /** The OCI image layout directory: the image (tag `v1`) and its cosign `.sig` manifest. */
  readonly layout: string;
  /** The trusted_root.json file that trusts the signature's CA chain and log. */
  readonly trustedRoot: string;
  /** The image manifest's digest. */
  readonly imageDigest: string;
  /** A `--certificate-identity-regexp` the signing certificate's SAN meets (anchored). */
  readonly identityRegexp: string;
  /** The signing certificate's OIDC issuer. */
  readonly issuer: string;
  /** The arguments of `flareo verify-image` that verify it: the layout, the trust, the identity. */
  readonly verifyImageArgs: readonly string[];
}

/**
 * Mint an image signed as `cosign sign` signs it, in an OCI layout, with the trust to verify
 * it: a P-384 CA chain (as Fulcio's) and a Rekor v1 log from `seed`, one leaf certificate with
 * the default workflow identity, a `.sig` manifest whose layer carries the log entry's SET.
 * Writes `<seed>-layout/` and `<seed>-trusted-root.json` in `dir` (which must exist). The same
 * seed gives the same keys, certificates and digests.
 */
export async function writeSignedImageLayout(
  dir: string,
  seed: string,
): Promise<SignedImageLayout> {
  const chain = createFulcioChain({ seed: `${seed}-ca` });
  const rekor = new TestRekorV1({ seed: `${seed}-rekor` });
  const store = new OciStore();
  const image = addTestImage(store, { seed, tag: 'v1' });
  addCosignSignature(store, {
    imageDigest: image.digest,
    signer: { certificate: chain.leaf(), chain: [chain.intermediate, chain.root] },
    rekor,
  });
  const layout = join(dir, `${seed}-layout`);
  await writeOciLayout(store, layout);
  const trustedRoot = join(dir, `${seed}-trusted-root.json`);
  await writeFile(
    trustedRoot,
    JSON.stringify({
      ...buildTrustedRoot({
        certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }],
      }),
      tlogs: [rekor.transparencyLogInstance()],
    }),
  );
  const identityRegexp = '^https://github\\.com/flareo/.+$';
  return {
    layout,
    trustedRoot,
    imageDigest: image.digest,
    identityRegexp,
    issuer: DEFAULT_OIDC_ISSUER,
    verifyImageArgs: [
      layout,
      '--trust-root',
      trustedRoot,
      '--certificate-identity-regexp',
      identityRegexp,
      '--certificate-oidc-issuer',
      DEFAULT_OIDC_ISSUER,
    ],
  };
}
