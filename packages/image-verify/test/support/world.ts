import {
  addBundleReferrer,
  addCosignSignature,
  addTestImage,
  buildTrustedRoot,
  type CosignSignatureOptions,
  createFulcioChain,
  mintSigstoreBundle,
  type OciDescriptor,
  OciStore,
  TestRekorV1,
} from '@flareo/testkit';
import { parseTrustedRoot } from '@flareo/trust-root';
import { expect } from 'vitest';
import {
  createImageVerifier,
  type ImageVerificationResult,
  ImageVerifyError,
  type ImageVerifyErrorCode,
  type ImageVerifyPolicy,
} from '../../src/index.js';

// One trusted world for every suite: a Fulcio-style CA and a Rekor v1 log in a trusted root,
// and the seeds' identity rule. A second CA that nobody trusts signs the "untrusted" cases.
export const chain = createFulcioChain({ seed: 'iv-fulcio' });
export const rekor = new TestRekorV1({ seed: 'iv-rekor' });
export const leaf = chain.leaf();
export const signer = { certificate: leaf, chain: [chain.intermediate, chain.root] };
export const strangerChain = createFulcioChain({ seed: 'iv-stranger' });
export const stranger = {
  certificate: strangerChain.leaf(),
  chain: [strangerChain.intermediate, strangerChain.root],
};
export const wrongIdentity = {
  certificate: chain.leaf({
    seed: 'iv-wrong-identity',
    san: { uri: ['https://github.com/mallory/app/.github/workflows/release.yml@refs/tags/v1'] },
  }),
  chain: [chain.intermediate, chain.root],
};

export const trustedRootJson = {
  ...buildTrustedRoot({ certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }] }),
  tlogs: [rekor.transparencyLogInstance()],
};
export const trust = parseTrustedRoot(trustedRootJson);
export const verifier = createImageVerifier(trust);

export const policy: ImageVerifyPolicy = {
  identity: {
    subjectAlternativeName: { regexp: 'https://github.com/flareo/.+' },
    issuer: 'https://token.actions.githubusercontent.com',
  },
};

/** A signed image: image + one cosign signature by the trusted signer. */
export function signedImage(
  options: { seed?: string; tag?: string; signature?: Partial<CosignSignatureOptions> } = {},
): { store: OciStore; image: OciDescriptor } {
  const store = new OciStore();
  const image = addTestImage(store, {
    seed: options.seed ?? 'iv-image',
    tag: options.tag ?? 'v1',
  });
  addCosignSignature(store, { imageDigest: image.digest, signer, rekor, ...options.signature });
  return { store, image };
}

/** The in-toto statement cosign v3 signs for an image (subject = the image digest). */
export function imageStatement(
  digest: string,
  predicateType = 'https://sigstore.dev/cosign/sign/v1',
): object {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'registry.flareo.test/modules/demo', digest: { sha256: digest.slice(7) } }],
    predicateType,
    predicate: {},
  };
}

/** Attach a Sigstore bundle referrer (DSSE by default, or a message signature over a digest). */
export function attachBundle(
  store: OciStore,
  subject: OciDescriptor,
  options: {
    statementDigest?: string;
    predicateType?: string;
    /** A message signature over the image manifest bytes (its digest is the image digest). */
    message?: Uint8Array;
    who?: typeof signer;
    fallbackTag?: boolean;
  } = {},
): OciDescriptor {
  const minted = mintSigstoreBundle({
    version: '0.3',
    content:
      options.message !== undefined
        ? { kind: 'message', artifact: options.message }
        : {
            kind: 'dsse',
            statement: imageStatement(
              options.statementDigest ?? subject.digest,
              options.predicateType,
            ),
          },
    signer: { certificate: (options.who ?? signer).certificate },
    rekor,
  });
  return addBundleReferrer(store, {
    subject,
    bundle: minted.json,
    ...(options.fallbackTag === undefined ? {} : { fallbackTag: options.fallbackTag }),
  });
}

/** Run `fn`, require an ImageVerifyError with this code, return it. */
export async function rejects(
  fn: () => unknown,
  code: ImageVerifyErrorCode,
): Promise<ImageVerifyError> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ImageVerifyError);
  expect((caught as ImageVerifyError).code).toBe(code);
  return caught as ImageVerifyError;
}

/** The per-signature codes of a failed result. */
export function codes(result: ImageVerificationResult): string[] {
  return result.signatures.map((s) => (s.verified ? 'VERIFIED' : s.code));
}
