import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readVector, vectorsDir } from '@flareo/testkit';
import { parseTrustedRoot } from '@flareo/trust-root';
import * as x509 from '@flareo/trust-root/x509';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createVerifier } from '../src/index.js';

// Every certificate this package reads goes through the shared certificate view of
// `@flareo/trust-root/x509`. Wrapping its parse function counts how often each certificate
// is read during one verification: the signing certificate must be read once, its view then
// passed to every step (identity, chain, SCTs, result).
vi.mock('@flareo/trust-root/x509', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@flareo/trust-root/x509')>();
  return { ...actual, parseCertificate: vi.fn(actual.parseCertificate) };
});

const parse = vi.mocked(x509.parseCertificate);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const dir = vectorsDir();
const names = dir
  ? readdirSync(join(dir, 'sigstore', 'bundles')).filter((f) => f.endsWith('.sigstore'))
  : [];

describe.skipIf(!dir)('the signing certificate is parsed once per verification', () => {
  const trust = parseTrustedRoot(JSON.parse(readVector('sigstore/public-good/trusted_root.json')));
  const verifier = createVerifier(trust);
  const policy = {
    subjectAlternativeName: 'brian@dehamer.com',
    issuer: 'https://github.com/login/oauth',
  };

  beforeEach(() => {
    parse.mockClear();
  });

  it('covers the nine public-good bundles', () => {
    expect(names).toHaveLength(9);
  });

  it.each(names)('%s', (name) => {
    const json = JSON.parse(readVector(`sigstore/bundles/${name}`));
    const material = json.verificationMaterial;
    const chain: string[] = material.certificate
      ? [material.certificate.rawBytes]
      : material.x509CertificateChain.certificates.map((c: { rawBytes: string }) => c.rawBytes);
    const leaf = hex(Buffer.from(chain[0] as string, 'base64'));

    const result = verifier.verifyBundle(json, undefined, policy);
    expect(result.scts).toBeGreaterThan(0); // the SCT step ran on the same view

    const reads = parse.mock.calls.map(([der]) => hex(der));
    expect(reads.filter((r) => r === leaf)).toHaveLength(1);
    // Nothing else is read more than once either (intermediates shipped in the bundle).
    expect(new Set(reads).size).toBe(reads.length);
    expect(reads.length).toBeLessThanOrEqual(chain.length);
  });

  it('the count sees a second parse (the check can fail)', () => {
    const json = JSON.parse(readVector(`sigstore/bundles/${names[0]}`));
    verifier.verifyBundle(json, undefined, policy);
    verifier.verifyBundle(json, undefined, policy);
    expect(parse).toHaveBeenCalledTimes(2);
  });
});
