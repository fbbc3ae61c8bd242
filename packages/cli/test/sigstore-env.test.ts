import {
  buildTrustedRoot,
  createFulcioChain,
  embedScts,
  mintLegacyCosignBundle,
  TestRekorV1,
  TestTimestampAuthority,
  testKey,
} from '@flareo/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { flareo, json, Scratch } from './helpers.js';

// cosign's SIGSTORE_* variables, each replacing one part of the public-good root with a PEM
// file of the test kit's: the Fulcio CAs, the Rekor key, the CT log key, the TSA chain.
const scratch = new Scratch();
afterAll(() => scratch.remove());

const now = Date.now();
const SAN = 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v2.0.0';
const ISSUER = 'https://token.actions.githubusercontent.com';
const chain = createFulcioChain({ seed: 'cli-env-ca' });
const otherChain = createFulcioChain({ seed: 'cli-env-other-ca' });
const rekor = new TestRekorV1({ seed: 'cli-env-rekor', startTime: new Date(now - 7_200_000) });
const tsa = new TestTimestampAuthority({ seed: 'cli-env-tsa' });
const ctKey = testKey('ecdsa-p256', 'cli-env-ct');
const plainLeaf = chain.leaf({
  seed: 'cli-env-leaf',
  san: { uri: [SAN] },
  notBefore: new Date(now - 3_600_000),
  notAfter: new Date(now + 3_600_000),
});
const leaf = embedScts(plainLeaf, chain.intermediate, [
  { key: ctKey, timestamp: new Date(now - 3_000_000) },
]).certificate;
const artifact = new TextEncoder().encode('env-configured trust\n');
const integratedTime = new Date(now - 600_000);
const logged = mintLegacyCosignBundle({
  artifact,
  signer: { certificate: leaf },
  rekor,
  integratedTime,
});
const stamped = mintLegacyCosignBundle({
  artifact,
  signer: { certificate: leaf },
  timestamp: tsa,
  timestampTime: integratedTime,
});

const dir = scratch.dir;
scratch.write('app.txt', artifact);
scratch.write('app.bundle', logged);
scratch.write('stamped.bundle', { ...stamped, rfc3161Timestamp: undefined });
scratch.write('stamped.tsr.json', stamped.rfc3161Timestamp as object);
scratch.write('fulcio.pem', `${chain.root.pem}${chain.intermediate.pem}`);
scratch.write('other-fulcio.pem', `${otherChain.root.pem}${otherChain.intermediate.pem}`);
scratch.write('rekor.pub', rekor.publicKeyPem);
scratch.write('ct.pub', ctKey.publicKeyPem);
scratch.write('tsa.pem', tsa.chain.map((c) => c.pem).join(''));
scratch.write('trusted_root.json', {
  ...buildTrustedRoot({ certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }] }),
  tlogs: [rekor.transparencyLogInstance()],
  ctlogs: [],
});

const ENV = {
  SIGSTORE_ROOT_FILE: 'fulcio.pem',
  SIGSTORE_REKOR_PUBLIC_KEY: 'rekor.pub',
  SIGSTORE_CT_LOG_PUBLIC_KEY_FILE: 'ct.pub',
};
const identity = ['--certificate-identity', SAN, '--certificate-oidc-issuer', ISSUER];
const verify = (args: readonly string[], env: Record<string, string | undefined>) =>
  flareo(['verify', ...identity, ...args, 'app.txt'], { cwd: dir, env });
const without = (name: keyof typeof ENV) => ({ ...ENV, [name]: undefined });
const codeOf = (r: { stdout: string }) =>
  (json(r as never) as { error?: { code: string } }).error?.code;

describe('cosign’s SIGSTORE_* variables', () => {
  it('Fulcio CAs, Rekor key and CT log key from the environment verify a cosign bundle', async () => {
    const r = await verify(['--bundle', 'app.bundle', '--json'], ENV);
    expect(r.code, r.stderr).toBe(0);
    const out = json(r) as { trust: string[]; result: { scts: number } };
    expect(out.result.scts).toBe(1);
    expect(out.trust.join('\n')).toContain('CA roots fulcio.pem');
    expect(out.trust.join('\n')).toContain('(SIGSTORE_REKOR_PUBLIC_KEY)');
    expect(out.trust.join('\n')).toContain('(SIGSTORE_CT_LOG_PUBLIC_KEY_FILE)');
  });

  it('each variable matters: without it, the part of the public-good root it replaces is used', async () => {
    const [noRoot, noRekor, noCt, otherRoot] = await Promise.all([
      verify(['--bundle', 'app.bundle', '--json'], without('SIGSTORE_ROOT_FILE')),
      verify(['--bundle', 'app.bundle', '--json'], without('SIGSTORE_REKOR_PUBLIC_KEY')),
      verify(['--bundle', 'app.bundle', '--json'], without('SIGSTORE_CT_LOG_PUBLIC_KEY_FILE')),
      verify(['--bundle', 'app.bundle', '--json'], {
        ...ENV,
        SIGSTORE_ROOT_FILE: 'other-fulcio.pem',
      }),
    ]);
    expect(noRoot.code).toBe(1);
    expect(codeOf(noRoot)).toBe('UNTRUSTED_SIGNER');
    expect(noRekor.code).toBe(1);
    expect(codeOf(noRekor)).toBe('TLOG_UNTRUSTED');
    expect(noCt.code).toBe(1);
    expect(codeOf(noCt)).toBe('SCT_INVALID');
    expect(otherRoot.code).toBe(1);
    expect(codeOf(otherRoot)).toBe('UNTRUSTED_SIGNER');
  });

  it('SIGSTORE_TSA_CERTIFICATE_FILE: the TSA chain that makes an RFC 3161 timestamp trusted', async () => {
    const args = [
      '--bundle',
      'stamped.bundle',
      '--rfc3161-timestamp',
      'stamped.tsr.json',
      '--insecure-ignore-tlog',
      '--use-signed-timestamps',
      '--json',
    ];
    const [withTsa, noTsa] = await Promise.all([
      verify(args, { ...ENV, SIGSTORE_TSA_CERTIFICATE_FILE: 'tsa.pem' }),
      verify(args, ENV),
    ]);
    expect(withTsa.code, withTsa.stderr).toBe(0);
    const out = json(withTsa) as { result: { times: { source: string }[] } };
    expect(out.result.times.map((t) => t.source)).toEqual(['timestamp']);
    expect(noTsa.code).toBe(1);
  });

  it('a flag on the command line wins, and the variable it overrides is named', async () => {
    const r = await verify(
      ['--bundle', 'app.bundle', '--trusted-root', 'trusted_root.json', '--insecure-ignore-sct'],
      {
        ...ENV,
        SIGSTORE_ROOT_FILE: 'other-fulcio.pem',
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('SIGSTORE_ROOT_FILE is ignored: --trusted-root');
    expect(r.stderr).toContain('SIGSTORE_REKOR_PUBLIC_KEY is ignored: --trusted-root');
  });

  it('SIGSTORE_TRUST_REKOR_API_PUBLIC_KEY exits 2; the TUF variables warn that they are not read', async () => {
    const [refused, tuf] = await Promise.all([
      verify(['--bundle', 'app.bundle', '--json'], {
        ...ENV,
        SIGSTORE_TRUST_REKOR_API_PUBLIC_KEY: '1',
      }),
      verify(['--bundle', 'app.bundle'], {
        ...ENV,
        TUF_ROOT: '/tmp/tuf',
        TUF_MIRROR: 'https://tuf.example',
      }),
    ]);
    expect(refused.code).toBe(2);
    expect(codeOf(refused)).toBe('USAGE');
    expect(refused.stderr).toContain('SIGSTORE_TRUST_REKOR_API_PUBLIC_KEY is not supported');
    expect(tuf.code, tuf.stderr).toBe(0);
    expect(tuf.stderr).toContain('warning: TUF_ROOT is not read');
    expect(tuf.stderr).toContain('warning: TUF_MIRROR is not read');
  });

  it('an unreadable file named by a variable exits 2', async () => {
    const r = await verify(['--bundle', 'app.bundle', '--json'], {
      ...ENV,
      SIGSTORE_REKOR_PUBLIC_KEY: 'missing.pub',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing.pub');
  });
});
