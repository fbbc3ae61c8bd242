import { readFileSync } from 'node:fs';

// The browser build of the verifier (scripts/build-verifier.mjs writes it into dist/web/ at
// build time): its description is read when the server is created (a 300-byte file), the
// module itself on its first request, so serving it adds nothing to start-up.

/** What `dist/web/verifier.json` says about the built verifier. */
export interface VerifierManifest {
  /** File name, `verifier-<16 hex>.js`: the first 64 bits of its SHA-256. */
  readonly file: string;
  /** SHA-256 of the file, hex. */
  readonly sha256: string;
  /** Subresource-integrity value of the file (`sha256-<base64>`). */
  readonly integrity: string;
  /** Size in bytes, and gzipped. */
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** Where the built verifier is served from. */
export const VERIFIER_ASSET_PREFIX = '/assets/';

/** `Cache-Control` of the verifier: its name changes with its content, so it never goes stale. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';

const defaultDir = new URL('../dist/web/', import.meta.url);

/** The built verifier, or `undefined` when the catalog was not built with it. */
export interface VerifierAsset {
  readonly manifest: VerifierManifest;
  /** Its URL path, `/assets/verifier-<hash>.js`. */
  readonly path: string;
  /** The module's bytes (read once, on first use). */
  bytes(): Buffer;
}

/**
 * Read `verifier.json` from `dir` (default: the catalog's `dist/web/`). `undefined` when it is
 * absent (the catalog was run from sources without a build); the page then says that the
 * browser check is not available.
 */
export function loadVerifierAsset(dir: URL = defaultDir): VerifierAsset | undefined {
  let manifest: VerifierManifest;
  try {
    manifest = JSON.parse(readFileSync(new URL('verifier.json', dir), 'utf8')) as VerifierManifest;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (!/^verifier-[0-9a-f]{16}\.js$/.test(manifest.file)) {
    throw new Error(`dist/web/verifier.json names an unexpected file: ${manifest.file}`);
  }
  let cached: Buffer | undefined;
  return {
    manifest,
    path: `${VERIFIER_ASSET_PREFIX}${manifest.file}`,
    bytes: () => {
      cached ??= readFileSync(new URL(manifest.file, dir));
      return cached;
    },
  };
}
