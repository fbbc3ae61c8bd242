import { gzipSync } from 'node:zlib';

// A VEX Repository (spec v0.1, the format `trivy vex repo` downloads) built from the catalog:
// the manifest at /.well-known/vex-repository.json points at a tar.gz archive whose root
// holds index.json (`packages[{ id, location, format }]`) and one OpenVEX document per
// module. Package ids are the module images' OCI purls without version; like Trivy's
// repository lookup, OCI ids keep the `repository_url` qualifier.

/** One module's entry in the repository. */
export interface VexRepositoryPackage {
  /** `pkg:oci/<slug>?repository_url=<image>`. */
  readonly id: string;
  /** Path of the document inside the archive (and under the uncompressed route). */
  readonly location: string;
  readonly format: 'openvex';
}

/** `index.json` of the repository. */
export interface VexRepositoryIndex {
  readonly updated_at: string;
  readonly packages: readonly VexRepositoryPackage[];
}

/** The OCI purl (no version) a module's VEX is filed under. */
export function modulePurl(slug: string, image: string): string {
  return `pkg:oci/${slug}?repository_url=${encodeURIComponent(image)}`;
}

/** The archive path of a module's document. */
export const vexLocation = (slug: string) => `pkg/oci/${slug}/vex.json`;

/** The repository manifest (`/.well-known/vex-repository.json`). */
export function vexRepositoryManifest(publicUrl: string, name: string): Record<string, unknown> {
  return {
    name,
    description: `Merged OpenVEX documents of every module in ${name}`,
    versions: {
      v0: {
        spec_version: 'v0.1',
        locations: [{ url: `${publicUrl}/api/v1/vex-repository/vex-repository.tar.gz` }],
        update_interval: '1h',
      },
    },
    latest_version: 'v0',
  };
}

/**
 * A ustar archive of regular files, gzipped. Written by hand because no tar package is a
 * dependency and the catalog only needs a few small regular files: 512-byte headers with
 * octal fields and a checksum, contents padded to 512 bytes, two zero blocks at the end.
 */
export function tarGz(
  files: readonly { path: string; data: Uint8Array }[],
  mtime: Date,
): Uint8Array {
  const blocks: Uint8Array[] = [];
  const seconds = Math.floor(mtime.getTime() / 1000);
  for (const file of files) {
    const name = new TextEncoder().encode(file.path);
    if (name.length > 100) throw new RangeError(`tar path longer than 100 bytes: ${file.path}`);
    const header = new Uint8Array(512);
    const put = (offset: number, text: string) =>
      header.set(new TextEncoder().encode(text), offset);
    const octal = (offset: number, width: number, value: number) =>
      put(offset, `${value.toString(8).padStart(width - 1, '0')}\0`);
    header.set(name, 0);
    octal(100, 8, 0o644); // mode
    octal(108, 8, 0); // uid
    octal(116, 8, 0); // gid
    octal(124, 12, file.data.length); // size
    octal(136, 12, seconds); // mtime
    put(148, '        '); // checksum field counts as spaces while summing
    put(156, '0'); // regular file
    put(257, 'ustar\u000000'); // magic "ustar\0" and version "00"
    let sum = 0;
    for (const byte of header) sum += byte;
    put(148, `${sum.toString(8).padStart(6, '0')}\0 `);
    blocks.push(header, file.data);
    const pad = (512 - (file.data.length % 512)) % 512;
    if (pad) blocks.push(new Uint8Array(pad));
  }
  blocks.push(new Uint8Array(1024));
  return new Uint8Array(gzipSync(Buffer.concat(blocks)));
}
