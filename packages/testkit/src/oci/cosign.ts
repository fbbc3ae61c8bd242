import type { MintSigner } from '../bundle/content.js';
import { mintLegacyCosignBundle } from '../bundle/legacy-bundle.js';
import type { TestRekorV1 } from '../log/rekor-v1.js';
import type { TestTimestampAuthority } from '../tsa/tsa.js';
import { OCI_MEDIA_TYPES, type OciDescriptor, type OciStore } from './store.js';

/** The `critical.type` of a cosign container image signature payload. */
export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';

/** Layer annotations of a cosign signature manifest. */
export const COSIGN_ANNOTATIONS = Object.freeze({
  signature: 'dev.cosignproject.cosign/signature',
  certificate: 'dev.sigstore.cosign/certificate',
  chain: 'dev.sigstore.cosign/chain',
  bundle: 'dev.sigstore.cosign/bundle',
  timestamp: 'dev.sigstore.cosign/rfc3161timestamp',
});

/** The tag cosign stores an image's signature manifest under: `sha256-<hex>.sig`. */
export function cosignSignatureTag(imageDigest: string): string {
  return `${imageDigest.replace(':', '-')}.sig`;
}

/** The referrers tag-schema fallback tag: `sha256-<hex>`. */
export function referrersFallbackTag(subjectDigest: string): string {
  return subjectDigest.replace(':', '-');
}

/** Options of {@link simpleSigningPayload}. */
export interface SimpleSigningPayloadOptions {
  /** The signed image digest (`critical.image.docker-manifest-digest`). */
  readonly imageDigest: string;
  /** `critical.identity.docker-reference`. Default `registry.flareo.test/modules/demo`. */
  readonly dockerReference?: string;
  /** `critical.type`. Default {@link COSIGN_SIGNATURE_TYPE}. */
  readonly type?: string;
  /** `optional` claims (cosign `-a key=value`). Omitted when absent. */
  readonly optional?: Readonly<Record<string, unknown>>;
}

/** The simple-signing JSON payload cosign signs for an image (compact JSON bytes). */
export function simpleSigningPayload(options: SimpleSigningPayloadOptions): Uint8Array {
  const payload = {
    critical: {
      identity: {
        'docker-reference': options.dockerReference ?? 'registry.flareo.test/modules/demo',
      },
      image: { 'docker-manifest-digest': options.imageDigest },
      type: options.type ?? COSIGN_SIGNATURE_TYPE,
    },
    optional: options.optional ?? null,
  };
  return new TextEncoder().encode(JSON.stringify(payload));
}

/** Options of {@link addCosignSignature}. */
export interface CosignSignatureOptions extends Omit<SimpleSigningPayloadOptions, 'imageDigest'> {
  /** The image digest the signature manifest is attached to (its `.sig` tag). */
  readonly imageDigest: string;
  /**
   * The digest written into the payload. Default {@link imageDigest}; give another digest to
   * mint "a signature for another image" attached to this one.
   */
  readonly payloadDigest?: string;
  /** Exact payload bytes (take precedence over every payload option). */
  readonly payload?: Uint8Array;
  /** Certificate signer (leaf + chain annotations) or key signer (no certificate annotation). */
  readonly signer: MintSigner;
  /** The Rekor v1 log the signature is entered in (the `dev.sigstore.cosign/bundle` annotation). */
  readonly rekor?: TestRekorV1 | null;
  /** Integrated time of the log entry. Default: a minute after the certificate's notBefore. */
  readonly integratedTime?: Date;
  /**
   * The TSA that stamps the signature bytes (`cosign sign --timestamp-server-url`): the
   * `dev.sigstore.cosign/rfc3161timestamp` annotation. Default none.
   */
  readonly timestamp?: TestTimestampAuthority;
  /** The timestamp's genTime. Default the integrated time, else the certificate's notBefore + 1 min. */
  readonly timestampTime?: Date;
  /** Change or drop (value `null`) annotations after signing, for negative tests. */
  readonly annotationOverrides?: Readonly<Record<string, string | null>>;
}

/** What {@link addCosignSignature} added. */
export interface AddedCosignSignature {
  /** The signature manifest (tagged `sha256-<hex>.sig`). */
  readonly manifest: OciDescriptor;
  /** The new payload layer. */
  readonly layer: OciDescriptor;
  readonly payload: Uint8Array;
}

/**
 * Sign an image the way `cosign sign` does (legacy tag scheme): a simple-signing payload
 * layer whose annotations carry the base64 signature, the PEM certificate and chain and the
 * Rekor bundle, appended to the image's `sha256-<hex>.sig` signature manifest (created when
 * absent, re-written with one more layer otherwise).
 */
export function addCosignSignature(
  store: OciStore,
  options: CosignSignatureOptions,
): AddedCosignSignature {
  const payload =
    options.payload ??
    simpleSigningPayload({
      imageDigest: options.payloadDigest ?? options.imageDigest,
      ...(options.dockerReference === undefined
        ? {}
        : { dockerReference: options.dockerReference }),
      ...(options.type === undefined ? {} : { type: options.type }),
      ...(options.optional === undefined ? {} : { optional: options.optional }),
    });
  const minted = mintLegacyCosignBundle({
    artifact: payload,
    signer: options.signer,
    rekor: options.rekor ?? null,
    ...(options.integratedTime === undefined ? {} : { integratedTime: options.integratedTime }),
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
    ...(options.timestampTime === undefined ? {} : { timestampTime: options.timestampTime }),
  });
  const annotations: Record<string, string> = {
    [COSIGN_ANNOTATIONS.signature]: minted.base64Signature,
  };
  if ('certificate' in options.signer) {
    annotations[COSIGN_ANNOTATIONS.certificate] = options.signer.certificate.pem;
    const chain = (options.signer.chain ?? []).map((c) => c.pem).join('');
    if (chain) annotations[COSIGN_ANNOTATIONS.chain] = chain;
  }
  if (minted.rekorBundle) {
    annotations[COSIGN_ANNOTATIONS.bundle] = JSON.stringify(minted.rekorBundle);
  }
  if (minted.rfc3161Timestamp) {
    annotations[COSIGN_ANNOTATIONS.timestamp] = JSON.stringify(minted.rfc3161Timestamp);
  }
  for (const [key, value] of Object.entries(options.annotationOverrides ?? {})) {
    if (value === null) delete annotations[key];
    else annotations[key] = value;
  }
  const layer = store.addBlob(OCI_MEDIA_TYPES.simpleSigning, payload, annotations);

  const tag = cosignSignatureTag(options.imageDigest);
  const existing = store.tags.get(tag);
  const layers: OciDescriptor[] = existing
    ? [...store.json<{ layers: OciDescriptor[] }>(existing).layers, layer]
    : [layer];
  const config = store.addBlob(
    OCI_MEDIA_TYPES.imageConfig,
    new TextEncoder().encode(
      JSON.stringify({
        architecture: '',
        os: '',
        config: {},
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      }),
    ),
  );
  const manifest = store.addManifest(
    { schemaVersion: 2, mediaType: OCI_MEDIA_TYPES.imageManifest, config, layers },
    tag,
  );
  return { manifest, layer, payload };
}
