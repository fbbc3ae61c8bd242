import { defineConfig, type Options } from 'tsup';

/**
 * The one tsup configuration every published package uses: ESM and CJS builds, type
 * declarations for both, source maps, Node 20 target. Packages pass their entry points
 * and, rarely, overrides.
 *
 * `@flareo/internal` (code shared by the packages, never published) is bundled into each
 * package that uses it, so no published package depends on it at run time; it stays out of
 * the public type declarations.
 */
export function packageConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    treeshake: true,
    noExternal: ['@flareo/internal'],
    ...overrides,
  });
}
