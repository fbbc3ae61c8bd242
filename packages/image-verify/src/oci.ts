import { createHash } from 'node:crypto';
import { ImageVerifyError } from './errors.js';

/** Media types this package reads. */
export const MEDIA_TYPES = Object.freeze({
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  simpleSigning: 'application/vnd.dev.cosign.simplesigning.v1+json',
});

/** Layer annotations of a cosign signature manifest. */
export const COSIGN_ANNOTATIONS = Object.freeze({
  signature: 'dev.cosignproject.cosign/signature',
  certificate: 'dev.sigstore.cosign/certificate',
  chain: 'dev.sigstore.cosign/chain',
  bundle: 'dev.sigstore.cosign/bundle',
  /** `{"SignedRFC3161Timestamp": "<base64 DER>"}`: a TSA's timestamp over the signature bytes. */
  timestamp: 'dev.sigstore.cosign/rfc3161timestamp',
});

/** The `critical.type` of a cosign container image signature. */
export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';

/** `Accept` header for manifests: OCI and Docker schema 2, images and indexes. */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifest,
  MEDIA_TYPES.dockerManifestList,
].join(', ');

/** True for a Sigstore bundle media type (any version, either spelling). */
export function isSigstoreBundleType(mediaType: string | undefined): boolean {
  return (
    typeof mediaType === 'string' && mediaType.startsWith('application/vnd.dev.sigstore.bundle')
  );
}

export function isIndexType(mediaType: string): boolean {
  return mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerManifestList;
}

/** An image platform. */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** An OCI content descriptor, validated. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly artifactType?: string;
  readonly platform?: Platform;
}

/** A manifest or index, parsed and validated. */
export interface ParsedManifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Uint8Array;
  readonly artifactType?: string;
  readonly config?: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly manifests: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Hostile-input limits of the loaders. */
export interface SourceLimits {
  /** Largest manifest or index, bytes. Default 4 MiB. */
  readonly maxManifestBytes: number;
  /** Largest signature payload or bundle blob, bytes. Default 4 MiB. */
  readonly maxBlobBytes: number;
  /** Most signatures (layers plus referrers) read per image. Default 64. */
  readonly maxSignatures: number;
  /** Most descriptors in an index, `index.json` or referrers list. Default 1024. */
  readonly maxDescriptors: number;
  /** Most platform manifests followed in a multi-arch index. Default 32. */
  readonly maxPlatforms: number;
}

/** Default {@link SourceLimits}. */
export const DEFAULT_SOURCE_LIMITS: SourceLimits = Object.freeze({
  maxManifestBytes: 4 * 1024 * 1024,
  maxBlobBytes: 4 * 1024 * 1024,
  maxSignatures: 64,
  maxDescriptors: 1024,
  maxPlatforms: 32,
});

export function resolveLimits(limits: Partial<SourceLimits> | undefined): SourceLimits {
  const merged = { ...DEFAULT_SOURCE_LIMITS, ...(limits ?? {}) };
  for (const [key, value] of Object.entries(merged)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new ImageVerifyError('ARGUMENT_INVALID', `limits.${key} must be a positive integer`, {
        expected: 'positive integer',
        actual: value,
      });
    }
  }
  return merged;
}

const DIGEST = /^sha256:[a-f0-9]{64}$|^sha512:[a-f0-9]{128}$/;

export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST.test(value);
}

/** Digest of bytes with the algorithm of `like` (sha256 by default). */
export function digestOf(bytes: Uint8Array, like = 'sha256:'): string {
  const algorithm = like.startsWith('sha512:') ? 'sha512' : 'sha256';
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Check that bytes are what the descriptor names (size, then digest). */
export function checkContent(bytes: Uint8Array, expected: Descriptor, location: string): void {
  if (bytes.length !== expected.size) {
    throw new ImageVerifyError(
      'BLOB_DIGEST_MISMATCH',
      `${location}: size ${bytes.length} is not the descriptor's ${expected.size}`,
      { location, expected: expected.size, actual: bytes.length },
    );
  }
  const actual = digestOf(bytes, expected.digest);
  if (actual !== expected.digest) {
    throw new ImageVerifyError(
      'BLOB_DIGEST_MISMATCH',
      `${location}: content digest ${actual} is not ${expected.digest}`,
      { location, expected: expected.digest, actual },
    );
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringMap(value: unknown, where: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw manifestError(`${where} must be an object of strings`, where);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw manifestError(`${where}.${k} must be a string`, where);
    out[k] = v;
  }
  return out;
}

function manifestError(message: string, location: string): ImageVerifyError {
  return new ImageVerifyError('MANIFEST_INVALID', message, { location });
}

/** Validate one descriptor object. */
export function parseDescriptor(value: unknown, where: string): Descriptor {
  if (!isRecord(value)) throw manifestError(`${where} is not a descriptor object`, where);
  const { mediaType, digest, size, artifactType, platform } = value;
  if (typeof mediaType !== 'string' || mediaType.length === 0)
    throw manifestError(`${where}.mediaType must be a string`, where);
  if (!isDigest(digest))
    throw manifestError(`${where}.digest is not a sha256/sha512 digest`, where);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw manifestError(`${where}.size must be a non-negative integer`, where);
  const annotations = stringMap(value.annotations, `${where}.annotations`);
  let parsedPlatform: Platform | undefined;
  if (isRecord(platform)) {
    if (typeof platform.os !== 'string' || typeof platform.architecture !== 'string')
      throw manifestError(`${where}.platform needs os and architecture`, where);
    parsedPlatform = {
      os: platform.os,
      architecture: platform.architecture,
      ...(typeof platform.variant === 'string' ? { variant: platform.variant } : {}),
    };
  }
  return {
    mediaType,
    digest,
    size,
    ...(annotations === undefined ? {} : { annotations }),
    ...(typeof artifactType === 'string' ? { artifactType } : {}),
    ...(parsedPlatform === undefined ? {} : { platform: parsedPlatform }),
  };
}

function descriptorList(value: unknown, where: string, limits: SourceLimits): Descriptor[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw manifestError(`${where} must be an array`, where);
  if (value.length > limits.maxDescriptors) {
    throw new ImageVerifyError(
      'LIMIT_EXCEEDED',
      `${where} has ${value.length} entries, more than ${limits.maxDescriptors}`,
      { location: where, expected: limits.maxDescriptors, actual: value.length },
    );
  }
  return value.map((d, i) => parseDescriptor(d, `${where}[${i}]`));
}

/**
 * Parse manifest bytes whose digest has already been checked. `mediaTypeHint` is the
 * descriptor's or the HTTP response's media type, used when the JSON has none (Docker
 * schema 2 always has one; OCI makes it optional).
 */
export function parseManifest(
  bytes: Uint8Array,
  digest: string,
  mediaTypeHint: string | undefined,
  limits: SourceLimits,
  location: string,
): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new ImageVerifyError(
      'MANIFEST_INVALID',
      `${location} is not JSON`,
      { location },
      { cause },
    );
  }
  if (!isRecord(json)) throw manifestError(`${location} is not a JSON object`, location);
  if (json.schemaVersion !== 2)
    throw manifestError(`${location}: schemaVersion must be 2`, location);
  const declared = typeof json.mediaType === 'string' ? json.mediaType : undefined;
  const hint = mediaTypeHint?.split(';')[0]?.trim();
  let mediaType =
    declared ??
    (hint && (Object.values(MEDIA_TYPES) as string[]).includes(hint) ? hint : undefined) ??
    (Array.isArray(json.manifests) ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest);
  if (
    mediaType !== MEDIA_TYPES.ociManifest &&
    mediaType !== MEDIA_TYPES.ociIndex &&
    mediaType !== MEDIA_TYPES.dockerManifest &&
    mediaType !== MEDIA_TYPES.dockerManifestList
  ) {
    throw new ImageVerifyError('MANIFEST_INVALID', `${location}: unsupported media type`, {
      location,
      expected: Object.values(MEDIA_TYPES).slice(0, 4),
      actual: mediaType,
    });
  }
  if (isIndexType(mediaType) && !Array.isArray(json.manifests))
    throw manifestError(`${location}: an index needs "manifests"`, location);
  if (!isIndexType(mediaType) && Array.isArray(json.manifests) && json.layers === undefined)
    mediaType = MEDIA_TYPES.ociIndex;
  const annotations = stringMap(json.annotations, `${location}.annotations`);
  const config =
    json.config === undefined ? undefined : parseDescriptor(json.config, `${location}.config`);
  const subject =
    json.subject === undefined || json.subject === null
      ? undefined
      : parseDescriptor(json.subject, `${location}.subject`);
  return {
    digest,
    mediaType,
    bytes,
    ...(typeof json.artifactType === 'string' ? { artifactType: json.artifactType } : {}),
    ...(config === undefined ? {} : { config }),
    layers: isIndexType(mediaType) ? [] : descriptorList(json.layers, `${location}.layers`, limits),
    manifests: isIndexType(mediaType)
      ? descriptorList(json.manifests, `${location}.manifests`, limits)
      : [],
    ...(subject === undefined ? {} : { subject }),
    ...(annotations === undefined ? {} : { annotations }),
  };
}

/** `os/architecture[/variant]`. */
export function platformName(platform: Platform): string {
  return `${platform.os}/${platform.architecture}${platform.variant ? `/${platform.variant}` : ''}`;
}

/** The tag cosign stores signatures under: `sha256-<hex>.sig`. */
export function signatureTag(digest: string): string {
  return `${digest.replace(':', '-')}.sig`;
}

/** The referrers tag-schema fallback tag: `sha256-<hex>`. */
export function referrersTag(digest: string): string {
  return digest.replace(':', '-');
}
