import { ImageVerifyError, type ImageVerifyErrorCode } from './errors.js';
import {
  type Descriptor,
  isIndexType,
  isSigstoreBundleType,
  MEDIA_TYPES,
  type ParsedManifest,
  type Platform,
  platformName,
  referrersTag,
  type SourceLimits,
  signatureTag,
} from './oci.js';

/** Where a collected signature was found. */
export interface SignatureOrigin {
  /**
   * `signature-tag`: a layer of the `sha256-<hex>.sig` manifest (cosign's tag scheme);
   * `referrers-api`: the registry's `/referrers/` API; `referrers-tag`: the `sha256-<hex>`
   * fallback index; `layout-entry`: a manifest listed in a layout's `index.json` (a referrer
   * with this image as `subject`, or a cosign-save `sigs` entry).
   */
  readonly via: 'signature-tag' | 'referrers-api' | 'referrers-tag' | 'layout-entry';
  /** Digest of the signature or referrer manifest. */
  readonly manifest: string;
  /** Layer index within that manifest. */
  readonly layer?: number;
}

/** One signature as a loader found it (nothing is verified yet). */
export type CollectedSignature =
  | {
      /** A cosign simple-signing layer. */
      readonly kind: 'cosign';
      readonly origin: SignatureOrigin;
      /** The payload bytes (digest already checked against the layer descriptor). */
      readonly payload: Uint8Array;
      /** The layer's annotations (signature, certificate, chain, Rekor bundle). */
      readonly annotations: Readonly<Record<string, string>>;
    }
  | {
      /** A Sigstore bundle referrer. */
      readonly kind: 'bundle';
      readonly origin: SignatureOrigin;
      readonly artifactType: string;
      /** The bundle JSON bytes (digest already checked). */
      readonly bundle: Uint8Array;
      readonly annotations: Readonly<Record<string, string>>;
    }
  | {
      /** A signature whose content could not be read or was not what its descriptor named. */
      readonly kind: 'unreadable';
      readonly origin: SignatureOrigin;
      readonly code: ImageVerifyErrorCode;
      readonly message: string;
      readonly detail: Readonly<Record<string, unknown>>;
    };

/** What a loader collected for one image (and, on request, its platform images). */
export interface CollectedImage {
  /** How the image was named (reference or layout entry). */
  readonly reference: string;
  /** The image digest: the manifest's, or the index's for a multi-arch image. */
  readonly digest: string;
  readonly mediaType: string;
  /** The platform, for an image collected as part of an index. */
  readonly platform?: Platform;
  readonly signatures: readonly CollectedSignature[];
  /** Platform images of an index, when requested. */
  readonly platforms?: readonly CollectedImage[];
}

/** Options of {@link SignatureSource.collect}. */
export interface CollectOptions {
  /**
   * For a multi-arch index: also collect each platform manifest's signatures (`true`), or
   * those of the listed platforms (`'linux/amd64'`, `'linux/arm64/v8'`). Default false: only
   * the index digest's signatures.
   */
  readonly platforms?: boolean | readonly string[];
}

/** A loader: finds an image and everything signed about it. All I/O happens here. */
export interface SignatureSource {
  /** What is being read (a layout directory or an image reference). */
  readonly description: string;
  /** Find the image and its signatures. */
  collect(options?: CollectOptions): Promise<CollectedImage>;
}

/** The primitive reads a loader offers to the shared collection logic. */
export interface ContentReader {
  readonly limits: SourceLimits;
  /** A manifest by tag, or undefined when the tag does not exist. Content is digest-checked. */
  manifestByTag(tag: string): Promise<ParsedManifest | undefined>;
  /** A manifest by descriptor (digest and size checked). */
  manifest(descriptor: Descriptor, location: string): Promise<ParsedManifest>;
  /** A blob by descriptor (digest and size checked, size limited). */
  blob(descriptor: Descriptor, location: string): Promise<Uint8Array>;
  /** Referrers from a native API (undefined when there is none or it is unsupported). */
  referrersApi?(digest: string): Promise<readonly Descriptor[] | undefined>;
  /** Extra candidate manifests a loader knows about (layout `index.json` entries). */
  candidates?(
    digest: string,
  ): Promise<readonly { readonly manifest: ParsedManifest; readonly cosignSignatures: boolean }[]>;
}

/** Refuse before reading when more signatures are announced than the limit allows. */
function tooMany(reader: ContentReader, where: string, count: number): void {
  if (count > reader.limits.maxSignatures) {
    throw new ImageVerifyError(
      'LIMIT_EXCEEDED',
      `${count} signatures announced by ${where}, more than ${reader.limits.maxSignatures}`,
      { location: where, expected: reader.limits.maxSignatures, actual: count },
    );
  }
}

/** Transport failures stop collection; content problems become `unreadable` entries. */
function isFatal(error: unknown): boolean {
  return (
    !(error instanceof ImageVerifyError) ||
    error.code === 'REGISTRY_ERROR' ||
    error.code === 'AUTH_FAILED'
  );
}

function unreadable(origin: SignatureOrigin, error: unknown): CollectedSignature {
  if (isFatal(error)) throw error;
  const e = error as ImageVerifyError;
  return { kind: 'unreadable', origin, code: e.code, message: e.message, detail: { ...e.detail } };
}

/** The simple-signing layers of a signature manifest, read in parallel, reported in layer order. */
async function cosignLayers(
  reader: ContentReader,
  manifest: ParsedManifest,
  via: SignatureOrigin['via'],
  out: CollectedSignature[],
): Promise<void> {
  tooMany(reader, manifest.digest, out.length + manifest.layers.length);
  const found = await Promise.all(
    manifest.layers.map(async (layer, index): Promise<CollectedSignature | undefined> => {
      if (layer.mediaType !== MEDIA_TYPES.simpleSigning) return undefined;
      const origin: SignatureOrigin = { via, manifest: manifest.digest, layer: index };
      try {
        const payload = await reader.blob(layer, `${manifest.digest} layer ${index}`);
        return { kind: 'cosign', origin, payload, annotations: layer.annotations ?? {} };
      } catch (error) {
        return unreadable(origin, error);
      }
    }),
  );
  for (const signature of found) if (signature) out.push(signature);
}

async function bundleReferrer(
  reader: ContentReader,
  manifest: ParsedManifest,
  imageDigest: string,
  via: SignatureOrigin['via'],
): Promise<CollectedSignature | undefined> {
  const origin: SignatureOrigin = { via, manifest: manifest.digest };
  const artifactType = manifest.artifactType ?? manifest.config?.mediaType;
  if (!isSigstoreBundleType(artifactType)) return undefined;
  if (manifest.subject?.digest !== imageDigest) {
    return {
      kind: 'unreadable',
      origin,
      code: 'SUBJECT_MISMATCH',
      message: `referrer ${manifest.digest} has subject ${manifest.subject?.digest ?? '(none)'}, not the image`,
      detail: { expected: imageDigest, actual: manifest.subject?.digest },
    };
  }
  const layer = manifest.layers.find((l) => isSigstoreBundleType(l.mediaType));
  if (!layer) {
    return {
      kind: 'unreadable',
      origin,
      code: 'MANIFEST_INVALID',
      message: `referrer ${manifest.digest} has no Sigstore bundle layer`,
      detail: { location: manifest.digest },
    };
  }
  try {
    const bundle = await reader.blob(layer, `${manifest.digest} bundle layer`);
    return {
      kind: 'bundle',
      origin,
      artifactType: artifactType as string,
      bundle,
      annotations: manifest.annotations ?? {},
    };
  } catch (error) {
    return unreadable({ ...origin, layer: manifest.layers.indexOf(layer) }, error);
  }
}

/** Collect every signature of one image manifest or index (not of its platforms). */
async function signaturesOf(reader: ContentReader, digest: string): Promise<CollectedSignature[]> {
  const out: CollectedSignature[] = [];
  const seen = new Set<string>();

  // cosign's tag scheme: sha256-<hex>.sig
  const sigTag = signatureTag(digest);
  let sigManifest: ParsedManifest | undefined;
  try {
    sigManifest = await reader.manifestByTag(sigTag);
  } catch (error) {
    out.push(unreadable({ via: 'signature-tag', manifest: sigTag }, error));
  }
  if (sigManifest) {
    seen.add(sigManifest.digest);
    await cosignLayers(reader, sigManifest, 'signature-tag', out);
  }

  // OCI 1.1 referrers: the API when there is one, else the tag-schema fallback index.
  const referrers: { descriptor: Descriptor; via: SignatureOrigin['via'] }[] = [];
  const api = reader.referrersApi ? await reader.referrersApi(digest) : undefined;
  if (api) {
    for (const d of api) referrers.push({ descriptor: d, via: 'referrers-api' });
  } else {
    let fallback: ParsedManifest | undefined;
    try {
      fallback = await reader.manifestByTag(referrersTag(digest));
    } catch (error) {
      out.push(unreadable({ via: 'referrers-tag', manifest: referrersTag(digest) }, error));
    }
    if (fallback && isIndexType(fallback.mediaType)) {
      for (const d of fallback.manifests) referrers.push({ descriptor: d, via: 'referrers-tag' });
    }
  }
  tooMany(reader, `referrers of ${digest}`, out.length + referrers.length);
  const referrerManifests: { manifest: ParsedManifest; via: SignatureOrigin['via'] }[] = [];
  for (const { descriptor, via } of referrers) {
    if (seen.has(descriptor.digest)) continue;
    seen.add(descriptor.digest);
    // The descriptor's artifactType may be missing (some tools drop it when copying): read
    // the manifest unless it clearly names another artifact type.
    if (descriptor.artifactType !== undefined && !isSigstoreBundleType(descriptor.artifactType))
      continue;
    if (isIndexType(descriptor.mediaType)) continue;
    try {
      referrerManifests.push({
        manifest: await reader.manifest(descriptor, `referrer ${descriptor.digest}`),
        via,
      });
    } catch (error) {
      out.push(unreadable({ via, manifest: descriptor.digest }, error));
    }
  }
  if (reader.candidates) {
    for (const { manifest, cosignSignatures } of await reader.candidates(digest)) {
      if (seen.has(manifest.digest)) continue;
      seen.add(manifest.digest);
      if (manifest.subject?.digest === digest) {
        referrerManifests.push({ manifest, via: 'layout-entry' });
      } else if (cosignSignatures && manifest.subject === undefined) {
        await cosignLayers(reader, manifest, 'layout-entry', out);
      }
    }
  }
  for (const { manifest, via } of referrerManifests) {
    const found = await bundleReferrer(reader, manifest, digest, via);
    if (found) out.push(found);
  }
  if (out.length > reader.limits.maxSignatures) {
    throw new ImageVerifyError(
      'LIMIT_EXCEEDED',
      `${out.length} signatures found for ${digest}, more than ${reader.limits.maxSignatures}`,
      { image: digest, expected: reader.limits.maxSignatures, actual: out.length },
    );
  }
  return out;
}

function wantedPlatform(
  platform: Platform | undefined,
  wanted: boolean | readonly string[],
): boolean {
  if (wanted === true) return true;
  if (wanted === false || platform === undefined) return false;
  const name = platformName(platform);
  return wanted.some((w) => w === name || w === `${platform.os}/${platform.architecture}`);
}

/**
 * The shared collection walk: the image's signatures, then (for an index, on request) each
 * platform manifest's. Used by every loader.
 */
export async function collectFrom(
  reader: ContentReader,
  image: ParsedManifest,
  reference: string,
  options: CollectOptions = {},
): Promise<CollectedImage> {
  const signatures = await signaturesOf(reader, image.digest);
  const want = options.platforms ?? false;
  if (!isIndexType(image.mediaType) || want === false) {
    return { reference, digest: image.digest, mediaType: image.mediaType, signatures };
  }
  const entries = image.manifests.filter(
    (m) => !isIndexType(m.mediaType) && wantedPlatform(m.platform, want),
  );
  if (Array.isArray(want)) {
    const found = new Set(entries.map((e) => (e.platform ? platformName(e.platform) : '')));
    const missing = want.filter(
      (w) => !entries.some((e) => e.platform && wantedPlatform(e.platform, [w])),
    );
    if (missing.length) {
      throw new ImageVerifyError(
        'IMAGE_NOT_FOUND',
        `the index has no manifest for platform(s) ${missing.join(', ')}`,
        { image: image.digest, expected: missing, actual: [...found] },
      );
    }
  }
  if (entries.length > reader.limits.maxPlatforms) {
    throw new ImageVerifyError(
      'LIMIT_EXCEEDED',
      `the index has ${entries.length} platform manifests, more than ${reader.limits.maxPlatforms}`,
      { image: image.digest, expected: reader.limits.maxPlatforms, actual: entries.length },
    );
  }
  const platforms: CollectedImage[] = [];
  for (const entry of entries) {
    const manifest = await reader.manifest(entry, `platform manifest ${entry.digest}`);
    platforms.push({
      reference: `${reference}@${entry.digest}`,
      digest: manifest.digest,
      mediaType: manifest.mediaType,
      ...(entry.platform === undefined ? {} : { platform: entry.platform }),
      signatures: await signaturesOf(reader, manifest.digest),
    });
  }
  return { reference, digest: image.digest, mediaType: image.mediaType, signatures, platforms };
}
