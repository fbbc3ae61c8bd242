import {
  addCosignSignature,
  addTestImage,
  addTestMultiArchImage,
  buildTrustedRoot,
  createFulcioChain,
  findTool,
  OciPushClient,
  OciStore,
  type RegistryProcess,
  startTestRegistry,
  startTestTokenServer,
  TestRekorV1,
  type TestTokenServer,
  writeOciLayout,
} from '@flareo/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flareo, json, Scratch } from './helpers.js';

const scratch = new Scratch();
afterAll(() => scratch.remove());

// A private Fulcio-like CA and a Rekor v1 log in a trusted_root.json; images signed by a leaf
// whose SAN matches the seeds' rule.
const chain = createFulcioChain({ seed: 'cli-image-ca' });
const rekor = new TestRekorV1({ seed: 'cli-image-rekor' });
const signer = { certificate: chain.leaf(), chain: [chain.intermediate, chain.root] };
const trustedRoot = scratch.write('trusted_root.json', {
  ...buildTrustedRoot({ certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }] }),
  tlogs: [rekor.transparencyLogInstance()],
});
const identity = [
  '--certificate-identity-regexp',
  '^https://github\\.com/flareo/.+$',
  '--certificate-oidc-issuer',
  'https://token.actions.githubusercontent.com',
];
const trusted = ['--trust-root', trustedRoot, ...identity];

const signed = new OciStore();
const image = addTestImage(signed, { seed: 'cli-image', tag: 'v1' });
addCosignSignature(signed, {
  imageDigest: image.digest,
  signer,
  rekor,
  optional: { module: 'demo' },
});
const unsigned = new OciStore();
addTestImage(unsigned, { seed: 'cli-unsigned', tag: 'v1' });
const multi = new OciStore();
const { index } = addTestMultiArchImage(multi, { seed: 'cli-multi', tag: 'v1' });
addCosignSignature(multi, { imageDigest: index.digest, signer, rekor });

const signedDir = scratch.path('signed');
const unsignedDir = scratch.path('unsigned');
const multiDir = scratch.path('multi');
beforeAll(async () => {
  await writeOciLayout(signed, signedDir);
  await writeOciLayout(unsigned, unsignedDir);
  await writeOciLayout(multi, multiDir);
});

describe('flareo verify-image (OCI layout, offline)', () => {
  it('verifies a signed layout and says who signed it', async () => {
    const r = await flareo(['verify-image', signedDir, ...trusted]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✓ Verified OK');
    expect(r.stdout).toContain(`image ${image.digest}: 1 of 1 signature(s) verified`);
    expect(r.stdout).toContain('https://github.com/flareo/demo/.github/workflows/release.yml');
  });

  it('takes cosign verify’s flags: --trusted-root, -o json, workflow claims, --certificate-chain', async () => {
    const chainPem = scratch.write('image-chain.pem', `${chain.intermediate.pem}${chain.root.pem}`);
    const [named, claim, wrongClaim, byChain] = await Promise.all([
      flareo(['verify-image', signedDir, '--trusted-root', trustedRoot, ...identity, '-o', 'json']),
      flareo([
        'verify-image',
        signedDir,
        ...trusted,
        '--certificate-github-workflow-repository',
        'flareo/demo',
        '--offline',
      ]),
      flareo([
        'verify-image',
        signedDir,
        ...trusted,
        '--certificate-github-workflow-repository',
        'acme/other',
      ]),
      flareo([
        'verify-image',
        signedDir,
        '--certificate-chain',
        chainPem,
        '--rekor-key',
        scratch.write('image-rekor.pub', rekor.publicKeyPem),
        ...identity,
      ]),
    ]);
    expect(named.code, named.stderr).toBe(0);
    expect(JSON.parse(named.stdout)).toMatchObject({ verified: true });
    expect(claim.code, claim.stderr).toBe(0);
    expect(wrongClaim.code).toBe(1);
    expect(wrongClaim.stdout + wrongClaim.stderr).toContain('githubWorkflowRepository');
    expect(byChain.code, byChain.stderr).toBe(0);
  });

  it('--json has the digest and every signature', async () => {
    const r = await flareo(['verify-image', `oci:${signedDir}:v1`, ...trusted, '--json']);
    expect(r.code).toBe(0);
    const out = json(r) as {
      verified: boolean;
      digest: string;
      result: { signatures: { verified: boolean; kind: string; claims: unknown }[] };
    };
    expect(out.verified).toBe(true);
    expect(out.digest).toBe(image.digest);
    expect(out.result.signatures).toMatchObject([
      { verified: true, kind: 'cosign', claims: { optional: { module: 'demo' } } },
    ]);
  });

  it('selects a layout image by digest', async () => {
    const r = await flareo(['verify-image', `oci:${signedDir}@${image.digest}`, ...trusted]);
    expect(r.code).toBe(0);
  });

  it('required annotations: -a key=value', async () => {
    expect((await flareo(['verify-image', signedDir, ...trusted, '-a', 'module=demo'])).code).toBe(
      0,
    );
    const r = await flareo(['verify-image', signedDir, ...trusted, '-a', 'module=other']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('NO_VERIFIED_SIGNATURE');
    expect(r.stderr).toContain('ANNOTATION_MISMATCH');
  });

  it('wrong identity: exit 1 with the reason per signature', async () => {
    const r = await flareo([
      'verify-image',
      signedDir,
      '--trust-root',
      trustedRoot,
      '--certificate-identity-regexp',
      'https://github.com/someone-else/.+',
      '--certificate-oidc-issuer',
      'https://token.actions.githubusercontent.com',
      '--json',
    ]);
    expect(r.code).toBe(1);
    const out = json(r) as { error: { code: string }; result: { signatures: { code: string }[] } };
    expect(out.error.code).toBe('NO_VERIFIED_SIGNATURE');
    expect(out.result.signatures.map((s) => s.code)).toEqual(['IDENTITY_MISMATCH']);
  });

  it('untrusted signer: another CA trusted (PEM + --rekor-key): exit 1 UNTRUSTED_SIGNER', async () => {
    const other = createFulcioChain({ seed: 'cli-image-other-ca' });
    const otherPem = scratch.write('other-ca.pem', `${other.intermediate.pem}\n${other.root.pem}`);
    const rekorPub = scratch.write('rekor.pub', rekor.publicKeyPem);
    const r = await flareo([
      'verify-image',
      signedDir,
      '--trust-root',
      otherPem,
      '--rekor-key',
      rekorPub,
      ...identity,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('UNTRUSTED_SIGNER');
    expect(r.stderr).toContain('hint:');
  });

  it('public-good root only: the private log is untrusted (TLOG_UNTRUSTED)', async () => {
    const r = await flareo(['verify-image', signedDir, ...identity]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('TLOG_UNTRUSTED');
  });

  it('public-good root without the expected signer: exit 2 USAGE before reading the image', async () => {
    const [noIssuer, none] = await Promise.all([
      flareo(['verify-image', signedDir, ...identity.slice(0, 2)]),
      flareo(['verify-image', signedDir]),
    ]);
    for (const r of [noIssuer, none]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('needs the expected signer');
      expect(r.stderr).toContain('--certificate-oidc-issuer');
    }
  });

  it('private trust root without identity flags: verified, with a warning', async () => {
    const r = await flareo(['verify-image', signedDir, '--trust-root', trustedRoot]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('any signer the trust root vouches for is accepted');
  });

  it('unsigned image: exit 1 NO_SIGNATURES', async () => {
    const r = await flareo(['verify-image', unsignedDir, ...trusted]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('NO_SIGNATURES');
  });

  it('multi-arch: the index verifies; --all-platforms requires every platform', async () => {
    expect((await flareo(['verify-image', multiDir, ...trusted])).code).toBe(0);
    const r = await flareo(['verify-image', multiDir, ...trusted, '--all-platforms']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('platform linux/amd64');
    expect(r.stderr).toContain('NO_SIGNATURES');
  });

  const usage = [
    { name: 'public-good root without identity', args: [signedDir], code: 'USAGE' },
    { name: 'bad annotation flag', args: [signedDir, ...trusted, '-a', 'novalue'], code: 'USAGE' },
    {
      name: 'invalid image reference',
      args: ['Not/A/Valid:Ref:x', ...trusted],
      code: 'REFERENCE_INVALID',
    },
    {
      name: 'missing layout directory',
      args: [`oci:${scratch.path('nowhere')}`, ...trusted],
      code: 'LAYOUT_INVALID',
    },
    {
      name: 'unknown ref name in a layout',
      args: [`oci:${signedDir}:v9`, ...trusted],
      code: 'IMAGE_NOT_FOUND',
    },
    {
      name: 'plain HTTP to a non-loopback registry',
      args: ['--allow-http', 'registry.example.com/a/b:v1', ...trusted],
      code: 'ARGUMENT_INVALID',
    },
  ];
  it.each(usage)('exit 2: $name ($code)', async ({ args, code }) => {
    const r = await flareo(['verify-image', ...args, '--json']);
    expect(r.code).toBe(2);
    expect((json(r) as { error: { code: string } }).error.code).toBe(code);
  });
});

const registryBinary = findTool('docker-registry');

describe.skipIf(!registryBinary)('flareo verify-image (registry)', () => {
  let registry: RegistryProcess;
  beforeAll(async () => {
    registry = await startTestRegistry(registryBinary as string);
    const push = new OciPushClient({ baseUrl: registry.url });
    await push.pushStore('modules/demo', signed);
    await push.pushStore('modules/unsigned', unsigned);
    await push.pushStore('flareo/demo', signed);
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('seed 000’s cosign verify command, verbatim as flareo verify-image', async () => {
    // cosign verify --certificate-identity-regexp 'https://github.com/flareo/.+' \
    //   --certificate-oidc-issuer 'https://token.actions.githubusercontent.com' \
    //   public.ecr.aws/flareo/<module>@sha256:<digest>
    // with the loopback registry in place of public.ecr.aws (hence --allow-http) and the test
    // kit's trusted root in place of the public-good one.
    const seed = [
      'verify',
      '--certificate-identity-regexp',
      'https://github.com/flareo/.+',
      '--certificate-oidc-issuer',
      'https://token.actions.githubusercontent.com',
      `${registry.host}/flareo/demo@${image.digest}`,
    ];
    const r = await flareo([
      ...seed.map((a) => (a === 'verify' ? 'verify-image' : a)),
      '--allow-http',
      '--trusted-root',
      trustedRoot,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('✓ Verified OK');
    expect(r.stdout).toContain(`image ${image.digest}: 1 of 1 signature(s) verified`);
    expect(r.stderr.match(/^warning:/gm)).toHaveLength(1);
    expect(r.stderr).toContain('"^.*https://github.com/flareo/.+.*$"');
  });

  it('verifies an image pushed to a loopback registry', async () => {
    const r = await flareo([
      'verify-image',
      '--allow-http',
      `${registry.host}/modules/demo:v1`,
      ...trusted,
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect((json(r) as { digest: string }).digest).toBe(image.digest);
  });

  it('an unsigned image in the registry: exit 1', async () => {
    const r = await flareo([
      'verify-image',
      '--allow-http',
      `${registry.host}/modules/unsigned:v1`,
      ...trusted,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('NO_SIGNATURES');
  });

  it('an unknown image: exit 2 IMAGE_NOT_FOUND', async () => {
    const r = await flareo([
      'verify-image',
      '--allow-http',
      `${registry.host}/modules/none:v1`,
      ...trusted,
      '--json',
    ]);
    expect(r.code).toBe(2);
    expect((json(r) as { error: { code: string } }).error.code).toBe('IMAGE_NOT_FOUND');
  });
});

describe.skipIf(!registryBinary)('flareo verify-image (token-protected registry)', () => {
  let registry: RegistryProcess;
  let tokens: TestTokenServer;
  const credentials = { username: 'ci', password: 'cli-secret' };
  beforeAll(async () => {
    tokens = await startTestTokenServer({ credentials, anonymousPull: false });
    registry = await startTestRegistry(registryBinary as string, {
      tokenAuth: {
        realm: tokens.realm,
        service: tokens.service,
        issuer: tokens.issuer,
        certificatePem: tokens.certificate.pem,
      },
    });
    const push = tokens.mint([{ name: 'modules/private', actions: ['pull', 'push'] }]);
    await new OciPushClient({
      baseUrl: registry.url,
      headers: { authorization: `Bearer ${push}` },
    }).pushStore('modules/private', signed);
  });
  afterAll(async () => {
    await registry?.stop();
    await tokens?.close();
  });

  const ref = () => `${registry.host}/modules/private:v1`;

  it('--registry-username with the password from FLAREO_REGISTRY_PASSWORD', async () => {
    const r = await flareo(
      ['verify-image', '--allow-http', '--registry-username', 'ci', ref(), ...trusted],
      { env: { FLAREO_REGISTRY_PASSWORD: credentials.password } },
    );
    expect(r.code).toBe(0);
    expect(tokens.requests.at(-1)?.authenticated).toBe(true);
  });

  it('anonymous: exit 2 AUTH_FAILED', async () => {
    const r = await flareo(['verify-image', '--allow-http', ref(), ...trusted, '--json']);
    expect(r.code).toBe(2);
    expect((json(r) as { error: { code: string } }).error.code).toBe('AUTH_FAILED');
  });

  it('--registry-username without a password in the environment: exit 2 USAGE', async () => {
    const r = await flareo(
      ['verify-image', '--allow-http', '--registry-username', 'ci', ref(), ...trusted, '--json'],
      { env: { FLAREO_REGISTRY_PASSWORD: '' } },
    );
    expect(r.code).toBe(2);
    expect((json(r) as { error: { code: string } }).error.code).toBe('USAGE');
  });
});
