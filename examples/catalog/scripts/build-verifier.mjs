// Builds the verifier the module page runs in the visitor's browser: src/browser/verifier.ts
// and the web builds of the Flareo packages under it, bundled by esbuild for the browser into
// one minified ES module, dist/web/verifier-<hash>.js (the name carries its content hash, so
// it is served with a year-long immutable cache), and dist/web/verifier.json describing it.
// Run by `build` after tsup (which empties dist/). Done here, at build time, so that serving
// costs nothing at start-up. A Node built-in reaching the bundle fails the build: the browser
// gets no shims.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = new URL('../', import.meta.url);
const outDir = new URL('dist/web/', root);

/** esbuild plugin: refuse every Node built-in import (a browser has none). */
const refuseBuiltins = (found) => ({
  name: 'refuse-node-builtins',
  setup(b) {
    const builtins = new Set(builtinModules);
    b.onResolve({ filter: /.*/ }, (args) => {
      const name = args.path.replace(/^node:/, '').split('/')[0];
      if (!args.path.startsWith('node:') && !builtins.has(name)) return undefined;
      found.push(`${args.path} (imported by ${args.importer})`);
      return { path: args.path, external: true };
    });
  },
});

// Node-only globals a browser does not have: each free reference is renamed to a marker, so
// one that survives tree shaking shows up in the output and fails the build (a reference under
// `typeof` is a feature test and is allowed, then restored).
const NODE_GLOBALS = ['Buffer', 'process', 'global', '__dirname', '__filename', 'setImmediate'];
const MARKER = '__flareo_node_global_';

export async function buildVerifier() {
  const found = [];
  const out = await build({
    entryPoints: [fileURLToPath(new URL('src/browser/verifier.ts', root))],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions: ['browser'],
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    plugins: [refuseBuiltins(found)],
    define: Object.fromEntries(NODE_GLOBALS.map((g) => [g, `${MARKER}${g}`])),
  });
  if (found.length > 0) {
    throw new Error(`Node built-ins reach the browser verifier: ${found.join(', ')}`);
  }
  let text = out.outputFiles[0].text;
  const used = new Set();
  for (const m of text.matchAll(new RegExp(`(typeof\\s+)?\\b${MARKER}(\\w+)`, 'g'))) {
    if (!m[1]) used.add(m[2]);
  }
  if (used.size > 0) {
    throw new Error(`Node-only globals reach the browser verifier: ${[...used].join(', ')}`);
  }
  text = text.replace(new RegExp(`\\b${MARKER}(\\w+)`, 'g'), '$1');
  const code = Buffer.from(text, 'utf8');
  const digest = createHash('sha256').update(code).digest();
  const file = `verifier-${digest.toString('hex').slice(0, 16)}.js`;
  mkdirSync(outDir, { recursive: true });
  for (const old of readdirSync(outDir)) {
    if (/^verifier-[0-9a-f]{16}\.js$/.test(old)) rmSync(new URL(old, outDir));
  }
  writeFileSync(new URL(file, outDir), code);
  const manifest = {
    file,
    sha256: digest.toString('hex'),
    integrity: `sha256-${digest.toString('base64')}`,
    bytes: code.byteLength,
    gzipBytes: gzipSync(code, { level: 9 }).byteLength,
  };
  writeFileSync(new URL('verifier.json', outDir), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const m = await buildVerifier();
  console.log(`dist/web/${m.file}: ${m.bytes} bytes, ${m.gzipBytes} gzipped`);
}
