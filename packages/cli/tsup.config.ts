import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Libraries loaded on first use rather than at start-up (see src/lazy/forward.ts): each import
 * specifier, the stand-in module the command's bundle uses for it, and the workspace package
 * whose dependency it is (the vendored copy is resolved from there, so it is the same version
 * the package itself gets).
 */
const LAZY: Record<string, { standIn: string; from: string }> = {
  re2js: { standIn: 're2js.ts', from: 'bundle-verify' },
  undici: { standIn: 'undici.ts', from: 'image-verify' },
  '@noble/curves/nist.js': { standIn: 'noble-curves.ts', from: 'trust-root' },
  '@noble/curves/ed25519.js': { standIn: 'noble-curves.ts', from: 'trust-root' },
  '@noble/hashes/sha2.js': { standIn: 'noble-hashes.ts', from: 'trust-root' },
};
const LAZY_FILTER = /^(re2js|undici|@noble\/curves\/(nist|ed25519)\.js|@noble\/hashes\/sha2\.js)$/;

/** The command's bundle imports the stand-ins instead of the libraries themselves. */
const standIns: Plugin = {
  name: 'lazy-stand-ins',
  setup(build) {
    build.onResolve({ filter: LAZY_FILTER }, (args) => ({
      path: resolve(here, 'src', 'lazy', (LAZY[args.path] as { standIn: string }).standIn),
    }));
  },
};

/** The vendored bundles resolve each library from the workspace package that depends on it. */
const fromDependents: Plugin = {
  name: 'vendor-from-dependents',
  setup(build) {
    build.onResolve({ filter: LAZY_FILTER }, async (args) => {
      if (args.pluginData === 'vendor') return undefined;
      const from = resolve(here, '..', (LAZY[args.path] as { from: string }).from);
      const found = await build.resolve(args.path, {
        resolveDir: from,
        kind: args.kind,
        pluginData: 'vendor',
      });
      return found.errors.length > 0 ? { errors: found.errors } : { path: found.path };
    });
  },
};

/** The verify bundle never updates TUF metadata: `tuf-js` resolves to a stand-in that says so. */
const withoutTufClient: Plugin = {
  name: 'without-tuf-client',
  setup(build) {
    build.onResolve({ filter: /^tuf-js$/ }, () => ({
      path: resolve(here, 'src', 'lazy', 'no-tuf-client.ts'),
    }));
  },
};

/**
 * packageurl-js (purl parsing, for `flareo vex` and `flareo score`) makes an `Intl.Collator`
 * when loaded, which initializes ICU (some 8 ms of every start); the bundles use
 * src/lazy/locale-compare.ts instead, which makes the same collator on first use (see there).
 * The line replaced is checked: a packageurl-js that no longer has it fails the build.
 */
const COLLATOR_LINE = 'const { compare: localeCompare } = new Intl.Collator()';
const lazyCollator: Plugin = {
  name: 'lazy-collator',
  setup(build) {
    build.onLoad({ filter: /[\\/]packageurl-js[\\/]src[\\/]strings\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(COLLATOR_LINE)) {
        return {
          errors: [{ text: `lazy-collator: "${COLLATOR_LINE}" not found in ${args.path}` }],
        };
      }
      const standIn = JSON.stringify(resolve(here, 'src', 'lazy', 'locale-compare.ts'));
      return {
        contents: source.replace(COLLATOR_LINE, `const { localeCompare } = require(${standIn})`),
        loader: 'js',
      };
    });
  },
};

/**
 * The entry loads the command bundles and the ESM build's `main.js` at run time, by path: they
 * are files of their own, not part of the entry's build.
 */
const loadedByPath: Plugin = {
  name: 'loaded-by-path',
  setup(build) {
    build.onResolve(
      { filter: /^\.\/((verify|image|vex|batch|help)-command\.cjs|main\.js)$/ },
      (args) => ({
        path: args.path,
        external: true,
      }),
    );
  },
};

/**
 * Every other command, shipped as a few self-contained ESM files: `dist/main.js` and shared
 * chunks that the commands load on demand (`import()`), with the workspace libraries and their
 * dependencies bundled in. Start-up then resolves and translates a handful of files instead
 * of some two hundred CommonJS and ESM modules across node_modules. Bundled CommonJS code that
 * calls `require('node:…')` gets a real `require` from the banner. re2js is bundled apart, as
 * CommonJS in `dist/vendor/`, and loaded on first use (src/lazy/). Whitespace and syntax are
 * minified (V8 scans every character of a loaded file: about 3% of a verify process's
 * instructions); names are kept, so stack traces (FLAREO_DEBUG) and source maps still read.
 * The build script empties dist/ first; the builds do not clean (they run at once).
 */
const command = packageConfig({
  entry: { main: 'src/main.ts' },
  format: ['esm'],
  dts: false,
  splitting: true,
  treeshake: false,
  clean: false,
  noExternal: [/.*/],
  esbuildPlugins: [standIns, lazyCollator],
  minifyWhitespace: true,
  minifySyntax: true,
  banner: {
    js: "import { createRequire as __flareoCreateRequire } from 'node:module';\nconst require = __flareoCreateRequire(import.meta.url);",
  },
});

/**
 * A command as one CommonJS file: no splitting, so its start-up loads one module where the
 * split build loads some ten or twenty chunks (on Node 20 each module costs about half a
 * millisecond to resolve, read and link, whatever its size), and none of the other commands'
 * code; CommonJS, so that Node 20 does not start its ES module loader for it (see `entry`
 * below).
 * The code is the same as the split build's; `shims` gives it a working `import.meta.url`
 * (the package's version, the worker's file, the vendored re2js are found from it). A
 * command's file exports `main`, which cli.ts calls.
 */
const oneFileCommand = (name: string, source: string, plugins: Plugin[]) =>
  packageConfig({
    entry: { [name]: source },
    format: ['cjs'],
    dts: false,
    splitting: false,
    treeshake: false,
    clean: false,
    shims: true,
    noExternal: [/.*/],
    esbuildPlugins: [standIns, lazyCollator, ...plugins],
    minifyWhitespace: true,
    minifySyntax: true,
  });

/**
 * `flareo verify` and `flareo verify-bundle` (`dist/verify-command.cjs`): the command run once per
 * artifact in CI, and the conformance suite's client protocol, run once per case. The TUF network
 * client is left out (`tuf-js`, for `flareo trust-root update` only: verify reads the cached root
 * without it).
 */
const verifyCommand = oneFileCommand('verify-command', 'src/main-verify.ts', [withoutTufClient]);

/**
 * `flareo verify-image` (`dist/image-command.cjs`), run once per image in CI. Like verify,
 * without the TUF client; undici, which only a registry needs, stays in `dist/vendor/`.
 */
const imageCommand = oneFileCommand('image-command', 'src/main-image.ts', [withoutTufClient]);

/**
 * `flareo vex …` (`dist/vex-command.cjs`). The VEX library is imported on demand by the
 * commands; in one file that import is inlined.
 */
const vexCommand = oneFileCommand('vex-command', 'src/main-vex.ts', []);

/**
 * `flareo verify-batch` (`dist/batch-command.cjs`) and its worker thread
 * (`dist/batch-worker.cjs`, started by URL from whichever program runs the command): the main
 * thread and every worker each load one module. Like verify, without the TUF client.
 */
const batchCommand = oneFileCommand('batch-command', 'src/main-batch.ts', [withoutTufClient]);
const batchWorker = oneFileCommand('batch-worker', 'src/batch-worker.ts', [withoutTufClient]);

/**
 * The libraries, in the help bundle: its command definitions import them only inside their
 * actions, which help never runs, so each resolves to a stand-in that refuses
 * (src/lazy/help-only.ts) and the bundle stays the size of the definitions (some 190 KB
 * rather than 2 MB).
 */
const withoutLibraries: Plugin = {
  name: 'without-libraries',
  setup(build) {
    build.onResolve({ filter: /^@flareo\// }, (args) =>
      args.kind === 'dynamic-import'
        ? { path: resolve(here, 'src', 'lazy', 'help-only.ts') }
        : undefined,
    );
  },
};

/**
 * Help for the whole program (`dist/help-command.cjs`): every command's definition, none of
 * the libraries (above). cli.ts sends it only the command lines that print help or a usage
 * error (src/help-route.ts).
 */
const helpCommand = oneFileCommand('help-command', 'src/main-help.ts', [withoutLibraries]);

/**
 * The `flareo` executable, `dist/cli.cjs` (what `bin` names): a small CommonJS file that sends
 * `verify`, `verify-bundle`, `verify-image`, `vex` and `verify-batch` to their one-file bundles
 * (above), help to the help bundle, and every other command to the ESM build. CommonJS because on
 * Node 20 a process whose code is all CommonJS never starts Node's ES module loader (5 to 10 ms of
 * every start, measured; see cli.ts). Built like a command bundle; the files it loads by path stay
 * out of it.
 */
const entry = oneFileCommand('cli', 'src/cli.ts', [loadedByPath]);

const vendor = packageConfig({
  entry: {
    'vendor/re2js': 'src/vendor/re2js.mjs',
    'vendor/undici': 'src/vendor/undici.mjs',
    'vendor/noble-curves': 'src/vendor/noble-curves.mjs',
    'vendor/noble-hashes': 'src/vendor/noble-hashes.mjs',
  },
  format: ['cjs'],
  dts: false,
  clean: false,
  noExternal: [/.*/],
  esbuildPlugins: [fromDependents],
});

export default defineConfig(
  [
    entry,
    command,
    verifyCommand,
    imageCommand,
    vexCommand,
    batchCommand,
    batchWorker,
    helpCommand,
    vendor,
  ].flat() as never,
);
