#!/usr/bin/env node
// Packs every public package the way `pnpm publish` would, installs the tarballs with plain
// npm into an empty project outside the workspace, and uses them as a user would: ESM
// import and CJS require of every entry point (the same names both ways), a strict
// TypeScript check against the shipped .d.ts files (ESM and CJS consumers), and
// `npx flareo --version` printing the release version. Needs the packages built first.
//
// Usage: node scripts/pack-check.mjs [--keep]   (--keep leaves the temporary project)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'flareo-pack-check-'));
const tarballs = join(work, 'tarballs');
const app = join(work, 'app');
mkdirSync(tarballs);
mkdirSync(app);

const run = (cmd, args, cwd, extra = {}) =>
  execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_loglevel: 'error', ...extra },
  });
const step = (text) => console.log(`pack-check: ${text}`);

const publicPackages = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .map((dir) => ({ dir, json: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ json }) => !json.private);

let failures = 0;
const fail = (message) => {
  failures++;
  console.error(`pack-check: FAIL ${message}`);
};

try {
  for (const { dir, json } of publicPackages) {
    run('npx', ['-y', 'pnpm@10', 'pack', '--pack-destination', tarballs], dir);
    step(`packed ${json.name}@${json.version}`);
    if (json.version === '0.0.0') fail(`${json.name} has no release version (0.0.0)`);
  }
  const files = readdirSync(tarballs).map((f) => join(tarballs, f));
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'flareo-consumer', version: '1.0.0', private: true }, null, 2),
  );
  // The consumer's own tools come from the registry, as a user's would.
  const devTools = ['typescript@~5.9.3', '@types/node@^20.19.0'];
  run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--ignore-scripts', ...files, ...devTools],
    app,
  );
  step(`npm installed ${files.length} tarballs into an empty project`);

  // Every entry point of every package, imported and required: the same names both ways.
  const entries = [];
  for (const { json } of publicPackages) {
    for (const [subpath, exported] of Object.entries(json.exports ?? {})) {
      if (subpath.includes('*') || subpath === './package.json') continue;
      // An entry with per-runtime builds (`node`, `browser`, ...): Node takes the `node` one.
      const target = exported?.import ? exported : exported?.node;
      if (typeof target !== 'object' || !target.import) continue;
      entries.push({
        specifier: subpath === '.' ? json.name : `${json.name}/${subpath.slice(2)}`,
        cjs: Boolean(target.require),
      });
    }
  }
  for (const { specifier, cjs } of entries) {
    const esm = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m).sort()));`,
      ],
      app,
    );
    const esmNames = JSON.parse(esm);
    if (esmNames.length === 0) fail(`${specifier}: the ESM entry exports nothing`);
    if (esmNames.includes('default'))
      fail(`${specifier}: has a default export (named exports only)`);
    if (cjs) {
      const required = run(
        process.execPath,
        [
          '-e',
          `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(specifier)})).sort()))`,
        ],
        app,
      );
      const cjsNames = JSON.parse(required).filter((n) => n !== '__esModule');
      if (JSON.stringify(cjsNames) !== JSON.stringify(esmNames)) {
        fail(`${specifier}: CJS names differ from ESM names`);
      }
    }
    step(`${specifier}: import${cjs ? ' and require' : ''} give ${esmNames.length} names`);
  }

  // Strict TypeScript consumers (ESM and CJS) against the shipped declarations. Each
  // namespace is used in a type position so the checker reads every declaration file.
  const uses = entries.map(({ specifier }, i) => ({ specifier, local: `p${i}` }));
  const body = (importLine) =>
    `${uses.map(importLine).join('\n')}\n${uses
      .map(({ local }) => `export type T${local} = keyof typeof ${local};`)
      .join('\n')}\n`;
  writeFileSync(
    join(app, 'esm.mts'),
    body(({ specifier, local }) => `import * as ${local} from ${JSON.stringify(specifier)};`),
  );
  writeFileSync(
    join(app, 'cjs.cts'),
    body(({ specifier, local }) =>
      entries.find((e) => e.specifier === specifier)?.cjs
        ? `import ${local} = require(${JSON.stringify(specifier)});`
        : `import type * as ${local} from ${JSON.stringify(specifier)} with { 'resolution-mode': 'import' };`,
    ),
  );
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: false,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          types: ['node'],
          noEmit: true,
        },
        files: ['esm.mts', 'cjs.cts'],
      },
      null,
      2,
    ),
  );
  const tsc = join(app, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    run(process.execPath, [tsc, '-p', 'tsconfig.json'], app);
    step('strict TypeScript check of ESM and CJS consumers passed');
  } catch (error) {
    fail(`strict TypeScript check:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
  }

  const cli = publicPackages.find(({ json }) => json.bin?.flareo);
  if (cli) {
    const printed = run('npx', ['--no-install', 'flareo', '--version'], app).trim();
    if (printed !== cli.json.version) {
      fail(`npx flareo --version printed ${JSON.stringify(printed)}, expected ${cli.json.version}`);
    } else step(`npx flareo --version → ${printed}`);
  }
} catch (error) {
  fail(`${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
} finally {
  if (keep) console.log(`pack-check: project kept at ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
if (failures) {
  console.error(`pack-check: ${failures} failure(s)`);
  process.exit(1);
}
console.log(`pack-check: ${publicPackages.length} packages pack, install and load`);
