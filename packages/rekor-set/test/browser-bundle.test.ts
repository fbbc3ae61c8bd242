import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { readVector, vectorsDir } from '@flareo/testkit';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

// The shipped builds of @flareo/trust-root and @flareo/rekor-set (dist/, so run after
// `pnpm build`) bundle for the browser with esbuild and no polyfill: the export conditions
// pick trust-root's web build, and esbuild's browser platform fails on any Node built-in.
// The bundle is then loaded here and verifies a real public-good bundle through WebCrypto.

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'flareo-browser-bundle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const entry = `
export { parseTrustedRootAsync, platformCrypto } from '@flareo/trust-root';
export { verifyLogEvidenceAsync } from ${JSON.stringify(join(pkg, 'dist', 'index.js'))};
`;

async function bundle(minify: boolean) {
  return build({
    stdin: { contents: entry, resolveDir: pkg, loader: 'js' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
}

describe('esbuild --bundle --platform=browser of trust-root and rekor-set', () => {
  it('succeeds with no Node built-in, on trust-root’s web build', async () => {
    const result = await bundle(false);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((p) => /trust-root[/\\]dist[/\\]web[/\\]index\.js$/.test(p))).toBe(true);
    expect(inputs.some((p) => /trust-root[/\\]dist[/\\]index\.js$/.test(p))).toBe(false);
    expect(inputs.filter((p) => p.startsWith('node:') || /(^|[/\\])crypto$/.test(p))).toEqual([]);
    const text = result.outputFiles[0]?.text ?? '';
    expect(text).not.toMatch(/from\s*["'](node:)?(crypto|buffer|fs|path|worker_threads)["']/);
    expect(text).not.toMatch(/\bBuffer\.from\b/);
    const min = await bundle(true);
    const size = gzipSync(min.outputFiles[0]?.contents ?? new Uint8Array()).length;
    // Reported, not a target of this package: the whole of both packages with ajv and @noble.
    console.log(`trust-root + rekor-set browser bundle: ${(size / 1024).toFixed(1)} KiB min+gzip`);
    writeFileSync(join(work, 'bundle.mjs'), text);
  });

  it.skipIf(!vectorsDir())('the bundle verifies a public-good entry with WebCrypto', async () => {
    const mod = await import(pathToFileURL(join(work, 'bundle.mjs')).href);
    expect(mod.platformCrypto.platform).toBe('web');
    expect(mod.platformCrypto.async.name).toBe('webcrypto');
    const trust = await mod.parseTrustedRootAsync(
      readVector('sigstore/public-good/trusted_root.json'),
    );
    const b = JSON.parse(readVector('sigstore/bundles/bundleV03-dsse.sigstore'));
    const env = b.dsseEnvelope;
    const cert = b.verificationMaterial.certificate.rawBytes;
    const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
    const binding = {
      signature: unb64(env.signatures[0].sig),
      verifier: { certificate: unb64(cert) },
      dsse: { payloadType: env.payloadType, payload: unb64(env.payload) },
    };
    const evidence = await mod.verifyLogEvidenceAsync(
      b.verificationMaterial.tlogEntries,
      binding,
      trust,
      { policy: 'require-set' },
    );
    expect(evidence.entries[0].checks).toMatchObject({ set: true, body: true });
    const other = { ...binding, signature: new Uint8Array(binding.signature) };
    other.signature[5] = (other.signature[5] ?? 0) ^ 1;
    await expect(
      mod.verifyLogEvidenceAsync(b.verificationMaterial.tlogEntries, other, trust),
    ).rejects.toMatchObject({ code: 'BODY_SIGNATURE_MISMATCH' });
  });
});
