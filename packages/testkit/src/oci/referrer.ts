import { referrersFallbackTag } from './cosign.js';
import { OCI_MEDIA_TYPES, type OciDescriptor, type OciStore } from './store.js';

/** The OCI 1.1 empty descriptor's content (`{}`). */
const EMPTY_JSON = new TextEncoder().encode('{}');

/** Options of {@link addBundleReferrer}. */
export interface BundleReferrerOptions {
  /** The image (manifest or index) the bundle is about: the referrer's `subject`. */
  readonly subject: OciDescriptor;
  /** The Sigstore bundle (protobuf JSON object or its exact text). */
  readonly bundle: object | string;
  /** `artifactType` and the layer media type. Default the v0.3 bundle media type. */
  readonly artifactType?: string;
  /** Manifest annotations (cosign writes `dev.sigstore.bundle.content`, `…predicateType`). */
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * Also maintain the referrers tag-schema fallback index (`sha256-<hex>` tag), for registries
   * without the referrers API. Default true.
   */
  readonly fallbackTag?: boolean;
}

/**
 * Attach a Sigstore bundle to an image as an OCI 1.1 referrer (what `cosign sign
 * --new-bundle-format` / `cosign attest` with referrers write): an image manifest with
 * `artifactType` = the bundle media type, the empty config, one layer holding the bundle JSON,
 * and `subject` = the image. Returns the referrer manifest's descriptor (with `artifactType`).
 */
export function addBundleReferrer(store: OciStore, options: BundleReferrerOptions): OciDescriptor {
  const artifactType = options.artifactType ?? OCI_MEDIA_TYPES.sigstoreBundleV03;
  const text = typeof options.bundle === 'string' ? options.bundle : JSON.stringify(options.bundle);
  const layer = store.addBlob(artifactType, new TextEncoder().encode(text));
  const config = store.addBlob(OCI_MEDIA_TYPES.empty, EMPTY_JSON);
  const manifest = store.addManifest({
    schemaVersion: 2,
    mediaType: OCI_MEDIA_TYPES.imageManifest,
    artifactType,
    config,
    layers: [layer],
    subject: {
      mediaType: options.subject.mediaType,
      digest: options.subject.digest,
      size: options.subject.size,
    },
    ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
  });
  const descriptor: OciDescriptor = {
    ...manifest,
    artifactType,
    ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
  };
  if (options.fallbackTag ?? true) {
    const tag = referrersFallbackTag(options.subject.digest);
    const existing = store.tags.get(tag);
    const manifests: OciDescriptor[] = existing
      ? store.json<{ manifests: OciDescriptor[] }>(existing).manifests
      : [];
    store.addManifest(
      {
        schemaVersion: 2,
        mediaType: OCI_MEDIA_TYPES.imageIndex,
        manifests: [...manifests, descriptor],
      },
      tag,
    );
  }
  return descriptor;
}
