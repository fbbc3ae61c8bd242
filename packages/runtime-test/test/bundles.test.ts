// `esbuild --bundle --platform=browser` of each runtime-neutral package (every entry point but
// trust-root's `tuf` and bundle-verify's `node`, which read files)
// succeeds with no Node built-in and no Node global, for browsers and for workerd; the
// minified+gzipped sizes printed here are the ones docs/runtimes.md reports.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bundleModule } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));

const PACKAGES: [string, string[]][] = [
  ['@flareo/vex', ['@flareo/vex', '@flareo/vex/advanced']],
  ['@flareo/policy', ['@flareo/policy', '@flareo/policy/documents']],
  ['@flareo/trust-score', ['@flareo/trust-score', '@flareo/trust-score/definition']],
  ['@flareo/trust-root', ['@flareo/trust-root', '@flareo/trust-root/x509']],
  ['@flareo/rekor-set', ['@flareo/rekor-set', '@flareo/rekor-set/proofs']],
  ['@flareo/bundle-verify', ['@flareo/bundle-verify']],
];

describe('browser and worker builds of the runtime-neutral packages', () => {
  it.each(PACKAGES)(
    '%s bundles for browser and workerd, minified, with no Node in it',
    async (name, entries) => {
      const source = entries.map((e, i) => `export * as e${i} from '${e}';`).join('\n');
      const sizes: string[] = [];
      for (const target of ['browser', 'workerd'] as const) {
        const { code } = await bundleModule(source, here, target, { minify: true });
        // No schema is compiled at run time: ajv's compiler (new Function) stays out.
        expect(code).not.toMatch(/new Function\(/);
        const gz = gzipSync(code, { level: 9 }).length;
        sizes.push(
          `${target} ${(code.length / 1024).toFixed(1)} KiB min, ${(gz / 1024).toFixed(1)} KiB min+gz`,
        );
      }
      console.log(`${name} (${entries.join(', ')}): ${sizes.join('; ')}`);
    },
  );

  it.each(PACKAGES)('%s: the main entry alone, for the size table', async (name) => {
    const { code } = await bundleModule(`export * from '${name}';`, here, 'browser', {
      minify: true,
    });
    const gz = gzipSync(code, { level: 9 }).length;
    console.log(
      `${name} main entry, browser: ${(code.length / 1024).toFixed(1)} KiB min, ${(gz / 1024).toFixed(1)} KiB min+gz`,
    );
    expect(gz).toBeGreaterThan(1000);
  });
});
