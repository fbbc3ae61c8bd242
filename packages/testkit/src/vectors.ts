import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The workspace root: the nearest folder above `from` that holds pnpm-workspace.yaml. */
function workspaceRoot(from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

const HERE = dirname(new URL(import.meta.url).pathname);

/**
 * Where the interop vectors are. They ship with the repository under `fixtures/vectors`
 * (real data files from public projects, see `fixtures/vectors/SOURCES.md`), so a fresh
 * clone runs every interop suite with nothing beside it. `$FLAREO_VECTORS` points the
 * suites at another copy with the same layout instead (CI runs them once more against the
 * shared originals that way). Throws when the folder is missing, so an interop suite can
 * never pass by skipping.
 */
export function vectorsDir(): string {
  const fromEnv = process.env.FLAREO_VECTORS;
  if (fromEnv) {
    if (!existsSync(fromEnv)) {
      throw new Error(`FLAREO_VECTORS names ${fromEnv}, which does not exist`);
    }
    return resolve(fromEnv);
  }
  const root = workspaceRoot(process.cwd()) ?? workspaceRoot(HERE);
  const candidate = root ? join(root, 'fixtures', 'vectors') : undefined;
  if (!candidate || !existsSync(candidate)) {
    throw new Error(
      `interop vectors not found: expected fixtures/vectors in the workspace root (${root ?? 'no pnpm-workspace.yaml above the working directory'})`,
    );
  }
  return candidate;
}

/** Read a vector file as text; `relativePath` is relative to {@link vectorsDir}. */
export function readVector(relativePath: string): string {
  return readFileSync(join(vectorsDir(), relativePath), 'utf8');
}
