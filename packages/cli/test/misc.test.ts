import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFulcioChain, testKey, vectorsDir } from '@flareo/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { flareo, json, Scratch } from './helpers.js';

const scratch = new Scratch();
afterAll(() => scratch.remove());
const vectors = vectorsDir();

const zero = { unaddressed: 0, under_investigation: 0, affected: 0 };
const input = (high: number) => ({
  module: { name: 'vaultwarden', digest: `sha256:${'3f'.repeat(32)}` },
  signature: { present: true, verified: true },
  rekor: { entry_present: true },
  sbom: { present: true, completeness: 0.97 },
  slsa: { level: 2 },
  vulnerabilities: {
    critical: zero,
    high: { ...zero, unaddressed: high },
    medium: zero,
    low: zero,
  },
  trust_score: 79,
});

describe('flareo score', () => {
  it('scores signals; --min-score; invalid signals exit 2', async () => {
    const signals = scratch.write('signals.json', {
      vulnerabilities: { critical: 0, high: 1, medium: 0, low: 0 },
      slsaLevel: 2,
      hoursSinceSigned: 3,
      sbomCompleteness: 1,
    });
    const [human, asJson, below, invalid, notObject] = await Promise.all([
      flareo(['score', signals]),
      flareo(['score', '--json', signals]),
      flareo(['score', '--min-score', '80', signals]),
      flareo(['score', scratch.write('bad-signals.json', { slsaLevel: 9 })]),
      flareo(['score', scratch.write('array.json', [])]),
    ]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('Trust score 79/100  warning');
    expect(human.stdout).toContain('1 open vulnerability after VEX (1 high): 35.23 of 50 points.');
    const j = json(asJson) as { score: number; status: string; signals: { signal: string }[] };
    expect(j.score).toBe(79);
    expect(j.status).toBe('warning');
    expect(j.signals.map((s) => s.signal)).toEqual([
      'vulnerabilities',
      'slsa',
      'freshness',
      'sbom',
    ]);
    expect(below.code).toBe(1);
    expect(below.stderr).toContain('SCORE_TOO_LOW');
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('SIGNAL_INVALID');
    expect(notObject.code).toBe(2);
  });
});

describe('flareo policy eval', () => {
  it('fail → 1, pass → 0, OPA data documents and { input } bodies, bad config → 2', async () => {
    const failing = scratch.write('input-fail.json', input(1));
    const passing = scratch.write('input-pass.json', { input: input(0) });
    const data = scratch.write('data.json', {
      flareo: { config: { rules: { 'cve-high': { enforcement: 'enforce', max: 0 } } } },
    });
    const badConfig = scratch.write('bad-config.json', { rules: { 'cve-high': { max: -1 } } });
    const [fail, pass, asJson, bad, missing] = await Promise.all([
      flareo(['policy', 'eval', '--input', failing, '--config', data]),
      flareo(['policy', 'eval', '--input', passing, '--config', data]),
      flareo(['policy', 'eval', '--input', failing, '--config', data, '--json']),
      flareo(['policy', 'eval', '--input', failing, '--config', badConfig]),
      flareo(['policy', 'eval', '--config', data]),
    ]);
    expect(fail.code).toBe(1);
    expect(fail.stdout).toContain('Verdict: fail');
    expect(fail.stdout).toMatch(
      /fail +cve-high +enforce +high CVEs after VEX: expected at most 0, got 1/,
    );
    expect(pass.code, pass.stderr).toBe(0);
    expect(pass.stdout).toContain('Verdict: pass');
    const j = json(asJson) as {
      result: { verdict: string; allow: boolean; deny: string[]; rules: unknown[] };
    };
    expect(j.result.verdict).toBe('fail');
    expect(j.result.allow).toBe(false);
    expect(j.result.deny[0]).toMatch(/^cve-high: /);
    expect(j.result.rules).toHaveLength(9);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('CONFIG_INVALID');
    expect(missing.code).toBe(2);
  });
});

describe('flareo trust-root inspect', () => {
  it('a PEM bundle: keys and certificates; garbage exits 2', async () => {
    const chain = createFulcioChain({ seed: 'cli-inspect' });
    const key = testKey('ed25519', 'cli-inspect-key');
    const pem = scratch.write(
      'bundle.pem',
      `# signing key\n${key.publicKeyPem}\n${chain.intermediate.pem}\n${chain.root.pem}`,
    );
    const [human, asJson, bad, stdin] = await Promise.all([
      flareo(['trust-root', 'inspect', pem]),
      flareo(['trust-root', 'inspect', '--json', pem]),
      flareo([
        'trust-root',
        'inspect',
        scratch.write('bad.pem', '-----BEGIN PUBLIC KEY-----\nMAMCAQU=\n'),
      ]),
      flareo(['trust-root', 'inspect', '-'], { input: key.publicKeyPem }),
    ]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('1 key, 1 certificate authority, 0 transparency logs');
    expect(human.stdout).toContain(`Ed25519  id ${key.keyId}`);
    expect(human.stdout).toMatch(/fingerprint +sha256:[0-9a-f]{64}/);
    const j = json(asJson) as {
      format: string;
      keys: { id: string; keyType: string }[];
      certificateAuthorities: {
        certificates: {
          subject: string;
          issuer: string;
          notBefore: string;
          notAfter: string;
          fingerprint: string;
        }[];
      }[];
    };
    expect(j.format).toBe('pem');
    expect(j.keys).toEqual([expect.objectContaining({ id: key.keyId, keyType: 'Ed25519' })]);
    const certs = j.certificateAuthorities[0]?.certificates ?? [];
    expect(certs).toHaveLength(2);
    expect(certs[1]?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(certs[0]?.issuer).toBe(certs[1]?.subject);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('PEM_MALFORMED');
    expect(bad.stderr).toContain('line 1');
    expect(stdin.code).toBe(0);
  });

  it('the embedded public-good root, and the real trusted_root.json', async () => {
    const runs = await Promise.all([
      flareo(['trust-root', 'inspect', '--json']),
      ...(vectors
        ? [
            flareo([
              'trust-root',
              'inspect',
              join(vectors, 'sigstore/public-good/trusted_root.json'),
            ]),
          ]
        : []),
    ]);
    const [embedded, real] = runs;
    expect(embedded?.code).toBe(0);
    const j = json(embedded as Parameters<typeof json>[0]) as {
      format: string;
      tlogs: { baseUrl: string; validFor: { start: string } }[];
    };
    expect(j.format).toBe('trusted-root');
    expect(j.tlogs.map((l) => l.baseUrl)).toContain('https://rekor.sigstore.dev');
    if (real) {
      expect(real.code, real.stderr).toBe(0);
      expect(real.stdout).toContain('https://rekor.sigstore.dev  ECDSA P-256');
      expect(real.stdout).toContain(
        'c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d',
      );
    }
  });
});

describe('flareo itself', () => {
  it('--version, --help with examples, unknown commands exit 2, NO_COLOR', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const [version, help, verifyHelp, unknown, none, forced, plain] = await Promise.all([
      flareo(['--version']),
      flareo(['--help']),
      flareo(['vex', 'apply', '--help']),
      flareo(['frobnicate']),
      flareo([]),
      flareo(['policy', 'eval', '--input', scratch.write('in.json', input(1))], {
        env: { NO_COLOR: '', FORCE_COLOR: '1' },
      }),
      flareo(['policy', 'eval', '--input', scratch.path('in.json')], {
        env: { NO_COLOR: '1', FORCE_COLOR: '1' },
      }),
    ]);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);
    expect(help.code).toBe(0);
    for (const c of [
      'verify',
      'verify-bundle',
      'verify-batch',
      'vex',
      'score',
      'policy',
      'trust-root',
    ]) {
      expect(help.stdout).toContain(`  ${c} `);
    }
    expect(verifyHelp.stdout).toContain('Examples:');
    expect(unknown.code).toBe(2);
    expect(none.code).toBe(2);
    expect(forced.stdout).toContain('\u001b[');
    expect(plain.stdout).not.toContain('\u001b[');
  });
});
