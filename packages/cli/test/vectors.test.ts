import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { vectorsDir } from '@flareo/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { flareo, Scratch } from './helpers.js';

// The nine real public-good bundles (sigstore-js test vectors), through `verify`,
// `verify-bundle` and `verify-batch`, offline against the embedded public-good root.
const dir = vectorsDir();
const SAN = 'brian@dehamer.com';
const ISSUER = 'https://github.com/login/oauth';

describe.skipIf(!dir)('real Sigstore bundles', () => {
  const bundles = dir ? join(dir, 'sigstore', 'bundles') : '';
  const names = dir
    ? readdirSync(bundles)
        .filter((n) => n.endsWith('.sigstore'))
        .sort()
    : [];
  /** The sha512 subject digest of the bundle's in-toto statement. */
  const digestOf = (name: string): string => {
    const b = JSON.parse(readFileSync(join(bundles, name), 'utf8')) as {
      dsseEnvelope: { payload: string };
    };
    const st = JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString('utf8')) as {
      subject: { digest: { sha512: string } }[];
    };
    return `sha512:${st.subject[0]?.digest.sha512}`;
  };
  const scratch = new Scratch();
  afterAll(() => scratch.remove());

  it('there are nine', () => {
    expect(names).toHaveLength(9);
  });

  it('all nine verify with `flareo verify`, and fail for another identity', async () => {
    const ok = await Promise.all(
      names.map((n) =>
        flareo([
          'verify',
          '--bundle',
          join(bundles, n),
          '--certificate-identity',
          SAN,
          '--certificate-oidc-issuer',
          ISSUER,
          digestOf(n),
        ]),
      ),
    );
    for (const [i, r] of ok.entries()) {
      expect(r.code, `${names[i]}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain('subject      pkg:npm/sigstore@1.0.0');
    }
    const wrong = await flareo([
      'verify',
      '--bundle',
      join(bundles, names[0] as string),
      '--certificate-identity',
      'mallory@example.com',
      '--certificate-oidc-issuer',
      ISSUER,
      digestOf(names[0] as string),
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('IDENTITY_MISMATCH');
  });

  it('all nine verify with `flareo verify-bundle` (embedded root and --trusted-root), a wrong digest fails', async () => {
    const root = join(dir as string, 'sigstore', 'public-good', 'trusted_root.json');
    const runs = await Promise.all(
      names.map((n, i) =>
        flareo([
          'verify-bundle',
          '--bundle',
          join(bundles, n),
          '--certificate-identity',
          SAN,
          '--certificate-oidc-issuer',
          ISSUER,
          ...(i % 2 ? ['--trusted-root', root] : []),
          digestOf(n),
        ]),
      ),
    );
    for (const [i, r] of runs.entries()) expect(r.code, `${names[i]}: ${r.stderr}`).toBe(0);
    const wrongDigest = await flareo([
      'verify-bundle',
      '--bundle',
      join(bundles, names[0] as string),
      '--certificate-identity',
      SAN,
      '--certificate-oidc-issuer',
      ISSUER,
      `sha512:${'0'.repeat(128)}`,
    ]);
    expect(wrongDigest.code).toBe(1);
    expect(wrongDigest.stderr).toContain('DIGEST_MISMATCH');
  });

  it('`flareo verify-batch`: JSON lines in manifest order, a summary, exit 1 on one failure', async () => {
    const lines = names.map((n) => ({
      bundle: join(bundles, n),
      artifact: digestOf(n),
      identity: SAN,
      issuer: ISSUER,
    }));
    lines.push({
      bundle: join(bundles, names[0] as string),
      artifact: digestOf(names[0] as string),
      identity: 'mallory@example.com',
      issuer: ISSUER,
    });
    const manifest = scratch.write(
      'manifest.jsonl',
      `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`,
    );
    const good = scratch.write(
      'good.jsonl',
      `${lines
        .slice(0, 3)
        .map((l) => JSON.stringify(l))
        .join('\n')}\n\n`,
    );
    const bad = scratch.write(
      'bad.jsonl',
      `${JSON.stringify(lines[0])}\n{"bundle": 3}\nnot json\n${JSON.stringify({ ...lines[0], artifact: '-' })}\n`,
    );
    const [r, human, invalid, defaults] = await Promise.all([
      flareo(['verify-batch', '--concurrency', '2', '--json', manifest]),
      flareo(['verify-batch', good]),
      flareo(['verify-batch', '--json', bad]),
      flareo(
        ['verify-batch', '--certificate-identity', SAN, '--certificate-oidc-issuer', ISSUER, '-'],
        {
          input: names
            .slice(0, 2)
            .map((n) => JSON.stringify({ bundle: join(bundles, n), artifact: digestOf(n) }))
            .join('\n'),
        },
      ),
    ]);
    expect(r.code, r.stderr).toBe(1);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out).toHaveLength(11);
    expect(out.slice(0, 10).map((o) => o.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(
      out
        .slice(0, 9)
        .every((o) => o.type === 'result' && o.verified === true && o.outcome === 'verified'),
    ).toBe(true);
    expect(out[0]).toMatchObject({
      result: { format: 'sigstore-bundle-v0.1', signer: { subjectAlternativeNames: [SAN] } },
    });
    expect(out[9]).toMatchObject({
      verified: false,
      outcome: 'failed',
      error: { code: 'IDENTITY_MISMATCH' },
    });
    expect(out[10]).toMatchObject({
      type: 'summary',
      total: 10,
      verified: 9,
      failed: 1,
      invalid: 0,
      concurrency: 2,
    });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('3/3 verified');
    expect(invalid.code).toBe(2);
    const inv = invalid.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(inv.map((o) => o.outcome)).toEqual([
      'verified',
      'invalid',
      'invalid',
      'invalid',
      undefined,
    ]);
    expect(inv[1]).toMatchObject({ error: { code: 'MANIFEST_INVALID' } });
    expect(inv[3]).toMatchObject({
      error: { code: 'MANIFEST_INVALID', message: expect.stringContaining('standard input (-)') },
    });
    expect(defaults.code, defaults.stderr).toBe(0);
    expect(defaults.stdout).toContain('2/2 verified');
  });
});
