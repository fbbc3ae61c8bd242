import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Where the shared interop vectors are: `$FLAREO_VECTORS`, else `../shared/vectors` beside
 * the workspace root (the folder holding pnpm-workspace.yaml). Returns undefined when they
 * are absent, unless `$FLAREO_REQUIRE_VECTORS` is set, in which case it throws so that an
 * interop suite can never pass by skipping.
 */
export function vectorsDir(): string | undefined {
  const fromEnv = process.env.FLAREO_VECTORS;
  let found: string | undefined;
  if (fromEnv) {
    found = existsSync(fromEnv) ? resolve(fromEnv) : undefined;
  } else {
    let dir = process.cwd();
    for (;;) {
      if (existsSync(join(dir, 'pnpm-workspace.yaml'))) {
        const candidate = resolve(dir, '..', 'shared', 'vectors');
        if (existsSync(candidate)) found = candidate;
        break;
      }
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  if (!found && process.env.FLAREO_REQUIRE_VECTORS) {
    throw new Error(
      `interop vectors are required (FLAREO_REQUIRE_VECTORS is set) but were not found${fromEnv ? ` at ${fromEnv}` : ' at ../shared/vectors'}`,
    );
  }
  return found;
}

/** Read a vector file as text; `relativePath` is relative to {@link vectorsDir}. */
export function readVector(relativePath: string): string {
  const dir = vectorsDir();
  if (!dir) throw new Error('interop vectors are not available');
  return readFileSync(join(dir, relativePath), 'utf8');
}
