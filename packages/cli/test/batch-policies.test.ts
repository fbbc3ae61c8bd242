import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { vectorsDir } from '@flareo/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { flareo, Scratch } from './helpers.js';

// A verify-batch worker compiles each distinct identity policy once and reuses it for the
// lines that share it (a bounded cache, emptied every 256 policies). Each line must still be
// judged by its OWN identity: lines that differ only in their identity (exact or regexp,
// right or wrong) are interleaved, repeated, and outnumber the cache's bound.

const dir = vectorsDir();
const SAN = 'brian@dehamer.com';
const ISSUER = 'https://github.com/login/oauth';

describe.skipIf(!dir)('verify-batch: identity policies shared between lines', () => {
  const scratch = new Scratch();
  afterAll(() => scratch.remove());
  const bundles = join(dir as string, 'sigstore', 'bundles');
  const name = dir ? (readdirSync(bundles).find((f) => f.endsWith('.sigstore')) as string) : '';

  it('judges every line by its own identity, past the cache bound, on 1 and 2 workers', async () => {
    const json = JSON.parse(readFileSync(join(bundles, name), 'utf8'));
    const statement = JSON.parse(Buffer.from(json.dsseEnvelope.payload, 'base64').toString());
    const base = {
      bundle: join(bundles, name),
      artifact: `sha512:${statement.subject[0].digest.sha512}`,
    };
    const kinds: [object, 'verified' | 'failed'][] = [
      [{ identity: SAN, issuer: ISSUER }, 'verified'],
      [{ identity: 'mallory@example.com', issuer: ISSUER }, 'failed'],
      [{ identityRegexp: '^brian@dehamer\\.com$', issuer: ISSUER }, 'verified'],
      [{ identityRegexp: '^mallory@', issuer: ISSUER }, 'failed'],
      [{ identity: SAN, issuerRegexp: 'https://github\\.com/login/.*' }, 'verified'],
      [{ identity: SAN, issuer: 'https://accounts.google.com' }, 'failed'],
    ];
    const lines: string[] = [];
    const expected: string[] = [];
    // 300 distinct wrong identities among the repeated six: the cache is emptied on the way.
    for (let i = 0; i < 300; i++) {
      const [policy, outcome] = kinds[i % kinds.length] as [object, string];
      lines.push(JSON.stringify({ ...base, ...policy }));
      expected.push(outcome);
      lines.push(JSON.stringify({ ...base, identity: `someone-${i}@example.com`, issuer: ISSUER }));
      expected.push('failed');
    }
    const manifest = scratch.write('policies.jsonl', `${lines.join('\n')}\n`);
    for (const workers of ['1', '2']) {
      const r = await flareo([
        'verify-batch',
        '--no-progress',
        '--json',
        '--concurrency',
        workers,
        manifest,
      ]);
      expect(r.code, r.stderr).toBe(1);
      const results = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .filter((o) => o.type === 'result');
      expect(results.map((o) => o.outcome)).toEqual(expected);
      for (const o of results) {
        if (o.outcome === 'failed') expect(o.error.code).toBe('IDENTITY_MISMATCH');
      }
    }
  }, 120_000);
});
