import { readFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { ImageVerifyError } from '@flareo/image-verify';
import {
  addBundleReferrer,
  addCosignSignature,
  addTestImage,
  findTool,
  type OciDescriptor,
  OciPushClient,
  OciStore,
  type RegistryProcess,
  startTestRegistry,
  startTestTokenServer,
  type TestTokenServer,
} from '@flareo/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import type { CatalogErrorCode } from '../src/errors.js';
import {
  type FoundSignature,
  loaderError,
  recheckModule,
  registryAuthFromEnv,
  registrySignatureSource,
} from '../src/registry.js';
import { createSeedKit, SAMPLE_ISSUER, type SeedKit, writeModuleDir } from '../src/seed.js';
import { startCatalogServer } from '../src/server.js';
import { CatalogStore, identityFor, initDataDir } from '../src/store.js';
import {
  extraSpec,
  NOW,
  now,
  rejects,
  storedFilePath,
  storedFilePaths,
  storedState,
  tempDir,
} from './support.js';

const registryBinary = findTool('docker-registry');

function capture(env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env },
    out,
    err,
  };
}

const dec = (bytes: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(bytes));
const VERSION = extraSpec().version;
const workflowOf = (slug: string) =>
  `https://github.com/flareo/${slug}/.github/workflows/release.yml@refs/tags/v${VERSION}`;

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('registry helpers', () => {
  it.each([
    [{}, undefined],
    [{ FLAREO_REGISTRY_TOKEN: 't0k' }, { token: 't0k' }],
    [
      { FLAREO_REGISTRY_USERNAME: 'ci', FLAREO_REGISTRY_PASSWORD: 'pw' },
      { username: 'ci', password: 'pw' },
    ],
  ])('registryAuthFromEnv(%j) = %j', (env, auth) => {
    expect(registryAuthFromEnv(env)).toEqual(auth);
  });

  it.each([
    [{ FLAREO_REGISTRY_USERNAME: 'ci' }],
    [{ FLAREO_REGISTRY_PASSWORD: 'pw' }],
    [{ FLAREO_REGISTRY_TOKEN: 't', FLAREO_REGISTRY_USERNAME: 'ci' }],
  ])('registryAuthFromEnv(%j) is ARGUMENT_INVALID', async (env) => {
    await rejects(async () => registryAuthFromEnv(env), 'ARGUMENT_INVALID');
  });

  it.each([
    ['REGISTRY_ERROR', 'REGISTRY_UNAVAILABLE'],
    ['AUTH_FAILED', 'REGISTRY_UNAVAILABLE'],
    ['IMAGE_NOT_FOUND', 'REGISTRY_UNAVAILABLE'],
    ['REFERENCE_INVALID', 'MODULE_FILE_INVALID'],
    ['ARGUMENT_INVALID', 'ARGUMENT_INVALID'],
    ['MANIFEST_INVALID', 'SIGNATURE_REJECTED'],
    ['LIMIT_EXCEEDED', 'SIGNATURE_REJECTED'],
  ] as const)('a loader %s is %s with the code as reason', (code, catalogCode) => {
    const error = loaderError(new ImageVerifyError(code, 'x'), 'demo', 'r/demo@sha256:00');
    expect(error.code).toBe(catalogCode);
    expect(error.detail.reason).toBe(code);
    expect(error.detail.slug).toBe('demo');
  });

  it('an unexpected loader failure is REGISTRY_UNAVAILABLE', () => {
    const error = loaderError(new TypeError('fetch failed'), 'demo', 'r/demo@sha256:00');
    expect(error.code).toBe('REGISTRY_UNAVAILABLE');
    expect(error.message).toContain('fetch failed');
  });
});

// Debian's docker-registry (distribution 2.8): no referrers API, so bundle referrers are found
// through the sha256-<hex> tag-schema fallback, as `cosign` writes them for such registries.
describe.skipIf(!registryBinary)('catalog ingest from a real docker-registry', () => {
  let registry: RegistryProcess;
  let push: OciPushClient;
  let data: { dir: string; remove: () => Promise<void> };
  let work: { dir: string; remove: () => Promise<void> };
  let kit: SeedKit;
  let store: CatalogStore;

  beforeAll(async () => {
    registry = await startTestRegistry(registryBinary as string);
    push = new OciPushClient({ baseUrl: registry.url });
    kit = createSeedKit({ now: NOW });
    data = await tempDir('flareo-catalog-registry-');
    work = await tempDir('flareo-catalog-registry-modules-');
    await initDataDir(data.dir, { config: kit.config, trustedRoot: kit.trustedRoot });
    store = await CatalogStore.open(data.dir, {
      now,
      signatureSource: registrySignatureSource({ plainHttp: true }),
    });
  });
  afterAll(async () => {
    await registry?.stop();
    await data?.remove();
    await work?.remove();
  });

  const imageName = (slug: string) => `${registry.host}/flareo/${slug}`;

  /** A real image in an OCI store, and the exact bytes of its manifest. */
  function image(slug: string, seed = `catalog-${slug}`) {
    const oci = new OciStore();
    const descriptor = addTestImage(oci, { seed, tag: `v${VERSION}` });
    const manifest = oci.blobs.get(descriptor.digest)?.bytes as Uint8Array;
    return { oci, descriptor, manifest };
  }

  /** The module's files, minted for that image (its bundle signs the manifest digest). */
  const mint = (slug: string, manifest: Uint8Array, identity?: string) =>
    kit.mintModule(extraSpec({ slug, ...(identity === undefined ? {} : { identity }) }), {
      artifact: manifest,
      image: imageName(slug),
    });

  /** A legacy cosign `.sig` signature by `identity` (default the module's workflow). */
  function cosignSign(oci: OciStore, subject: OciDescriptor, slug: string, identity?: string) {
    const certificate = kit.chain.leaf({
      seed: `cosign:${slug}:${identity ?? ''}`,
      notBefore: new Date(NOW.getTime() - 2 * 3_600_000),
      san: { uri: [identity ?? workflowOf(slug)] },
      oidcIssuer: SAMPLE_ISSUER,
    });
    addCosignSignature(oci, {
      imageDigest: subject.digest,
      signer: { certificate, chain: [kit.chain.intermediate, kit.chain.root] },
      rekor: kit.rekor,
    });
  }

  /** Write the module directory without `signature.sigstore.json` (the registry has it). */
  async function moduleDir(slug: string, files: Map<string, Uint8Array>): Promise<string> {
    const dir = join(work.dir, slug);
    const copy = new Map(files);
    copy.delete('signature.sigstore.json');
    await writeModuleDir(dir, copy);
    return dir;
  }

  it('ingests from the registry, stores the referrer bundle, serves it after a restart, rechecks', async () => {
    const slug = 'registry-app';
    const { oci, descriptor, manifest } = image(slug);
    const files = mint(slug, manifest);
    const bundle = dec(files.get('signature.sigstore.json'));
    addBundleReferrer(oci, { subject: descriptor, bundle });
    cosignSign(oci, descriptor, slug);
    await push.pushStore(`flareo/${slug}`, oci);
    const dir = await moduleDir(slug, files);

    const ingest = capture();
    const code = (
      await runCli(
        ['ingest', '--from-registry', '--allow-http', '--data-dir', data.dir, dir],
        ingest.io,
      )
    ).code;
    expect(ingest.out.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ ingested: slug, digest: descriptor.digest }),
    ]);
    expect(code).toBe(0);
    const stored = JSON.parse(
      await readFile(storedFilePath(data.dir, slug, 'signature.sigstore.json'), 'utf8'),
    );
    expect(stored).toEqual(bundle);
    const storedManifest = JSON.parse(
      await readFile(storedFilePath(data.dir, slug, 'module.json'), 'utf8'),
    );
    expect(storedManifest).toMatchObject({ image: imageName(slug), digest: descriptor.digest });
    expect(storedManifest.artifact).toBeUndefined();

    // Restart: a new store re-verifies the stored bundle over the digest, with no registry.
    const reopened = await CatalogStore.open(data.dir, { now });
    expect([...reopened.quarantined.keys()]).toEqual([]);
    const entry = reopened.get(slug);
    expect(entry.module.signature.identity).toBe(workflowOf(slug));
    const server = await startCatalogServer({ store: reopened, port: 0, logger: false });
    try {
      const response = await fetch(`${server.url}/api/v1/modules/${slug}/attestations`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { digest: string; signature: { bundle: unknown } };
      expect(body.digest).toBe(descriptor.digest);
      expect(body.signature.bundle).toEqual(bundle);
    } finally {
      await server.close();
    }

    const recheck = capture();
    expect(
      (await runCli(['recheck', '--allow-http', '--data-dir', data.dir, slug], recheck.io)).code,
    ).toBe(0);
    const line = JSON.parse(recheck.out[0] as string) as {
      slug: string;
      verified: boolean;
      signatures: FoundSignature[];
    };
    expect(line).toMatchObject({
      slug,
      image: `${imageName(slug)}@${descriptor.digest}`,
      verified: true,
    });
    expect(line.signatures.map((s) => [s.kind, s.via, s.verified, s.identity])).toEqual([
      ['cosign', 'signature-tag', true, workflowOf(slug)],
      ['bundle', 'referrers-tag', true, workflowOf(slug)],
    ]);
  });

  it('ingests an image signed only the cosign way (.sig), stores and serves what was verified, and says so', async () => {
    const slug = 'cosign-only';
    const { oci, descriptor, manifest } = image(slug);
    cosignSign(oci, descriptor, slug);
    await push.pushStore(`flareo/${slug}`, oci);
    const files = mint(slug, manifest);
    const dir = await moduleDir(slug, files);

    const ingest = capture();
    expect(
      (
        await runCli(
          ['ingest', '--from-registry', '--allow-http', '--data-dir', data.dir, dir],
          ingest.io,
        )
      ).code,
    ).toBe(0);
    expect(JSON.parse(ingest.out[0] as string)).toMatchObject({
      ingested: slug,
      digest: descriptor.digest,
    });
    const storedPaths = storedFilePaths(data.dir, slug);
    expect(storedPaths.has('signature.sigstore.json')).toBe(false);
    const record = JSON.parse(
      await readFile(storedFilePath(data.dir, slug, 'signature.cosign.json'), 'utf8'),
    );
    expect(record).toMatchObject({
      mediaType: 'application/vnd.flareo.catalog.cosign-signature.v1+json',
      image: `${imageName(slug)}@${descriptor.digest}`,
      origin: { via: 'signature-tag', layer: 0 },
    });
    // What was verified: the simple-signing payload naming the digest, and the layer's
    // signature, certificate, chain and Rekor bundle annotations.
    const payload = JSON.parse(Buffer.from(record.payload, 'base64').toString('utf8'));
    expect(payload.critical.image['docker-manifest-digest']).toBe(descriptor.digest);
    expect(payload.critical.type).toBe('cosign container image signature');
    expect(Object.keys(record.annotations).sort()).toEqual(
      expect.arrayContaining([
        'dev.cosignproject.cosign/signature',
        'dev.sigstore.cosign/bundle',
        'dev.sigstore.cosign/certificate',
        'dev.sigstore.cosign/chain',
      ]),
    );

    // Restart with no registry: the stored record is verified again, offline, and served.
    const reopened = await CatalogStore.open(data.dir, { now });
    expect(reopened.quarantined.has(slug)).toBe(false);
    expect(reopened.get(slug).module.signature).toMatchObject({
      format: 'cosign-signature',
      identity: workflowOf(slug),
      issuer: SAMPLE_ISSUER,
    });
    const server = await startCatalogServer({ store: reopened, port: 0, logger: false });
    try {
      const detail = (await (await fetch(`${server.url}/api/v1/modules/${slug}`)).json()) as {
        signature: {
          format: string;
          formatLabel: string;
          rekor: { logIndex: string; uuid: string };
        };
      };
      expect(detail.signature.format).toBe('cosign-signature');
      expect(detail.signature.formatLabel).toContain('cosign');
      expect(detail.signature.rekor.uuid).toMatch(/^[0-9a-f]{64}$/);
      const att = (await (
        await fetch(`${server.url}/api/v1/modules/${slug}/attestations`)
      ).json()) as {
        signature: { format: string; cosign: unknown; bundle?: unknown };
      };
      expect(att.signature.format).toBe('cosign-signature');
      expect(att.signature.cosign).toEqual(record);
      expect(att.signature.bundle).toBeUndefined();
      const served = await fetch(
        `${server.url}/api/v1/modules/${slug}/attestations/signature.cosign.json`,
      );
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await served.json()).toEqual(record);
      const noBundle = await fetch(
        `${server.url}/api/v1/modules/${slug}/attestations/signature.sigstore.json`,
      );
      expect(noBundle.status).toBe(404);
      expect(((await noBundle.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    } finally {
      await server.close();
    }

    // A stored record altered no longer verifies: the module is refused (here the module's
    // files are copied into a catalog made before the database, which imports them).
    const altered = structuredClone(record);
    altered.payload = Buffer.from(
      JSON.stringify({ ...payload, optional: { tampered: 'yes' } }),
    ).toString('base64');
    const copy = await tempDir('flareo-catalog-cosign-altered-');
    try {
      await initDataDir(copy.dir, { config: kit.config, trustedRoot: kit.trustedRoot });
      const { cp, writeFile } = await import('node:fs/promises');
      const { mkdir } = await import('node:fs/promises');
      for (const [rel, path] of storedPaths) {
        await mkdir(dirname(join(copy.dir, 'modules', slug, rel)), { recursive: true });
        await cp(path, join(copy.dir, 'modules', slug, rel));
      }
      await writeFile(
        join(copy.dir, 'modules', slug, 'signature.cosign.json'),
        JSON.stringify(altered),
      );
      const tampered = await CatalogStore.open(copy.dir, { now });
      expect(tampered.quarantined.get(slug)?.code).toBe('SIGNATURE_REJECTED');
    } finally {
      await copy.remove();
    }
  });

  it('recheck exits 1 with the code once the registry signatures are replaced by another identity', async () => {
    const slug = 'registry-app';
    const { oci, descriptor, manifest } = image(slug); // the same image, a fresh store
    const intruder = workflowOf('vaultwarden');
    addBundleReferrer(oci, {
      subject: descriptor,
      bundle: dec(mint(slug, manifest, intruder).get('signature.sigstore.json')),
    });
    cosignSign(oci, descriptor, slug, intruder);
    await push.pushStore(`flareo/${slug}`, oci); // overwrites the .sig and fallback tags

    const recheck = capture();
    expect(
      (await runCli(['recheck', '--allow-http', '--data-dir', data.dir, slug], recheck.io)).code,
    ).toBe(1);
    const lines = recheck.out.map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ slug, verified: false });
    expect(
      (lines[0].signatures as FoundSignature[]).map((s) => [s.kind, s.verified, s.code]),
    ).toEqual([
      ['cosign', false, 'IDENTITY_MISMATCH'],
      ['bundle', false, 'IDENTITY_MISMATCH'],
    ]);
  });

  const rejections: {
    name: string;
    slug: string;
    publish: (slug: string) => Promise<{ files: Map<string, Uint8Array>; image?: string }>;
    code: CatalogErrorCode;
    reason: string;
    signatures?: string[];
    message?: string;
  }[] = [
    {
      name: 'an image with no signatures',
      slug: 'unsigned',
      publish: async (slug) => {
        const { oci, manifest } = image(slug);
        await push.pushStore(`flareo/${slug}`, oci);
        return { files: mint(slug, manifest) };
      },
      code: 'SIGNATURE_REJECTED',
      reason: 'NO_SIGNATURES',
    },
    {
      name: "only a cosign signature, by another slug's workflow",
      slug: 'cosign-other',
      publish: async (slug) => {
        const { oci, descriptor, manifest } = image(slug);
        cosignSign(oci, descriptor, slug, workflowOf('gitea'));
        await push.pushStore(`flareo/${slug}`, oci);
        return { files: mint(slug, manifest) };
      },
      code: 'SIGNATURE_REJECTED',
      reason: 'NO_VERIFIED_SIGNATURE',
      signatures: ['cosign:IDENTITY_MISMATCH'],
    },
    {
      name: "a bundle signed by another slug's workflow",
      slug: 'other-identity',
      publish: async (slug) => {
        const { oci, descriptor, manifest } = image(slug);
        const files = mint(slug, manifest, workflowOf('gitea'));
        addBundleReferrer(oci, {
          subject: descriptor,
          bundle: dec(files.get('signature.sigstore.json')),
        });
        await push.pushStore(`flareo/${slug}`, oci);
        return { files };
      },
      code: 'SIGNATURE_REJECTED',
      reason: 'NO_VERIFIED_SIGNATURE',
      signatures: ['bundle:IDENTITY_MISMATCH'],
    },
    {
      name: 'a bundle over another digest',
      slug: 'other-digest',
      publish: async (slug) => {
        const { oci, descriptor, manifest } = image(slug);
        const elsewhere = image(slug, 'another-image');
        addBundleReferrer(oci, {
          subject: descriptor,
          bundle: dec(mint(slug, elsewhere.manifest).get('signature.sigstore.json')),
        });
        await push.pushStore(`flareo/${slug}`, oci);
        return { files: mint(slug, manifest) };
      },
      code: 'SIGNATURE_REJECTED',
      reason: 'NO_VERIFIED_SIGNATURE',
      signatures: ['bundle:DIGEST_MISMATCH'],
    },
    {
      name: 'an image the registry does not have',
      slug: 'not-pushed',
      publish: async (slug) => ({ files: mint(slug, image(slug).manifest) }),
      code: 'REGISTRY_UNAVAILABLE',
      reason: 'IMAGE_NOT_FOUND',
    },
    {
      name: 'a registry that is down',
      slug: 'registry-down',
      publish: async (slug) => {
        const host = `127.0.0.1:${await closedPort()}`;
        return {
          files: kit.mintModule(extraSpec({ slug }), {
            artifact: image(slug).manifest,
            image: `${host}/flareo/${slug}`,
          }),
        };
      },
      code: 'REGISTRY_UNAVAILABLE',
      reason: 'REGISTRY_ERROR',
    },
    {
      name: 'plain HTTP to a registry that is not loopback',
      slug: 'remote-http',
      publish: async (slug) => ({
        files: kit.mintModule(extraSpec({ slug }), {
          artifact: image(slug).manifest,
          image: `registry.flareo.test/flareo/${slug}`,
        }),
      }),
      code: 'ARGUMENT_INVALID',
      reason: 'ARGUMENT_INVALID',
    },
  ];

  it.each(rejections)(
    'refuses $name ($code $reason) and stores nothing',
    async ({ slug, publish, code, reason, signatures, message }) => {
      const { files } = await publish(slug);
      const dir = await moduleDir(slug, files);
      const error = await rejects(() => store.ingest(dir), code);
      expect(error.detail.reason).toBe(reason);
      expect(error.detail.slug).toBe(slug);
      if (signatures) {
        expect(
          (error.detail.actual as FoundSignature[]).map(
            (s) => `${s.kind}:${s.verified ? 'VERIFIED' : s.code}`,
          ),
        ).toEqual(signatures);
      }
      if (message) expect(error.message).toContain(message);
      const state = await storedState(data.dir);
      expect(state.modules).not.toContain(slug);
      expect(state.staging).toEqual([]);
      await rejects(async () => store.get(slug), 'MODULE_NOT_FOUND');
    },
  );

  it('the CLI reports a registry refusal per module and exits 1', async () => {
    const slug = 'cli-refused';
    const dir = await moduleDir(slug, mint(slug, image(slug).manifest));
    const c = capture();
    expect(
      (
        await runCli(
          ['ingest', '--from-registry', '--allow-http', '--data-dir', data.dir, dir],
          c.io,
        )
      ).code,
    ).toBe(1);
    expect(JSON.parse(c.out[0] as string)).toMatchObject({
      refused: dir,
      code: 'REGISTRY_UNAVAILABLE',
      reason: 'IMAGE_NOT_FOUND',
    });
    expect((await storedState(data.dir)).modules).not.toContain(slug);
  });

  it('recheck reports an unknown slug and an unreachable registry', async () => {
    const c = capture();
    expect(
      (await runCli(['recheck', '--allow-http', '--data-dir', data.dir, 'nope', 'Bad_Slug'], c.io))
        .code,
    ).toBe(1);
    expect(c.out.map((l) => JSON.parse(l).code)).toEqual(['MODULE_NOT_FOUND', 'SLUG_INVALID']);

    const down = await recheckModule(
      {
        slug: 'x',
        manifest: {
          image: `127.0.0.1:${await closedPort()}/flareo/x`,
          digest: `sha256:${'0'.repeat(64)}`,
        },
      },
      { trustRoot: store.trustRoot, identity: identityFor(store.config, 'x') },
      { plainHttp: true },
    );
    expect(down).toMatchObject({
      verified: false,
      signatures: [],
      error: { code: 'REGISTRY_UNAVAILABLE', reason: 'REGISTRY_ERROR' },
    });
  });

  it('an identity policy that does not compile is CONFIG_INVALID', async () => {
    const slug = 'registry-app';
    const module = {
      slug,
      manifest: { image: imageName(slug), digest: image(slug).descriptor.digest },
    };
    const report = await recheckModule(
      module,
      { trustRoot: store.trustRoot, identity: { subjectAlternativeName: { regexp: '(' } } },
      { plainHttp: true },
    );
    expect(report).toMatchObject({ verified: false, error: { code: 'CONFIG_INVALID' } });
  });

  it('the registry source needs the catalog trust root (CONFIG_INVALID)', async () => {
    const slug = 'registry-app';
    const module = { manifest: { image: imageName(slug), digest: image(slug).descriptor.digest } };
    await rejects(
      async () =>
        registrySignatureSource({ plainHttp: true }).verify({
          slug,
          manifest: { ...extraSpec(), ...module.manifest, slug, builtAt: NOW.toISOString() },
          source: { files: new Map() },
          artifact: { digest: module.manifest.digest },
          verifier: undefined as never,
          identity: identityFor(store.config, slug),
        }),
      'CONFIG_INVALID',
    );
  });
});

describe('registry CLI arguments', () => {
  it.each([[['ingest', '--allow-http', '/tmp/x']], [['recheck', '--from-registry']]])(
    '%j exits 2 with ARGUMENT_INVALID',
    async (args) => {
      const tmp = await tempDir();
      try {
        const c = capture({ FLAREO_CATALOG_DATA_DIR: tmp.dir });
        expect((await runCli(args, c.io)).code).toBe(2);
        expect(JSON.parse(c.err.at(-1) as string).error.code).toBe('ARGUMENT_INVALID');
      } finally {
        await tmp.remove();
      }
    },
  );

  it('half a credential pair in the environment exits 2 before anything is read', async () => {
    const tmp = await tempDir();
    try {
      const c = capture({ FLAREO_CATALOG_DATA_DIR: tmp.dir, FLAREO_REGISTRY_USERNAME: 'ci' });
      expect((await runCli(['recheck'], c.io)).code).toBe(2);
      expect(JSON.parse(c.err.at(-1) as string).error.code).toBe('ARGUMENT_INVALID');
    } finally {
      await tmp.remove();
    }
  });
});

// The real registry behind token auth (`auth.token`) with no anonymous pulls: the credentials
// from the environment are what lets ingest and recheck read it.
describe.skipIf(!registryBinary)('catalog against a token-protected docker-registry', () => {
  const credentials = { username: 'ci', password: 'pull-and-push' };
  const slug = 'private-app';
  let tokens: TestTokenServer;
  let registry: RegistryProcess;
  let data: { dir: string; remove: () => Promise<void> };
  let work: { dir: string; remove: () => Promise<void> };
  let dir: string;
  const kit = createSeedKit({ now: NOW });

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
    data = await tempDir('flareo-catalog-private-');
    work = await tempDir('flareo-catalog-private-modules-');
    await initDataDir(data.dir, { config: kit.config, trustedRoot: kit.trustedRoot });

    const oci = new OciStore();
    const descriptor = addTestImage(oci, { seed: `catalog-${slug}`, tag: 'v1' });
    const files = kit.mintModule(extraSpec({ slug }), {
      artifact: oci.blobs.get(descriptor.digest)?.bytes as Uint8Array,
      image: `${registry.host}/flareo/${slug}`,
    });
    addBundleReferrer(oci, {
      subject: descriptor,
      bundle: dec(files.get('signature.sigstore.json')),
    });
    const push = tokens.mint([{ name: `flareo/${slug}`, actions: ['pull', 'push'] }]);
    await new OciPushClient({
      baseUrl: registry.url,
      headers: { authorization: `Bearer ${push}` },
    }).pushStore(`flareo/${slug}`, oci);
    // A signature file in the module directory is ignored by --from-registry: this one is junk.
    files.set('signature.sigstore.json', new TextEncoder().encode('not a bundle'));
    dir = join(work.dir, slug);
    await writeModuleDir(dir, files);
  });
  afterAll(async () => {
    await registry?.stop();
    await tokens?.close();
    await data?.remove();
    await work?.remove();
  });

  const ingest = async (env: Record<string, string>) => {
    const c = capture({ ...env, FLAREO_CATALOG_DATA_DIR: data.dir });
    const { code } = await runCli(['ingest', '--from-registry', '--allow-http', dir], c.io);
    return { code, lines: c.out.map((l) => JSON.parse(l)) };
  };

  it.each([
    ['no credentials', {}],
    ['a wrong password', { FLAREO_REGISTRY_USERNAME: 'ci', FLAREO_REGISTRY_PASSWORD: 'guess' }],
  ])('%s: REGISTRY_UNAVAILABLE (AUTH_FAILED), nothing stored', async (_name, env) => {
    const { code, lines } = await ingest(env);
    expect(code).toBe(1);
    expect(lines).toEqual([
      expect.objectContaining({
        refused: dir,
        code: 'REGISTRY_UNAVAILABLE',
        reason: 'AUTH_FAILED',
      }),
    ]);
    expect((await storedState(data.dir)).modules).toEqual([]);
  });

  it('username and password from the environment: ingested; a token rechecks it', async () => {
    const { code, lines } = await ingest({
      FLAREO_REGISTRY_USERNAME: credentials.username,
      FLAREO_REGISTRY_PASSWORD: credentials.password,
    });
    expect(lines).toEqual([expect.objectContaining({ ingested: slug })]);
    expect(code).toBe(0);
    expect(tokens.requests.some((r) => r.authenticated)).toBe(true);

    const token = tokens.mint([{ name: `flareo/${slug}`, actions: ['pull'] }]);
    const c = capture({ FLAREO_CATALOG_DATA_DIR: data.dir, FLAREO_REGISTRY_TOKEN: token });
    expect((await runCli(['recheck', '--allow-http'], c.io)).code).toBe(0);
    const line = JSON.parse(c.out[0] as string);
    expect(line).toMatchObject({ slug, verified: true });
    expect((line.signatures as FoundSignature[]).map((s) => [s.kind, s.verified])).toEqual([
      ['bundle', true],
    ]);
  });
});
