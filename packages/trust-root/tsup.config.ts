import { resolve } from 'node:path';
import type { Plugin } from 'esbuild';
import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base';

/**
 * Two builds of the main entry. The Node build (`dist/index.*`, export condition `node`)
 * takes its crypto from `src/crypto/platform.ts` (`node:crypto`); the browser/worker build
 * (`dist/web/index.*`, conditions `browser`, `worker`, `workerd`, `default`) is the same
 * source with that one module swapped for `src/crypto/platform-web.ts` (WebCrypto, @noble),
 * so it holds no `node:` import. Both share the one set of type declarations.
 *
 * The other entries: `./x509` (the DER reader and the certificate view, pure JavaScript)
 * and `./tuf` (Node only: tuf-js, network, cache). The tuf entry imports the main one by
 * package name, kept external, so both share one `TrustRootError` class and one parser.
 */
const webPlatform: Plugin = {
  name: 'web-platform',
  setup(build) {
    build.onResolve({ filter: /[/\\]crypto[/\\]platform\.js$|^\.[/\\]platform\.js$/ }, (args) => ({
      path: resolve(args.resolveDir, args.path.replace(/platform\.js$/, 'platform-web.ts')),
    }));
  },
};

const node = packageConfig({
  entry: { index: 'src/index.ts', 'x509/index': 'src/x509/index.ts', tuf: 'src/tuf/index.ts' },
  external: ['@flareo/trust-root'],
  // The two builds run at once: the build script empties dist/ first, neither build cleans.
  clean: false,
});

const web = packageConfig({
  entry: { 'web/index': 'src/index.ts' },
  dts: false,
  clean: false,
  platform: 'browser',
  target: 'es2022',
  esbuildPlugins: [webPlatform],
});

export default defineConfig([node, web].flat() as never);
