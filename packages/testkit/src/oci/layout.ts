import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OCI_MEDIA_TYPES, type OciDescriptor, type OciStore } from './store.js';

/** The annotation naming a manifest in an image layout's `index.json`. */
export const OCI_REF_NAME = 'org.opencontainers.image.ref.name';

/** Options of {@link writeOciLayout}. */
export interface WriteOciLayoutOptions {
  /**
   * Which tags become `index.json` entries (with `org.opencontainers.image.ref.name`).
   * Default every tag of the store.
   */
  readonly tags?: readonly string[];
  /**
   * Also list untagged manifests that have a `subject` (OCI 1.1 referrers) in `index.json`,
   * the way ORAS-style tools keep them reachable. Default false.
   */
  readonly listReferrers?: boolean;
  /** Extra `index.json` entries (for example cosign-save style `kind` annotations). */
  readonly extraEntries?: readonly OciDescriptor[];
}

/**
 * Write the store as an OCI image layout directory: `oci-layout`, `index.json` and every blob
 * under `blobs/sha256/<hex>` (bytes as stored, so corrupted blobs stay corrupted).
 */
export async function writeOciLayout(
  store: OciStore,
  dir: string,
  options: WriteOciLayoutOptions = {},
): Promise<void> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  for (const [digest, blob] of store.blobs) {
    const [algorithm, hex] = digest.split(':') as [string, string];
    await mkdir(join(dir, 'blobs', algorithm), { recursive: true });
    await writeFile(join(dir, 'blobs', algorithm, hex), blob.bytes);
  }
  const entries: OciDescriptor[] = [];
  for (const tag of options.tags ?? [...store.tags.keys()]) {
    const digest = store.tags.get(tag);
    if (digest === undefined) throw new Error(`no tag ${tag}`);
    entries.push(descriptorOf(store, digest, { [OCI_REF_NAME]: tag }));
  }
  if (options.listReferrers) {
    for (const digest of store.manifests) {
      const manifest = store.json<{ subject?: unknown; artifactType?: string }>(digest);
      if (manifest.subject === undefined) continue;
      entries.push({
        ...descriptorOf(store, digest),
        ...(manifest.artifactType === undefined ? {} : { artifactType: manifest.artifactType }),
      });
    }
  }
  entries.push(...(options.extraEntries ?? []));
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_MEDIA_TYPES.imageIndex, manifests: entries }),
  );
}

/** The descriptor of a stored manifest (size of the stored bytes). */
export function descriptorOf(
  store: OciStore,
  digest: string,
  annotations?: Readonly<Record<string, string>>,
): OciDescriptor {
  const blob = store.blobs.get(digest);
  if (!blob) throw new Error(`no blob ${digest}`);
  return {
    mediaType: blob.mediaType,
    digest,
    size: blob.bytes.length,
    ...(annotations === undefined ? {} : { annotations }),
  };
}
