// `esbuild --bundle --minify` of the built package (the web build, picked by the export
// conditions browsers and workers use) with all its dependencies: it must hold no Node
// built-in import and no Node-only global, for browsers and for workerd. The sizes printed
// here are the ones the README reports. Needs the package built (turbo runs `build` first).
import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = existsSync(join(root, 'dist', 'web', 'index.js'));

const BUILTINS = new Set(builtinModules);
const NODE_GLOBALS = ['Buffer', 'process', 'global', '__dirname', '__filename', 'setImmediate'];
const MARKER = '__node_global_';

const TARGETS: Record<'browser' | 'workerd', BuildOptions> = {
  browser: { platform: 'browser', conditions: ['browser'] },
  // What Cloudflare's bundler asks for: workerd and worker first, then browser builds.
  workerd: {
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
  },
};

async function bundle(entry: string, target: keyof typeof TARGETS) {
  const builtins: string[] = [];
  const refuse: Plugin = {
    name: 'refuse-node-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        const name = args.path.replace(/^node:/, '').split('/')[0] ?? '';
        if (!args.path.startsWith('node:') && !BUILTINS.has(name)) return undefined;
        builtins.push(`${args.path} (from ${args.importer})`);
        return { path: args.path, external: true };
      });
    },
  };
  const out = await build({
    stdin: { contents: `export * from '${entry}';`, resolveDir: root, loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    minify: true,
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
    define: Object.fromEntries(NODE_GLOBALS.map((g) => [g, `${MARKER}${g}`])),
    plugins: [refuse],
    ...TARGETS[target],
  });
  const code = out.outputFiles?.[0]?.text ?? '';
  const globals = [...code.matchAll(new RegExp(`(typeof\\s+)?\\b${MARKER}(\\w+)`, 'g'))]
    .filter((m) => !m[1])
    .map((m) => m[2]);
  return { code, builtins, globals, metafile: out.metafile as Metafile };
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

describe.skipIf(!built)('the browser/worker build of @flareo/bundle-verify', () => {
  it.each([
    ['@flareo/bundle-verify', 'browser'],
    ['@flareo/bundle-verify', 'workerd'],
    ['@flareo/bundle-verify/input', 'browser'],
  ] as const)('%s bundles for %s with no Node built-in or global', async (entry, target) => {
    const { code, builtins, globals, metafile } = await bundle(entry, target);
    expect(builtins).toEqual([]);
    expect(globals).toEqual([]);
    // The web build was picked, not the Node one.
    const inputs = Object.keys(Object.values(metafile.outputs)[0]?.inputs ?? {});
    expect(inputs.some((p) => p.startsWith('dist/web/'))).toBe(true);
    expect(inputs.some((p) => p.includes('trust-root/dist/web/'))).toBe(true);
    expect(inputs.some((p) => p.startsWith('dist/') && !p.startsWith('dist/web/'))).toBe(false);
    const gz = gzipSync(code, { level: 9 }).length;
    console.log(`${entry} (${target}): ${kib(code.length)} min, ${kib(gz)} min+gz`);
  });

  it('size: the main entry with every dependency, and what takes the room', async () => {
    const { code, metafile } = await bundle('@flareo/bundle-verify', 'browser');
    const gz = gzipSync(code, { level: 9 }).length;
    const byPackage = new Map<string, number>();
    for (const [path, { bytesInOutput }] of Object.entries(
      Object.values(metafile.outputs)[0]?.inputs ?? {},
    )) {
      const name =
        /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ??
        /^\.\.\/([^/]+)\//.exec(path)?.[1] ??
        (path.startsWith('dist/') ? 'bundle-verify' : path);
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
    const parts = [...byPackage].sort((a, b) => b[1] - a[1]).map(([n, b]) => `${n} ${kib(b)}`);
    console.log(
      `main entry, browser: ${kib(code.length)} min, ${kib(gz)} min+gz (${parts.join(', ')})`,
    );
    // A ceiling against regressions (the figure is in the README); re2js is about 47 KiB of it.
    expect(gz).toBeLessThan(125 * 1024);
  });
});
