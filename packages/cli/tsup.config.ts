import { packageConfig } from '../../tsup.base';

/**
 * An executable, not a library, shipped as a few self-contained ESM files: the entry
 * (`cli.js`), the verify-batch worker (`batch-worker.js`) and shared chunks that the commands
 * load on demand (`import()`), with the workspace libraries and their dependencies bundled
 * in. Start-up then resolves and translates a handful of files instead of some two hundred
 * CommonJS and ESM modules across node_modules. Bundled CommonJS code that calls
 * `require('node:…')` gets a real `require` from the banner.
 */
export default packageConfig({
  entry: { cli: 'src/cli.ts', 'batch-worker': 'src/batch-worker.ts' },
  format: ['esm'],
  dts: false,
  splitting: true,
  treeshake: false,
  noExternal: [/.*/],
  banner: {
    js: "import { createRequire as __flareoCreateRequire } from 'node:module';\nconst require = __flareoCreateRequire(import.meta.url);",
  },
});
