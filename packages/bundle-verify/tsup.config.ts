import { resolve } from 'node:path';
import type { Plugin } from 'esbuild';
import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base';

/**
 * Two builds, as `@flareo/trust-root` does. The Node build (`dist/*`, export condition
 * `node`) takes its crypto backends from `src/platform.ts` (`node:crypto`); the
 * browser/worker build (`dist/web/*`, conditions `browser`, `worker`, `workerd`, `default`)
 * is the same source with that one module swapped for `src/platform-web.ts` (trust-root's
 * WebCrypto and @noble backends), so it holds no `node:` import and no `Buffer`. Both share
 * one set of type declarations.
 *
 * Node build entries: the main one, `./input` (the parsing step on its own), `./node` (the
 * verifier pool, trust loading, stream digests) and the pool's worker (started by URL).
 * Splitting keeps one copy of the shared code per build, so `BundleVerifyError` is the same
 * class whichever entry threw it.
 */
const webPlatform: Plugin = {
  name: 'web-platform',
  setup(build) {
    build.onResolve({ filter: /^\.[/\\]platform\.js$/ }, (args) => ({
      path: resolve(args.resolveDir, 'platform-web.ts'),
    }));
  },
};

const node = packageConfig({
  entry: {
    index: 'src/index.ts',
    input: 'src/input-entry.ts',
    node: 'src/node.ts',
    worker: 'src/worker.ts',
  },
  shims: true,
  splitting: true,
  // The two builds run at once: the build script empties dist/ first, neither build cleans.
  clean: false,
});

const web = packageConfig({
  entry: { index: 'src/index.ts', input: 'src/input-entry.ts' },
  // Its own directory, shared chunks included: nothing of it mixes with the Node build.
  outDir: 'dist/web',
  dts: false,
  clean: false,
  splitting: true,
  platform: 'browser',
  target: 'es2022',
  esbuildPlugins: [webPlatform],
});

export default defineConfig([node, web].flat() as never);
