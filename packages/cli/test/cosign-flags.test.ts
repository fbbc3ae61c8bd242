import {
  buildTrustedRoot,
  createFulcioChain,
  DEFAULT_GITHUB_CLAIMS,
  embedScts,
  mintLegacyCosignBundle,
  mintSigstoreBundle,
  startTestRekorApi,
  TestRekorV1,
  TestTimestampAuthority,
  testKey,
} from '@flareo/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { flareo, json, Scratch } from './helpers.js';

const scratch = new Scratch();
afterAll(() => scratch.remove());

// Seed 002's release: checksums.txt signed keyless by a GitHub release workflow, with the
// detached signature and certificate cosign sign-blob writes (--output-signature and
// --output-certificate), and the same signature as a cosign bundle logged in Rekor.
const SEED_SAN =
  'https://github.com/prexorjustin/prexorcloud/.github/workflows/release.yml@refs/tags/v1.4.2';
const ISSUER = 'https://token.actions.githubusercontent.com';
const SEED_COMMAND = [
  'verify-blob',
  '--certificate-identity-regexp',
  '^https://github.com/prexorjustin/prexorcloud/.github/workflows/release.yml@refs/tags/',
  '--certificate-oidc-issuer',
  'https://token.actions.githubusercontent.com',
  '--signature',
  'checksums.txt.sig',
  '--certificate',
  'checksums.txt.pem',
  'checksums.txt',
];
/** `flareo` in place of `cosign`: cosign's `verify-blob` is flareo's `verify`. */
const asFlareo = (args: readonly string[]) => args.map((a) => (a === 'verify-blob' ? 'verify' : a));

const now = Date.now();
const chain = createFulcioChain({ seed: 'cli-cosign-ca' });
const otherChain = createFulcioChain({ seed: 'cli-cosign-other-ca' });
const rekor = new TestRekorV1({ seed: 'cli-cosign-rekor' });
const tsa = new TestTimestampAuthority({ seed: 'cli-cosign-tsa' });
const claims = {
  ...DEFAULT_GITHUB_CLAIMS,
  workflowRepository: 'prexorjustin/prexorcloud',
  workflowRef: 'refs/tags/v1.4.2',
};
// Valid now, as a detached certificate without log evidence is checked at the current time.
const leaf = chain.leaf({
  seed: 'cli-cosign-leaf',
  san: { uri: [SEED_SAN] },
  github: claims,
  notBefore: new Date(now - 3_600_000),
  notAfter: new Date(now + 86_400_000),
});
const artifact = new TextEncoder().encode('abc123  prexorcloud_1.4.2_linux_amd64.tar.gz\n');
const dir = scratch.dir;
scratch.write('checksums.txt', artifact);
const legacy = mintLegacyCosignBundle({ artifact, signer: { certificate: leaf }, rekor });
scratch.write('checksums.txt.sig', `${legacy.base64Signature}\n`);
scratch.write('checksums.txt.pem', legacy.cert as string); // base64 of the PEM, as cosign writes it
scratch.write('checksums-pem.txt.pem', leaf.pem);
scratch.write('checksums.txt.bundle', legacy);
const trustedRoot = scratch.write('trusted_root.json', {
  ...buildTrustedRoot({
    certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }],
    timestampAuthorities: [{ chain: [...tsa.chain] }],
  }),
  tlogs: [rekor.transparencyLogInstance()],
});
const chainPem = scratch.write('chain.pem', `${chain.intermediate.pem}${chain.root.pem}`);
const rootPem = scratch.write('root.pem', chain.root.pem);
const intermediatePem = scratch.write('intermediate.pem', chain.intermediate.pem);
const otherRootPem = scratch.write('other-root.pem', otherChain.root.pem);
const inDir = (args: readonly string[]) => flareo(args, { cwd: dir });
// The Rekor API the detached signature is looked up in, as cosign looks it up in
// rekor.sigstore.dev: the test kit's log, served on loopback, with the entry's inclusion proof.
const rekorApi = await startTestRekorApi(rekor);
const logged = rekor.entries[0];
if (!logged) throw new Error('the cosign bundle was not logged');
rekorApi.add(rekor.withInclusionProof(logged.entry));
afterAll(() => rekorApi.stop());

describe('seed 002: cosign verify-blob with a detached signature and certificate', () => {
  it('runs verbatim: the log entry is looked up in Rekor (here the test kit’s, on loopback) and verified', async () => {
    const r = await inDir([
      ...asFlareo(SEED_COMMAND),
      '--trusted-root',
      trustedRoot,
      '--rekor-url',
      rekorApi.url,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('unknown option');
    expect(r.stdout).toContain('✓ Verified OK');
    expect(r.stdout).toMatch(
      /tlog +hashedrekord 0\.0\.1 .*\(SET, inclusion proof, checkpoint, body/,
    );
    expect(r.stdout).toContain(`found at  ${rekorApi.url}`);
    expect(r.stderr).toContain(`looking it up at ${rekorApi.url}`);
  });

  it('--offline: never goes online, and names the missing log evidence', async () => {
    rekorApi.clearRequests();
    const r = await inDir([
      ...asFlareo(SEED_COMMAND),
      '--trusted-root',
      trustedRoot,
      '--rekor-url',
      rekorApi.url,
      '--offline',
    ]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('TLOG_MISSING');
    expect(r.stderr).toContain('--offline forbids looking it up');
    expect(rekorApi.requests).toHaveLength(0);
  });

  it('--insecure-ignore-tlog: verified at the current time, with one warning on the prefix pattern', async () => {
    const [b64, pem] = await Promise.all([
      inDir([...asFlareo(SEED_COMMAND), '--trusted-root', trustedRoot, '--insecure-ignore-tlog']),
      inDir([
        ...asFlareo(SEED_COMMAND).map((a) =>
          a === 'checksums.txt.pem' ? 'checksums-pem.txt.pem' : a,
        ),
        '--trusted-root',
        trustedRoot,
        '--insecure-ignore-tlog',
        '-o',
        'json',
      ]),
    ]);
    expect(b64.code, b64.stderr).toBe(0);
    expect(b64.stdout).toContain('✓ Verified OK');
    expect(b64.stdout).toContain(SEED_SAN);
    expect(b64.stderr.match(/^warning:/gm)).toHaveLength(1);
    expect(b64.stderr).toContain(
      '"^https://github.com/prexorjustin/prexorcloud/.github/workflows/release.yml@refs/tags/.*$"',
    );
    expect(pem.code, pem.stderr).toBe(0);
    const out = json(pem) as {
      verified: boolean;
      certificate: string;
      result: { times: { source: string }[] };
    };
    expect(out.verified).toBe(true);
    expect(out.certificate).toBe('checksums-pem.txt.pem');
    expect(out.result.times.map((t) => t.source)).toEqual(['current']);
  });

  it('the cosign bundle of the same signature verifies offline with its Rekor entry', async () => {
    const r = await inDir([
      'verify',
      '--certificate-identity-regexp',
      '^https://github.com/prexorjustin/prexorcloud/.github/workflows/release.yml@refs/tags/',
      '--certificate-oidc-issuer',
      ISSUER,
      '--bundle',
      'checksums.txt.bundle',
      '--trusted-root',
      trustedRoot,
      '--offline',
      '--new-bundle-format',
      'checksums.txt',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/tlog +hashedrekord/);
  });

  it('a tampered artifact or a signature from another key fails (exit 1)', async () => {
    scratch.write('tampered.txt', new TextEncoder().encode('abc124\n'));
    const r = await inDir([
      ...asFlareo(SEED_COMMAND).slice(0, -1),
      'tampered.txt',
      '--trusted-root',
      trustedRoot,
      '--insecure-ignore-tlog',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SIGNATURE_MISMATCH');
  });
});

const detached = [
  '--signature',
  'checksums.txt.sig',
  '--certificate',
  'checksums.txt.pem',
  '--certificate-identity',
  SEED_SAN,
  '--certificate-oidc-issuer',
  ISSUER,
  '--insecure-ignore-tlog',
];

describe('cosign CA flags: --certificate-chain, --ca-roots, --ca-intermediates', () => {
  it('a chain or roots (+ intermediates) replace the root’s CAs', async () => {
    const runs = await Promise.all([
      inDir(['verify', ...detached, '--certificate-chain', chainPem, 'checksums.txt']),
      inDir([
        'verify',
        ...detached,
        '--ca-roots',
        rootPem,
        '--ca-intermediates',
        intermediatePem,
        'checksums.txt',
      ]),
      inDir(['verify', ...detached, '--ca-roots', chainPem, 'checksums.txt']),
      inDir(['verify', ...detached, '--ca-roots', otherRootPem, 'checksums.txt']),
    ]);
    const [chained, roots, together, other] = runs;
    for (const r of [chained, roots, together]) expect(r?.code, r?.stderr).toBe(0);
    expect(chained?.stdout).toContain('Verified OK');
    expect(other?.code).toBe(1);
    expect(other?.stderr).toContain('UNTRUSTED_SIGNER');
  });

  it('refuses conflicting or incomplete CA flags (exit 2)', async () => {
    const runs = await Promise.all([
      inDir([
        'verify',
        ...detached,
        '--certificate-chain',
        chainPem,
        '--ca-roots',
        rootPem,
        'checksums.txt',
      ]),
      inDir(['verify', ...detached, '--ca-intermediates', intermediatePem, 'checksums.txt']),
      inDir(['verify', ...detached, '--certificate-chain', intermediatePem, 'checksums.txt']),
      inDir([
        'verify',
        ...detached,
        '--ca-roots',
        otherRootPem,
        '--ca-intermediates',
        intermediatePem,
        'checksums.txt',
      ]),
      inDir(['verify', ...detached, '--ca-roots', trustedRoot, 'checksums.txt']),
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(2);
    const [both, alone, noRoot, unchained, json] = runs;
    expect(both?.stderr).toContain('--certificate-chain conflicts with --ca-roots');
    expect(alone?.stderr).toContain('--ca-intermediates goes with --ca-roots');
    expect(noRoot?.stderr).toContain(
      'does not chain to the last certificate of --certificate-chain',
    );
    expect(unchained?.stderr).toContain('does not chain to a certificate of --ca-roots');
    expect(json?.stderr).toContain('take PEM certificates');
  });
});

describe('cosign identity, log, time and output flags', () => {
  const withRoot = [...detached, '--trusted-root', trustedRoot];

  it('the five --certificate-github-workflow-* flags match Fulcio extensions exactly', async () => {
    const [ok, wrong] = await Promise.all([
      inDir([
        'verify',
        ...withRoot,
        '--certificate-github-workflow-trigger',
        'push',
        '--certificate-github-workflow-sha',
        claims.workflowSha,
        '--certificate-github-workflow-name',
        'Release',
        '--certificate-github-workflow-repository',
        'prexorjustin/prexorcloud',
        '--certificate-github-workflow-ref',
        'refs/tags/v1.4.2',
        'checksums.txt',
      ]),
      inDir([
        'verify',
        ...withRoot,
        '--certificate-github-workflow-trigger',
        'pull_request',
        '--json',
        'checksums.txt',
      ]),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(wrong.code).toBe(1);
    expect((json(wrong).error as Record<string, unknown>).field).toBe(
      'extensions.githubWorkflowTrigger',
    );
  });

  it('--use-signed-timestamps needs a verified RFC 3161 time; the log time alone is not enough', async () => {
    const logged = (timestamp: boolean) =>
      mintSigstoreBundle({
        version: '0.3',
        content: { kind: 'message', artifact },
        signer: { certificate: chain.leaf({ san: { uri: [SEED_SAN] }, github: claims }) },
        rekor,
        ...(timestamp ? { timestamp: tsa } : {}),
      }).json;
    scratch.write('no-ts.sigstore.json', logged(false));
    scratch.write('ts.sigstore.json', logged(true));
    const id = ['--certificate-identity', SEED_SAN, '--certificate-oidc-issuer', ISSUER];
    const [plain, without, withTs] = await Promise.all([
      inDir([
        'verify',
        '--bundle',
        'no-ts.sigstore.json',
        ...id,
        '--trusted-root',
        trustedRoot,
        'checksums.txt',
      ]),
      inDir([
        'verify',
        '--bundle',
        'no-ts.sigstore.json',
        ...id,
        '--trusted-root',
        trustedRoot,
        '--use-signed-timestamps',
        'checksums.txt',
      ]),
      inDir([
        'verify',
        '--bundle',
        'ts.sigstore.json',
        ...id,
        '--trusted-root',
        trustedRoot,
        '--use-signed-timestamps',
        'checksums.txt',
      ]),
    ]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(without.code).toBe(1);
    expect(without.stderr).toContain('TIME_SOURCE_MISSING');
    expect(withTs.code, withTs.stderr).toBe(0);
  });

  it('--private-infrastructure is cosign’s other name for --insecure-ignore-tlog', async () => {
    const args = withRoot.map((a) =>
      a === '--insecure-ignore-tlog' ? '--private-infrastructure' : a,
    );
    const r = await inDir(['verify', ...args, 'checksums.txt']);
    expect(r.code, r.stderr).toBe(0);
  });

  it('--insecure-ignore-sct: an SCT from a CT log the root does not list stops being fatal', async () => {
    const withSct = embedScts(leaf, chain.intermediate, [
      { key: testKey('ecdsa-p256', 'cli-cosign-unknown-ct'), timestamp: new Date(now - 60_000) },
    ]).certificate;
    const bundle = mintLegacyCosignBundle({ artifact, signer: { certificate: withSct }, rekor });
    scratch.write('sct.txt.sig', bundle.base64Signature);
    scratch.write('sct.txt.pem', bundle.cert as string);
    const args = [
      'verify',
      ...withRoot.map((a) =>
        a === 'checksums.txt.sig' ? 'sct.txt.sig' : a === 'checksums.txt.pem' ? 'sct.txt.pem' : a,
      ),
    ];
    const [strict, ignored] = await Promise.all([
      inDir([...args, 'checksums.txt']),
      inDir([...args, '--insecure-ignore-sct', 'checksums.txt']),
    ]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('SCT_INVALID');
    expect(ignored.code, ignored.stderr).toBe(0);
  });

  it('-o text is the default output; --rekor-url is not contacted when the input holds its entry', async () => {
    const r = await inDir([
      'verify',
      ...withRoot,
      '-o',
      'text',
      '--rekor-url',
      'https://rekor.sigstore.dev',
      '--insecure-ignore-sct',
      'checksums.txt',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('✓ Verified OK');
    expect(r.stderr).not.toContain('looking it up');
  });
});

describe('cosign flags refused on purpose: exit 2 naming the flag and why', () => {
  it.each([
    [
      ['verify', '--sk', ...detached, 'checksums.txt'],
      "cosign's --sk is not supported",
      'hardware security keys',
    ],
    [['verify', '--slot', 'signature', ...detached, 'checksums.txt'], "cosign's --slot", 'PIV'],
    [['verify', '--sct', 'x.sct', ...detached, 'checksums.txt'], "cosign's --sct", 'detached SCTs'],
    [
      ['verify', '--timestamp-certificate-chain', 'tsa.pem', ...detached, 'checksums.txt'],
      "cosign's --timestamp-certificate-chain",
      'trusted_root.json',
    ],
    [
      ['verify', '--max-workers', '4', ...detached, 'checksums.txt'],
      "cosign's --max-workers",
      'verify-batch',
    ],
    [
      [
        'verify',
        '--key',
        'awskms:///alias/release',
        '--signature',
        'checksums.txt.sig',
        'checksums.txt',
      ],
      'awskms:// key references are not supported',
      'cosign public-key',
    ],
    [['verify', '--verbose', ...detached, 'checksums.txt'], "cosign's --verbose", 'FLAREO_DEBUG'],
    [
      ['verify', '--signature-digest-algorithm', 'sha384', ...detached, 'checksums.txt'],
      "cosign's --signature-digest-algorithm is not supported by flareo verify",
      'signature material',
    ],
    [
      ['verify-image', '--certificate', 'leaf.pem', 'oci:layout'],
      "cosign's --certificate is not supported by flareo verify-image",
      'with each signature',
    ],
    [
      ['verify-image', '--signature', 'image.sig', 'oci:layout'],
      "cosign's --signature is not supported by flareo verify-image",
      'deprecated',
    ],
    [
      ['verify-image', '--timestamp-certificate-chain', 'tsa.pem', 'oci:layout'],
      "cosign's --timestamp-certificate-chain is not supported by flareo verify-image",
      'trusted_root.json',
    ],
    [
      ['verify-image', '--output-file', 'out.txt', 'oci:layout'],
      "cosign's --output-file",
      '> FILE',
    ],
    [
      ['verify-image', '--local-image', 'oci:layout'],
      "cosign's --local-image is not supported by flareo verify-image",
      'oci:DIR',
    ],
    [
      ['verify-image', '--registry-password', 'hunter2', 'registry.example/app:v1'],
      "cosign's --registry-password",
      'FLAREO_REGISTRY_PASSWORD',
    ],
  ])('%j', async (args, message, why) => {
    const r = await inDir(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain(why);
    expect(r.stderr).not.toContain('unknown option');
  });

  it('mixing --certificate with --bundle or --key, or --insecure-ignore-tlog with a log policy', async () => {
    const runs = await Promise.all([
      inDir([
        'verify',
        '--bundle',
        'checksums.txt.bundle',
        '--certificate',
        'checksums.txt.pem',
        'checksums.txt',
      ]),
      inDir([
        'verify',
        '--key',
        'k.pub',
        '--signature',
        'checksums.txt.sig',
        '--certificate',
        'checksums.txt.pem',
        'checksums.txt',
      ]),
      inDir([...['verify', ...detached], '--rekor-policy', 'require-set', 'checksums.txt']),
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(2);
    expect(runs[0]?.stderr).toContain('--certificate goes with --signature');
    expect(runs[1]?.stderr).toContain('give --key or --certificate, not both');
    expect(runs[2]?.stderr).toContain(
      '--insecure-ignore-tlog contradicts --rekor-policy require-set',
    );
  });
});
