import { createHash } from 'node:crypto';
import { seededBytes } from '../seed.js';

/** OCI and cosign media types the test kit writes. */
export const OCI_MEDIA_TYPES = Object.freeze({
  imageManifest: 'application/vnd.oci.image.manifest.v1+json',
  imageIndex: 'application/vnd.oci.image.index.v1+json',
  imageConfig: 'application/vnd.oci.image.config.v1+json',
  layerTarGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  empty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  simpleSigning: 'application/vnd.dev.cosign.simplesigning.v1+json',
  sigstoreBundleV03: 'application/vnd.dev.sigstore.bundle.v0.3+json',
});

/** An OCI content descriptor. */
export interface OciDescriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly platform?: OciPlatform;
  readonly artifactType?: string;
}

/** An image platform (`os`/`architecture`/`variant`). */
export interface OciPlatform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** `sha256:<hex>` of bytes. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

const encoder = new TextEncoder();

/**
 * Content-addressed blobs and manifests plus tags, in memory: what an image layout directory
 * or a registry repository holds. Build it with the image, signature and referrer helpers,
 * then write it with `writeOciLayout` or push it with `OciPushClient`.
 */
export class OciStore {
  /** Every blob and manifest by digest. */
  readonly blobs = new Map<string, { readonly mediaType: string; readonly bytes: Uint8Array }>();
  /** Digests of the manifests (as opposed to config and layer blobs), in insertion order. */
  readonly manifests = new Set<string>();
  /** Tag → manifest digest. */
  readonly tags = new Map<string, string>();

  /** Add a blob (config, layer, payload); returns its descriptor. */
  addBlob(
    mediaType: string,
    bytes: Uint8Array,
    annotations?: Readonly<Record<string, string>>,
  ): OciDescriptor {
    const digest = sha256Digest(bytes);
    this.blobs.set(digest, { mediaType, bytes });
    return {
      mediaType,
      digest,
      size: bytes.length,
      ...(annotations === undefined ? {} : { annotations }),
    };
  }

  /** Add a manifest or index from its JSON value (serialised compactly), optionally tagged. */
  addManifest(value: object, tag?: string): OciDescriptor {
    const mediaType = (value as { mediaType?: unknown }).mediaType;
    if (typeof mediaType !== 'string') throw new Error('manifest has no mediaType');
    return this.addManifestBytes(mediaType, encoder.encode(JSON.stringify(value)), tag);
  }

  /** Add a manifest from its exact bytes (for hand-crafted or tampered manifests). */
  addManifestBytes(mediaType: string, bytes: Uint8Array, tag?: string): OciDescriptor {
    const descriptor = this.addBlob(mediaType, bytes);
    this.manifests.add(descriptor.digest);
    if (tag !== undefined) this.tags.set(tag, descriptor.digest);
    return descriptor;
  }

  /** The bytes stored under a digest (throws when absent). */
  bytes(digest: string): Uint8Array {
    const blob = this.blobs.get(digest);
    if (!blob) throw new Error(`no blob ${digest}`);
    return blob.bytes;
  }

  /** The parsed JSON stored under a digest. */
  json<T = Record<string, unknown>>(digest: string): T {
    return JSON.parse(new TextDecoder().decode(this.bytes(digest))) as T;
  }

  /** Replace the bytes stored under a digest without changing the digest (corruption tests). */
  corrupt(digest: string, bytes?: Uint8Array): void {
    const blob = this.blobs.get(digest);
    if (!blob) throw new Error(`no blob ${digest}`);
    const replaced = bytes ?? new Uint8Array(blob.bytes);
    if (bytes === undefined) replaced[0] = (replaced[0] ?? 0) ^ 0x01;
    this.blobs.set(digest, { mediaType: blob.mediaType, bytes: replaced });
  }
}

/** Options of {@link addTestImage}. */
export interface TestImageOptions {
  /** Seed of the layer bytes (different seeds give different images). Default `'flareo-image'`. */
  readonly seed?: string;
  /** The platform written into the config. Default linux/amd64. */
  readonly platform?: OciPlatform;
  /** Layer size in bytes. Default 512. */
  readonly layerSize?: number;
  /** Tag the manifest. */
  readonly tag?: string;
  /** Manifest annotations. */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * Add a small single-layer OCI image (config + one layer of seeded bytes + manifest) to the
 * store; returns the manifest descriptor (its digest is the image digest).
 */
export function addTestImage(store: OciStore, options: TestImageOptions = {}): OciDescriptor {
  const seed = options.seed ?? 'flareo-image';
  const platform = options.platform ?? { os: 'linux', architecture: 'amd64' };
  const layer = store.addBlob(
    OCI_MEDIA_TYPES.layerTarGzip,
    seededBytes(seed, 'oci-layer', options.layerSize ?? 512),
  );
  const layerDiffId = layer.digest;
  const config = store.addBlob(
    OCI_MEDIA_TYPES.imageConfig,
    encoder.encode(
      JSON.stringify({
        architecture: platform.architecture,
        os: platform.os,
        ...(platform.variant === undefined ? {} : { variant: platform.variant }),
        config: { Labels: { 'org.opencontainers.image.title': seed } },
        rootfs: { type: 'layers', diff_ids: [layerDiffId] },
      }),
    ),
  );
  return store.addManifest(
    {
      schemaVersion: 2,
      mediaType: OCI_MEDIA_TYPES.imageManifest,
      config,
      layers: [layer],
      ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
    },
    options.tag,
  );
}

/** Add a multi-arch image index over platform images; returns its descriptor. */
export function addTestIndex(
  store: OciStore,
  images: readonly { readonly descriptor: OciDescriptor; readonly platform: OciPlatform }[],
  tag?: string,
): OciDescriptor {
  return store.addManifest(
    {
      schemaVersion: 2,
      mediaType: OCI_MEDIA_TYPES.imageIndex,
      manifests: images.map((i) => ({
        mediaType: i.descriptor.mediaType,
        digest: i.descriptor.digest,
        size: i.descriptor.size,
        platform: i.platform,
      })),
    },
    tag,
  );
}

/** Add a multi-arch image: one platform image per entry of `platforms`, then the index. */
export function addTestMultiArchImage(
  store: OciStore,
  options: {
    readonly seed?: string;
    readonly platforms?: readonly OciPlatform[];
    readonly tag?: string;
  } = {},
): { readonly index: OciDescriptor; readonly images: readonly OciDescriptor[] } {
  const seed = options.seed ?? 'flareo-multiarch';
  const platforms = options.platforms ?? [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64', variant: 'v8' },
  ];
  const images = platforms.map((platform) =>
    addTestImage(store, {
      seed: `${seed}/${platform.os}/${platform.architecture}`,
      platform,
    }),
  );
  const index = addTestIndex(
    store,
    images.map((descriptor, i) => ({ descriptor, platform: platforms[i] as OciPlatform })),
    options.tag,
  );
  return { index, images };
}
