import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { vectorsDir } from '@flareo/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { flareo, Scratch } from './helpers.js';

// verify-batch's verified-signature cache (on by default, `--signature-cache 0` turns it off)
// saves public-key work and nothing else: over the public-good bundles in every outcome
// (verified, identity and digest mismatches, tampered signatures, certificates, SETs and log
// bodies, invalid lines), repeated so the cache is warm, the output is byte for byte the same
// with and without it, in JSON and in text, on one and two workers.

const dir = vectorsDir();
const SAN = 'brian@dehamer.com';
const ISSUER = 'https://github.com/login/oauth';

const flip = (b64: string, at: number): string => {
  const b = Buffer.from(b64, 'base64');
  const i = at < 0 ? b.length + at : at;
  b[i] = (b[i] as number) ^ 1;
  return b.toString('base64');
};

// biome-ignore lint/suspicious/noExplicitAny: tests edit protobuf-JSON bundles
type Json = any;
const leafOf = (j: Json) =>
  j.verificationMaterial.certificate ?? j.verificationMaterial.x509CertificateChain.certificates[0];
const TAMPERS: Record<string, (j: Json) => void> = {
  dsse: (j) => {
    j.dsseEnvelope.signatures[0].sig = flip(j.dsseEnvelope.signatures[0].sig, -1);
  },
  'cert-signature': (j) => {
    leafOf(j).rawBytes = flip(leafOf(j).rawBytes, -1);
  },
  'cert-tbs': (j) => {
    leafOf(j).rawBytes = flip(leafOf(j).rawBytes, 60);
  },
  set: (j) => {
    const p = j.verificationMaterial.tlogEntries[0].inclusionPromise;
    if (p) p.signedEntryTimestamp = flip(p.signedEntryTimestamp, -2);
  },
  body: (j) => {
    const e = j.verificationMaterial.tlogEntries[0];
    e.canonicalizedBody = flip(e.canonicalizedBody, 30);
  },
};

describe.skipIf(!dir)('verify-batch --signature-cache', () => {
  const scratch = new Scratch();
  afterAll(() => scratch.remove());
  const bundles = join(dir as string, 'sigstore', 'bundles');
  const names = dir ? readdirSync(bundles).filter((f) => f.endsWith('.sigstore')) : [];

  const lines: string[] = [];
  for (const name of names) {
    const json = JSON.parse(readFileSync(join(bundles, name), 'utf8'));
    const statement = JSON.parse(Buffer.from(json.dsseEnvelope.payload, 'base64').toString());
    const artifact = `sha512:${statement.subject[0].digest.sha512}`;
    const bundle = join(bundles, name);
    const line = (o: object) => lines.push(JSON.stringify({ bundle, artifact, ...o }));
    line({ identity: SAN, issuer: ISSUER });
    line({ identity: 'mallory@example.com', issuer: ISSUER });
    line({ identity: SAN, issuer: ISSUER, artifact: `sha512:${'0'.repeat(128)}` });
    for (const [what, tamper] of Object.entries(TAMPERS)) {
      const copy = structuredClone(json);
      tamper(copy);
      line({
        bundle: scratch.write(`${name}.${what}.json`, JSON.stringify(copy)),
        identity: SAN,
        issuer: ISSUER,
      });
    }
  }
  lines.push(
    'not json',
    '{"artifact":"x"}',
    `{"bundle":"${join(bundles, 'absent')}","artifact":"x"}`,
  );
  const manifest = scratch.write(
    'manifest.jsonl',
    `${[...lines, ...lines, ...lines.slice(0, 20)].join('\n')}\n`,
  );
  const comparable = (text: string) =>
    text.replace(/"durationMs":\d+/, '"durationMs":0').replace(/\d+ ms\)/, 'N ms)');

  it.each([
    ['--json', '1'],
    ['--json', '2'],
    ['text', '2'],
  ])('%s on %s worker(s): the same bytes with and without the cache', async (mode, workers) => {
    const base = ['verify-batch', '--no-progress', '--concurrency', workers, manifest];
    if (mode === '--json') base.push('--json');
    const [on, off] = await Promise.all([
      flareo(base),
      flareo([...base, '--signature-cache', '0']),
    ]);
    expect(on.code, on.stderr).toBe(2); // invalid lines
    expect(off.code).toBe(2);
    expect(comparable(on.stdout)).toBe(comparable(off.stdout));
    expect(on.stderr).toBe(off.stderr);
    if (mode === '--json') {
      const out = on.stdout.trim().split('\n');
      const summary = JSON.parse(out.at(-1) as string);
      expect(summary).toMatchObject({ total: lines.length * 2 + 20, invalid: 3 * 2 });
      expect(summary.verified).toBeGreaterThan(0);
      expect(summary.failed).toBeGreaterThan(0);
    }
  });

  it('a bad --signature-cache value is a usage error (exit 2)', async () => {
    for (const value of ['-1', 'lots', '1.5', '2000000']) {
      const r = await flareo(['verify-batch', '--signature-cache', value, manifest]);
      expect(r.code, value).toBe(2);
      expect(r.stderr).toContain('--signature-cache');
      expect(r.stdout).toBe('');
    }
  });
});
