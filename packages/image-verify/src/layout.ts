import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CollectOptions,
  type ContentReader,
  collectFrom,
  type SignatureSource,
} from './collect.js';
import { ImageVerifyError } from './errors.js';
import {
  checkContent,
  type Descriptor,
  isDigest,
  isIndexType,
  isSigstoreBundleType,
  MEDIA_TYPES,
  type ParsedManifest,
  parseDescriptor,
  parseManifest,
  resolveLimits,
  type SourceLimits,
} from './oci.js';

/** The annotation naming an entry of a layout's `index.json`. */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
/** `cosign save` marks `index.json` entries with this annotation (image, sigs, atts, …). */
const COSIGN_KIND_ANNOTATION = 'kind';
const COSIGN_SIGS_KIND = 'dev.cosignproject.cosign/sigs';

/**
 * An image layout given as files already read: paths relative to the layout root
 * (`oci-layout`, `index.json`, `blobs/sha256/<hex>`) to their bytes.
 */
export type OciLayoutFiles = Readonly<Record<string, Uint8Array>>;

/** Options of {@link openOciLayout}. */
export interface OciLayoutOptions {
  /**
   * Which image to verify: a ref name of `index.json` (`org.opencontainers.image.ref.name`,
   * e.g. `v1`) or a digest (`sha256:<hex>`) listed there or stored as a blob. Default: the one
   * entry that is not a signature, referrer or fallback index; ambiguous layouts are refused.
   */
  readonly image?: string;
  /** Size and count limits. Defaults: {@link DEFAULT_SOURCE_LIMITS}. */
  readonly limits?: Partial<SourceLimits>;
}

type Reader = (path: string, maxBytes: number) => Promise<Uint8Array | undefined>;

function dirReader(dir: string): Reader {
  return async (path, maxBytes) => {
    const full = join(dir, path);
    let size: number;
    try {
      const info = await stat(full);
      if (!info.isFile()) return undefined;
      size = info.size;
    } catch {
      return undefined;
    }
    if (size > maxBytes) {
      throw new ImageVerifyError(
        'LIMIT_EXCEEDED',
        `${path} is ${size} bytes, more than ${maxBytes}`,
        {
          location: path,
          expected: maxBytes,
          actual: size,
        },
      );
    }
    return new Uint8Array(await readFile(full));
  };
}

function filesReader(files: OciLayoutFiles): Reader {
  return async (path, maxBytes) => {
    const bytes = Object.hasOwn(files, path) ? files[path] : undefined;
    if (bytes === undefined) return undefined;
    if (bytes.length > maxBytes) {
      throw new ImageVerifyError(
        'LIMIT_EXCEEDED',
        `${path} is ${bytes.length} bytes, more than ${maxBytes}`,
        { location: path, expected: maxBytes, actual: bytes.length },
      );
    }
    return bytes;
  };
}

function layoutError(message: string, location: string, cause?: unknown): ImageVerifyError {
  return new ImageVerifyError('LAYOUT_INVALID', message, { location }, { cause });
}

function parseJsonFile(bytes: Uint8Array, location: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw layoutError(`${location} is not JSON`, location, cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw layoutError(`${location} is not a JSON object`, location);
  return value as Record<string, unknown>;
}

/** Tags that belong to signatures and referrers rather than to images. */
const SIGNATURE_TAG = /^sha(?:256|512)-[a-f0-9]+(?:\.(?:sig|att|sbom))?$/;

class LayoutReader implements ContentReader {
  readonly limits: SourceLimits;
  readonly #read: Reader;
  readonly #entries: readonly Descriptor[];
  readonly #cache = new Map<string, ParsedManifest>();
  #candidates: { manifest: ParsedManifest; cosignSignatures: boolean }[] | undefined;

  constructor(read: Reader, entries: readonly Descriptor[], limits: SourceLimits) {
    this.#read = read;
    this.#entries = entries;
    this.limits = limits;
  }

  get entries(): readonly Descriptor[] {
    return this.#entries;
  }

  async #blobBytes(
    descriptor: Descriptor,
    location: string,
    maxBytes: number,
  ): Promise<Uint8Array> {
    if (!isDigest(descriptor.digest)) throw layoutError(`${location}: bad digest`, location);
    if (descriptor.size > maxBytes) {
      throw new ImageVerifyError(
        'LIMIT_EXCEEDED',
        `${location} is ${descriptor.size} bytes, more than ${maxBytes}`,
        { location, expected: maxBytes, actual: descriptor.size },
      );
    }
    const [algorithm, hex] = descriptor.digest.split(':') as [string, string];
    const path = `blobs/${algorithm}/${hex}`;
    const bytes = await this.#read(path, maxBytes);
    if (bytes === undefined) {
      throw layoutError(`${location}: blob ${path} is missing from the layout`, path);
    }
    checkContent(bytes, descriptor, `${location} (${path})`);
    return bytes;
  }

  async manifest(descriptor: Descriptor, location: string): Promise<ParsedManifest> {
    const cached = this.#cache.get(descriptor.digest);
    if (cached && cached.bytes.length === descriptor.size) return cached;
    const bytes = await this.#blobBytes(descriptor, location, this.limits.maxManifestBytes);
    const parsed = parseManifest(
      bytes,
      descriptor.digest,
      descriptor.mediaType,
      this.limits,
      location,
    );
    this.#cache.set(descriptor.digest, parsed);
    return parsed;
  }

  blob(descriptor: Descriptor, location: string): Promise<Uint8Array> {
    return this.#blobBytes(descriptor, location, this.limits.maxBlobBytes);
  }

  async manifestByTag(tag: string): Promise<ParsedManifest | undefined> {
    const entry = this.#entries.find((e) => e.annotations?.[REF_NAME_ANNOTATION] === tag);
    return entry ? this.manifest(entry, `index.json entry "${tag}"`) : undefined;
  }

  /**
   * Every top-level manifest (not index) of `index.json`, read once, flagged when it is a
   * cosign-save signature entry (`kind: dev.cosignproject.cosign/sigs`).
   */
  async candidates(): Promise<readonly { manifest: ParsedManifest; cosignSignatures: boolean }[]> {
    if (this.#candidates) return this.#candidates;
    const out: { manifest: ParsedManifest; cosignSignatures: boolean }[] = [];
    for (const entry of this.#entries) {
      if (isIndexType(entry.mediaType)) continue;
      try {
        out.push({
          manifest: await this.manifest(entry, `index.json entry ${entry.digest}`),
          cosignSignatures: entry.annotations?.[COSIGN_KIND_ANNOTATION] === COSIGN_SIGS_KIND,
        });
      } catch {
        // A broken unrelated entry does not stop collection; the image and its named
        // signature manifests are read (and fail) through their own paths.
      }
    }
    this.#candidates = out;
    return out;
  }
}

function isSignatureEntry(entry: Descriptor): boolean {
  const name = entry.annotations?.[REF_NAME_ANNOTATION];
  const kind = entry.annotations?.[COSIGN_KIND_ANNOTATION];
  return (
    (name !== undefined && SIGNATURE_TAG.test(name)) ||
    isSigstoreBundleType(entry.artifactType) ||
    (kind !== undefined &&
      kind !== 'dev.cosignproject.cosign/image' &&
      kind !== 'dev.cosignproject.cosign/imageIndex' &&
      kind.startsWith('dev.cosignproject.cosign/'))
  );
}

async function openReader(read: Reader, limits: SourceLimits): Promise<LayoutReader> {
  const layoutBytes = await read('oci-layout', 64 * 1024);
  if (layoutBytes === undefined)
    throw layoutError('the layout has no oci-layout file', 'oci-layout');
  const layout = parseJsonFile(layoutBytes, 'oci-layout');
  const version = layout.imageLayoutVersion;
  if (typeof version !== 'string' || !/^1\.\d+\.\d+$/.test(version)) {
    throw new ImageVerifyError('LAYOUT_INVALID', 'oci-layout: unsupported imageLayoutVersion', {
      location: 'oci-layout',
      expected: '1.x.y',
      actual: version,
    });
  }
  const indexBytes = await read('index.json', limits.maxManifestBytes);
  if (indexBytes === undefined) throw layoutError('the layout has no index.json', 'index.json');
  const index = parseJsonFile(indexBytes, 'index.json');
  if (index.schemaVersion !== 2)
    throw layoutError('index.json: schemaVersion must be 2', 'index.json');
  if (!Array.isArray(index.manifests))
    throw layoutError('index.json has no manifests array', 'index.json');
  if (index.manifests.length > limits.maxDescriptors) {
    throw new ImageVerifyError(
      'LIMIT_EXCEEDED',
      `index.json lists ${index.manifests.length} manifests, more than ${limits.maxDescriptors}`,
      { location: 'index.json', expected: limits.maxDescriptors, actual: index.manifests.length },
    );
  }
  let entries: Descriptor[];
  try {
    entries = index.manifests.map((m, i) => parseDescriptor(m, `index.json manifests[${i}]`));
  } catch (cause) {
    throw layoutError(`index.json: ${(cause as Error).message}`, 'index.json', cause);
  }
  return new LayoutReader(read, entries, limits);
}

async function selectImage(
  reader: LayoutReader,
  wanted: string | undefined,
): Promise<{ manifest: ParsedManifest; name: string }> {
  const entries = reader.entries;
  if (wanted !== undefined) {
    const entry = isDigest(wanted)
      ? entries.find((e) => e.digest === wanted)
      : entries.find((e) => e.annotations?.[REF_NAME_ANNOTATION] === wanted);
    if (entry) return { manifest: await reader.manifest(entry, `image ${wanted}`), name: wanted };
    if (isDigest(wanted)) {
      // A digest not listed in index.json (a platform image of a listed index, say).
      for (const e of entries) {
        if (!isIndexType(e.mediaType)) continue;
        const idx = await reader.manifest(e, `index.json entry ${e.digest}`);
        const child = idx.manifests.find((m) => m.digest === wanted);
        if (child)
          return { manifest: await reader.manifest(child, `image ${wanted}`), name: wanted };
      }
    }
    throw new ImageVerifyError('IMAGE_NOT_FOUND', `the layout has no image "${wanted}"`, {
      expected: wanted,
      actual: entries.map((e) => e.annotations?.[REF_NAME_ANNOTATION] ?? e.digest),
    });
  }
  const images: Descriptor[] = [];
  for (const entry of entries) {
    if (isSignatureEntry(entry)) continue;
    if (!isIndexType(entry.mediaType)) {
      // Untagged referrers and signature manifests are not images.
      const m = await reader.manifest(entry, `index.json entry ${entry.digest}`);
      if (m.subject !== undefined) continue;
      if (m.layers.length > 0 && m.layers.every((l) => l.mediaType === MEDIA_TYPES.simpleSigning))
        continue;
    }
    if (!images.some((i) => i.digest === entry.digest)) images.push(entry);
  }
  if (images.length !== 1) {
    throw new ImageVerifyError(
      images.length === 0 ? 'IMAGE_NOT_FOUND' : 'REFERENCE_INVALID',
      images.length === 0
        ? 'the layout lists no image'
        : `the layout lists ${images.length} images: choose one with the image option (ref name or digest)`,
      { actual: images.map((e) => e.annotations?.[REF_NAME_ANNOTATION] ?? e.digest) },
    );
  }
  const only = images[0] as Descriptor;
  return {
    manifest: await reader.manifest(only, 'image'),
    name: only.annotations?.[REF_NAME_ANNOTATION] ?? only.digest,
  };
}

/**
 * Open an OCI image layout (a directory, or its files already read) as a
 * {@link SignatureSource}. Fully offline: every blob is read from the layout and checked
 * against its descriptor's digest and size. Signatures are found under the
 * `sha256-<hex>.sig` ref name, in the `sha256-<hex>` referrers index, and among `index.json`
 * entries whose manifest has the image as `subject` (or is a cosign-save `sigs` entry).
 */
export function openOciLayout(
  layout: string | OciLayoutFiles,
  options: OciLayoutOptions = {},
): SignatureSource {
  const limits = resolveLimits(options.limits);
  const read = typeof layout === 'string' ? dirReader(layout) : filesReader(layout);
  const description = typeof layout === 'string' ? `oci layout ${layout}` : 'oci layout (files)';
  return {
    description,
    async collect(collectOptions?: CollectOptions) {
      const reader = await openReader(read, limits);
      const { manifest, name } = await selectImage(reader, options.image);
      return collectFrom(reader, manifest, name, collectOptions);
    },
  };
}
