import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildFailure, build, type Plugin } from 'esbuild';
import { RuntimeTestError } from './errors.js';

/** Where a bundle is meant to run. */
export type RuntimeTarget = 'browser' | 'workerd' | 'node';

/** Options of {@link bundleModule}. */
export interface BundleOptions {
  /** Minify the output (for size reports). Defaults to `false`. */
  readonly minify?: boolean | undefined;
}

/** A bundle ready to run: one self-contained ES module. */
export interface RuntimeBundle {
  /** The target it was built for. */
  readonly target: RuntimeTarget;
  /** The ES module's source text. */
  readonly code: string;
}

/**
 * Node-only globals a browser or worker does not have. esbuild replaces each free reference by
 * a marker name (`define`), so what survives tree shaking shows up in the output; a reference
 * under `typeof` is a feature test, not a use, and is allowed.
 */
const NODE_GLOBALS = [
  'Buffer',
  'process',
  'global',
  '__dirname',
  '__filename',
  'setImmediate',
  'clearImmediate',
] as const;
const MARKER = '__flareo_node_global_';

const BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));

function isBuiltin(path: string): boolean {
  if (path.startsWith('node:')) return true;
  return BUILTINS.has(path.split('/')[0] ?? path);
}

/**
 * Refuse every Node built-in import, before esbuild's own resolution could map it to an
 * empty module through a package's `browser` field: a shim is not "runs unchanged".
 */
function refuseBuiltins(found: { path: string; importer: string }[]): Plugin {
  return {
    name: 'flareo-refuse-node-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (!isBuiltin(args.path)) return undefined;
        found.push({ path: args.path, importer: args.importer });
        return { path: args.path, external: true };
      });
    },
  };
}

const runtimeDir = resolve(dirname(fileURLToPath(import.meta.url)));

function platformOptions(target: RuntimeTarget) {
  switch (target) {
    case 'browser':
      return { platform: 'browser' as const, conditions: ['browser'] };
    case 'workerd':
      // What Cloudflare's bundler (wrangler) asks for: the workerd and worker conditions
      // first, then browser builds; `neutral` so that nothing defaults to Node.
      return {
        platform: 'neutral' as const,
        conditions: ['workerd', 'worker', 'browser'],
        mainFields: ['browser', 'module', 'main'],
      };
    case 'node':
      return { platform: 'node' as const, conditions: ['node'] };
  }
}

/**
 * Bundle an ES module's source (TypeScript allowed) into one self-contained ES module for a
 * target. For `browser` and `workerd` the build fails when a Node built-in import or a
 * Node-only global reaches the output: no polyfills, no shims. `resolveDir` is where the
 * source's relative and package imports resolve from.
 *
 * @throws {RuntimeTestError} `BUNDLE_FAILED` with esbuild's messages, `NODE_BUILTIN` naming
 *   each built-in and its importer, `NODE_GLOBAL` naming each global.
 */
export async function bundleModule(
  source: string,
  resolveDir: string,
  target: RuntimeTarget,
  options: BundleOptions = {},
): Promise<RuntimeBundle> {
  const strict = target !== 'node';
  const builtins: { path: string; importer: string }[] = [];
  let code: string;
  try {
    const out = await build({
      stdin: { contents: source, resolveDir, sourcefile: 'runtime-test-entry.ts', loader: 'ts' },
      bundle: true,
      write: false,
      format: 'esm',
      target: 'es2022',
      ...platformOptions(target),
      ...(strict
        ? {
            define: Object.fromEntries(NODE_GLOBALS.map((g) => [g, `${MARKER}${g}`])),
            plugins: [refuseBuiltins(builtins)],
          }
        : {}),
      // Test data straight from the repository's fixtures: Sigstore bundles are JSON, PEM
      // files are text.
      loader: { '.sigstore': 'json', '.pem': 'text', '.pub': 'text', '.crt': 'text' },
      minify: options.minify ?? false,
      legalComments: 'none',
      logLevel: 'silent',
    });
    code = out.outputFiles[0]?.text ?? '';
  } catch (error) {
    const messages = ((error as BuildFailure).errors ?? []).map(
      (m) => `${m.location ? `${m.location.file}:${m.location.line}: ` : ''}${m.text}`,
    );
    throw new RuntimeTestError(
      'BUNDLE_FAILED',
      `esbuild could not bundle for ${target}: ${messages.join('; ') || String(error)}`,
      { target, actual: messages },
      { cause: error },
    );
  }
  if (builtins.length > 0) {
    throw new RuntimeTestError(
      'NODE_BUILTIN',
      `Node built-ins reach the ${target} bundle: ${builtins.map((b) => `${b.path} (imported by ${b.importer})`).join(', ')}`,
      { target, actual: builtins },
    );
  }
  if (strict) {
    const used = new Set<string>();
    for (const m of code.matchAll(new RegExp(`(typeof\\s+)?\\b${MARKER}(\\w+)`, 'g'))) {
      if (!m[1] && m[2]) used.add(m[2]);
    }
    // esbuild's shim for a `require` it could not resolve at build time throws this message
    // (the shim's name is minified away; `__commonJS`'s inner `function __require` is no use).
    if (code.includes('Dynamic require of ')) used.add('require');
    if (used.size > 0) {
      throw new RuntimeTestError(
        'NODE_GLOBAL',
        `Node-only globals reach the ${target} bundle: ${[...used].join(', ')}`,
        { target, actual: [...used] },
      );
    }
    // Restore the names left under `typeof`, so feature tests see the real (absent) global.
    code = code.replace(new RegExp(`\\b${MARKER}(\\w+)`, 'g'), '$1');
  }
  return { target, code };
}

/** The module that wraps a case list for a target: what the runtime calls. */
function wrapper(entry: string, target: RuntimeTarget): string {
  const cases = JSON.stringify(resolve(runtimeDir, 'cases.ts'));
  const imports = `import { cases } from ${JSON.stringify(resolve(entry))};\nimport { runCases } from ${cases};\n`;
  if (target === 'workerd') {
    // A worker answers each request with the results, as JSON.
    return `${imports}export default {
  async fetch() {
    const results = await runCases(cases);
    return new Response(JSON.stringify(results), { headers: { 'content-type': 'application/json' } });
  },
};\n`;
  }
  return `${imports}export function run() { return runCases(cases); }\n`;
}

/**
 * Bundle a case module for a target. `entry` is the path of an ES module (TypeScript allowed)
 * that exports `cases: RuntimeCase[]`; JSON imports are bundled in. The bundle exports
 * `run()` (browser, node) or is a worker module whose `fetch` answers with the results
 * (workerd).
 *
 * @throws {RuntimeTestError} as {@link bundleModule}.
 */
export function bundleCases(entry: string, target: RuntimeTarget): Promise<RuntimeBundle> {
  return bundleModule(wrapper(entry, target), dirname(resolve(entry)), target);
}
