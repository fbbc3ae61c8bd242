import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import {
  mintKeyedSignature,
  type SignedImageLayout,
  testKey,
  vectorsDir,
  writeSignedImageLayout,
} from '@flareo/testkit';
import { VexBuilder } from '@flareo/vex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, run, Scratch } from './helpers.js';

// The entry (dist/cli.cjs) and the bundles of `verify` and `verify-bundle`, `verify-image`, `vex`,
// `verify-batch` and help are CommonJS so that, on Node 20 and 22, those commands never start
// Node's ES module loader (a few milliseconds of every start). Node 23 and later load CommonJS
// through that loader too, so there only the commands' results are checked. Every other command
// runs from the ESM build, which does start it: `--version` shows that the check below can tell the
// two apart.

const scratch = new Scratch();
afterAll(() => scratch.remove());
const PACKAGE = resolve(dirname(CLI), '..');
const pkg = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8'));
const major = Number(process.versions.node.split('.')[0]);
const esmLoaderSeparate = major < 23;

// Written by a module preloaded into the command's process: the internal modules it loaded,
// then the files it loaded with require (the command bundles, the vendored libraries).
const loadList = scratch.path('modules.txt');
const preload = scratch.write(
  'preload.cjs',
  `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loadList)}, [...process.moduleLoadList, ...Object.keys(require.cache)].join('\\n')));\n`,
);
const ESM_LOADER = 'NativeModule internal/modules/esm/translators';
// The libraries vendored apart and loaded on first use (src/lazy/): re2js, undici, @noble/curves
// and @noble/hashes. None is loaded by these commands on a bundle or an image in a layout: its
// keys are checked with the curve equation, node:crypto makes its digests, and a simple
// identity regexp runs as a JavaScript RegExp.
const VENDOR = join(dirname(CLI), 'vendor');

async function traced(args: readonly string[]) {
  const r = await run(process.execPath, ['-r', preload, CLI, ...args]);
  const modules = readFileSync(loadList, 'utf8').split('\n');
  return {
    ...r,
    startedEsmLoader: modules.includes(ESM_LOADER),
    vendored: modules
      .filter((m) => m.startsWith(`${VENDOR}${sep}`))
      .map((m) => m.slice(VENDOR.length + 1))
      .sort(),
  };
}

/**
 * `flareo args` succeeds, says `says`, loads no vendored library, and (where it can tell) starts
 * no ES module loader.
 */
async function runsFromCommonJs(args: readonly string[], says: RegExp): Promise<void> {
  const r = await traced(args);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(says);
  expect(r.vendored).toEqual([]);
  if (esmLoaderSeparate) expect(r.startedEsmLoader).toBe(false);
}

describe('the flareo entry', () => {
  it('is the file package.json names as the flareo command', () => {
    expect(resolve(PACKAGE, pkg.bin.flareo)).toBe(CLI);
    expect(CLI.endsWith('.cjs')).toBe(true);
  });

  const dir = vectorsDir();
  describe.skipIf(!dir)('verify, verify-bundle, vex and verify-batch', () => {
    const bundles = join(dir as string, 'sigstore', 'bundles');
    const name = dir ? (readdirSync(bundles).find((f) => f.endsWith('.sigstore')) as string) : '';
    const bundle = join(bundles, name);
    const statement = dir
      ? JSON.parse(
          Buffer.from(
            JSON.parse(readFileSync(bundle, 'utf8')).dsseEnvelope.payload,
            'base64',
          ).toString(),
        )
      : undefined;
    const digest = `sha512:${statement?.subject[0].digest.sha512}`;
    const identity = ['--certificate-identity', 'brian@dehamer.com'];
    const issuer = ['--certificate-oidc-issuer', 'https://github.com/login/oauth'];
    const manifest = scratch.write(
      'manifest.jsonl',
      `${[1, 2].map(() => JSON.stringify({ bundle, artifact: digest })).join('\n')}\n`,
    );
    const vex = scratch.write(
      'app.openvex.json',
      new VexBuilder({
        id: 'https://flareo.test/vex/app',
        author: 'Flareo tests',
        timestamp: '2026-01-01T00:00:00Z',
      })
        .notAffected({
          vulnerability: 'CVE-2026-0001',
          products: ['pkg:npm/app@1.0.0'],
          justification: 'vulnerable_code_not_present',
        })
        .build(),
    );
    const trivy = scratch.write('trivy.json', {
      SchemaVersion: 2,
      ArtifactName: 'app',
      ArtifactType: 'filesystem',
      Results: [
        {
          Target: 'package-lock.json',
          Class: 'lang-pkgs',
          Type: 'npm',
          Vulnerabilities: [
            {
              VulnerabilityID: 'CVE-2026-0001',
              PkgName: 'app',
              InstalledVersion: '1.0.0',
              PkgIdentifier: { PURL: 'pkg:npm/app@1.0.0' },
              Severity: 'HIGH',
            },
          ],
        },
      ],
    });

    it.each([
      ['verify', ['verify', digest, '--bundle', bundle, ...identity, ...issuer], /Verified OK/],
      [
        'verify-bundle',
        ['verify-bundle', '--bundle', bundle, ...identity, ...issuer, digest],
        /verified/,
      ],
      ['verify --help', ['verify', '--help'], /Usage: flareo verify /],
      ['verify-bundle --help', ['verify-bundle', '--help'], /Usage: flareo verify-bundle /],
      ['vex apply', ['vex', 'apply', '--vex', vex, '--summary', trivy], /0 open, 1 suppressed/],
      ['verify-batch', ['verify-batch', ...identity, ...issuer, manifest], /2\/2 verified/],
    ])('%s runs from its CommonJS bundle without the ES module loader', (_, args, says) =>
      runsFromCommonJs(args, says),
    );
  });

  it('loads @noble/curves when a check needs it: ECDSA over a digest only (a keyed .sig)', async () => {
    // node:crypto cannot check an ECDSA signature over a given digest; @noble/curves does.
    const artifact = new TextEncoder().encode('entry test artifact\n');
    const key = testKey('ecdsa-p256', 'cli-entry-keyed');
    const digest = `sha256:${createHash('sha256').update(artifact).digest('hex')}`;
    const r = await traced([
      'verify',
      '--key',
      scratch.write('entry.pub', key.publicKeyPem),
      '--signature',
      scratch.write('entry.sig', mintKeyedSignature(artifact, key)),
      '--rekor-policy',
      'disabled',
      digest,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Verified OK');
    expect(r.vendored).toEqual(['noble-curves.cjs']);
  });

  it('loads @noble/hashes when a hash needs it: the SHA-256 of a policy configuration', async () => {
    const r = await traced([
      'policy',
      'eval',
      '--input',
      scratch.write('entry-policy-input.json', { slsaLevel: 3 }),
    ]);
    // A verdict (this input fails the default rules: exit 1), not a usage error.
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('Verdict: fail');
    expect(r.vendored).toEqual(['noble-hashes.cjs']);
  });

  describe('verify-image', () => {
    // A signed image in an OCI layout (a private CA and Rekor log): no registry, so undici,
    // which the bundle keeps in dist/vendor/, is not loaded either.
    let image: SignedImageLayout;
    beforeAll(async () => {
      image = await writeSignedImageLayout(scratch.dir, 'cli-entry-image');
    });

    it.each([
      ['verify-image', () => ['verify-image', ...image.verifyImageArgs], /Verified OK/],
      ['verify-image --help', () => ['verify-image', '--help'], /Usage: flareo verify-image /],
    ])('%s runs from its CommonJS bundle without the ES module loader', (_, args, says) =>
      runsFromCommonJs(args(), says),
    );

    it('loads re2js for an identity regexp beyond the simple ones (alternation)', async () => {
      const args = image.verifyImageArgs.map((arg, i, all) =>
        all[i - 1] === '--certificate-identity-regexp'
          ? '^https://github\\.com/(flareo|acme)/.+$'
          : arg,
      );
      expect(args).not.toEqual(image.verifyImageArgs);
      const r = await traced(['verify-image', ...args]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Verified OK/);
      expect(r.vendored).toEqual(['re2js.cjs']);
    });
  });

  // Every command line help-route.ts sends to the help bundle, for each command and for a name
  // that is none, each compared with what the ESM build (dist/main.js, which can run every
  // command) says for it: the same bytes on both streams and the same status.
  const names = ['score', 'policy', 'trust-root', 'no-such-command', 'help'];
  const helpLines = [
    [],
    ['--help'],
    ['-h'],
    ['help'],
    ...names.flatMap((name) => [
      ['help', name],
      [name, '--help'],
      [name, '-h'],
    ]),
    // The commands with bundles of their own take their `--help` there, but not `help <name>`.
    ...['verify', 'verify-bundle', 'verify-image', 'vex', 'verify-batch'].map((name) => [
      'help',
      name,
    ]),
  ];
  it.each(helpLines.map((args) => [args.join(' ') || '(no arguments)', args]))(
    'help "%s" comes from the help bundle and says what the ESM build says',
    async (_, args) => {
      const r = await traced(args);
      const esm = await run(process.execPath, [join(dirname(CLI), 'main.js'), ...args]);
      expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual(esm);
      expect(r.stdout + r.stderr).toMatch(/Usage: flareo/);
      if (esmLoaderSeparate) expect(r.startedEsmLoader).toBe(false);
    },
  );

  it('refuses, as an internal error, a command that reaches the help bundle', async () => {
    // cli.ts never sends one there (help-route.ts); the bundle holds no library to run it.
    const launcher = scratch.write(
      'help-launcher.cjs',
      `require(${JSON.stringify(join(dirname(CLI), 'help-command.cjs'))}).main();\n`,
    );
    const input = scratch.write('input.json', { slsaLevel: 3 });
    const r = await run(process.execPath, [launcher, 'score', input]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /error: INTERNAL\n\s+internal: the help bundle of flareo cannot run a command\n$/,
    );
  });

  it('runs every other command from the ESM build', async () => {
    const r = await traced(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
    expect(r.startedEsmLoader).toBe(true);
  });

  it('says in one line, with status 2, when a command bundle cannot be loaded', async () => {
    // A copy of the entry without the bundles beside it.
    const lonely = scratch.path('lonely');
    mkdirSync(join(lonely, 'dist'), { recursive: true });
    copyFileSync(CLI, join(lonely, 'dist', 'cli.cjs'));
    copyFileSync(join(PACKAGE, 'package.json'), join(lonely, 'package.json'));
    for (const command of [
      'verify',
      'verify-image',
      'vex',
      'verify-batch',
      '--help',
      '--version',
    ]) {
      const r = await run(process.execPath, [join(lonely, 'dist', 'cli.cjs'), command]);
      expect(r.code, command).toBe(2);
      expect(r.stderr, command).toMatch(
        /^flareo: internal error: Cannot find module '[^\n]+\n\(set FLAREO_DEBUG=1 for the stack trace\)\n$/,
      );
      const debug = await run(process.execPath, [join(lonely, 'dist', 'cli.cjs'), command], {
        env: { FLAREO_DEBUG: '1' },
      });
      expect(debug.code, command).toBe(2);
      expect(debug.stderr, command).toMatch(
        /^flareo: internal error: Cannot find module .*\n.*Error/,
      );
    }
  });
});
