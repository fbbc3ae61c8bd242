import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  addBundleReferrer,
  addTestImage,
  findTool,
  mintLegacyCosignBundle,
  OCI_MEDIA_TYPES,
  type OciDescriptor,
  OciPushClient,
  OciStore,
  type RegistryProcess,
  startTestRegistry,
} from '@flareo/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attestationTag,
  DSSE_ENVELOPE_MEDIA_TYPE,
  legacyBundleOfLayer,
} from '../src/attestation-tag.js';
import { runCli } from '../src/cli.js';
import { claimedPredicateType, PART_PREDICATE_TYPES } from '../src/parts.js';
import { registrySignatureSource } from '../src/registry.js';
import { createSeedKit, SAMPLE_ISSUER, type SeedKit, writeModuleDir } from '../src/seed.js';
import { startCatalogServer } from '../src/server.js';
import { CatalogStore, initDataDir } from '../src/store.js';
import { extraSpec, NOW, now, rejects, storedFilePath, storedState, tempDir } from './support.js';

// Signed parts attached to the module's image the ways cosign attaches them: Sigstore bundle
// referrers (`cosign attest --new-bundle-format`) and the layers of the `sha256-<hex>.att` tag
// (classic `cosign attest`), collected by `ingest --from-registry` and verified like the
// module directory's attestation files: the catalog's identity policy, the image digest.

const registryBinary = findTool('docker-registry');
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON documents
type Json = Record<string, any>;
type Files = Map<string, Uint8Array>;
const dec = (bytes: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(bytes)) as Json;
const VERSION = extraSpec().version;
const workflowOf = (slug: string) =>
  `https://github.com/flareo/${slug}/.github/workflows/release.yml@refs/tags/v${VERSION}`;
const PART_FILES = [
  'flareo.json',
  'sbom.cdx.json',
  'trivy.json',
  'vex/01.openvex.json',
  'vex/02.openvex.json',
];
const attestationOf = (file: string) => `attestations/${file}.sigstore.json`;

describe('the .att layer as a legacy cosign bundle', () => {
  it('puts the envelope in base64Signature and the certificate with its chain in cert', () => {
    const envelope = new TextEncoder().encode('{"payloadType":"x","payload":"","signatures":[]}');
    const bundle = legacyBundleOfLayer(envelope, {
      'dev.cosignproject.cosign/signature': '',
      'dev.sigstore.cosign/certificate': 'LEAF\n',
      'dev.sigstore.cosign/chain': 'CHAIN',
      'dev.sigstore.cosign/bundle': '{"SignedEntryTimestamp":"AA=="}',
    });
    expect(bundle).toEqual({
      base64Signature: Buffer.from(envelope).toString('base64'),
      cert: 'LEAF\nCHAIN\n',
      rekorBundle: { SignedEntryTimestamp: 'AA==' },
    });
    expect(attestationTag(`sha256:${'ab'.repeat(32)}`)).toBe(`sha256-${'ab'.repeat(32)}.att`);
  });

  it('claimedPredicateType reads both forms and nothing from junk', () => {
    const statement = { predicateType: 'https://openvex.dev/ns' };
    const envelope = {
      payloadType: 'application/vnd.in-toto+json',
      payload: Buffer.from(JSON.stringify(statement)).toString('base64'),
      signatures: [],
    };
    expect(claimedPredicateType({ dsseEnvelope: envelope })).toBe('https://openvex.dev/ns');
    expect(
      claimedPredicateType({
        base64Signature: Buffer.from(JSON.stringify(envelope)).toString('base64'),
      }),
    ).toBe('https://openvex.dev/ns');
    for (const junk of [null, 1, {}, { base64Signature: '%%' }, { dsseEnvelope: { payload: 7 } }])
      expect(claimedPredicateType(junk)).toBeUndefined();
  });
});

describe.skipIf(!registryBinary)('part attestations from a real docker-registry', () => {
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
    data = await tempDir('flareo-catalog-registry-parts-');
    work = await tempDir('flareo-catalog-registry-parts-modules-');
    // kit.config requires signed parts, like every new catalog.
    expect(kit.config.requireSignedParts).toBe(true);
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

  /**
   * An image, its module files (signed parts included, about the image digest), and the image's
   * signature attached as a bundle referrer.
   */
  function setup(slug: string, seed = `parts-${slug}`) {
    const oci = new OciStore();
    const descriptor = addTestImage(oci, { seed, tag: `v${VERSION}` });
    const manifest = oci.blobs.get(descriptor.digest)?.bytes as Uint8Array;
    const files = kit.mintModule(extraSpec({ slug }), {
      artifact: manifest,
      image: imageName(slug),
    });
    addBundleReferrer(oci, {
      subject: descriptor,
      bundle: dec(files.get('signature.sigstore.json')),
    });
    return { oci, descriptor, files };
  }

  /** Attach a part's Sigstore bundle as a referrer, the way `cosign attest --new-bundle-format` does. */
  function attachReferrer(oci: OciStore, subject: OciDescriptor, bundle: Json) {
    addBundleReferrer(oci, {
      subject,
      bundle,
      annotations: {
        'dev.sigstore.bundle.content': 'dsse-envelope',
        'dev.sigstore.bundle.predicateType': claimedPredicateType(bundle) ?? '',
      },
    });
  }

  /** The in-toto statement a minted part bundle signs. */
  const statementOf = (bundle: Json) =>
    JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as Json;

  /**
   * Attach statements as the layers of the `.att` manifest, the way classic `cosign attest`
   * does: DSSE envelope layers signed by `identity`, entered in Rekor as intoto entries, with
   * the certificate, chain and Rekor bundle in the layer annotations.
   */
  function attachAttTag(
    oci: OciStore,
    subject: OciDescriptor,
    slug: string,
    statements: readonly Json[],
    identity = workflowOf(slug),
  ) {
    const certificate = kit.chain.leaf({
      seed: `att:${slug}:${identity}`,
      notBefore: new Date(NOW.getTime() - 2 * 3_600_000),
      san: { uri: [identity] },
      oidcIssuer: SAMPLE_ISSUER,
    });
    const layers = statements.map((statement) => {
      const minted = mintLegacyCosignBundle({
        artifact: new Uint8Array(),
        dsse: { statement },
        signer: { certificate },
        rekor: kit.rekor,
        certEncoding: 'pem',
      });
      return oci.addBlob(
        DSSE_ENVELOPE_MEDIA_TYPE,
        new Uint8Array(Buffer.from(minted.base64Signature, 'base64')),
        {
          'dev.cosignproject.cosign/signature': '',
          'dev.sigstore.cosign/certificate': certificate.pem,
          'dev.sigstore.cosign/chain': kit.chain.intermediate.pem + kit.chain.root.pem,
          'dev.sigstore.cosign/bundle': JSON.stringify(minted.rekorBundle),
          predicateType: statement.predicateType,
        },
      );
    });
    const config = oci.addBlob(OCI_MEDIA_TYPES.imageConfig, new TextEncoder().encode('{}'));
    oci.addManifest(
      { schemaVersion: 2, mediaType: OCI_MEDIA_TYPES.imageManifest, config, layers },
      attestationTag(subject.digest),
    );
  }

  /** The module directory without the signature and the part attestations (the registry has them). */
  async function moduleDir(slug: string, files: Files): Promise<string> {
    const dir = join(work.dir, slug);
    const copy = new Map(files);
    copy.delete('signature.sigstore.json');
    for (const k of [...copy.keys()]) if (k.startsWith('attestations/')) copy.delete(k);
    await writeModuleDir(dir, copy);
    return dir;
  }

  it('ingests parts attached as Sigstore bundle referrers, stores them, verifies them at restart', async () => {
    const slug = 'parts-referrers';
    const { oci, descriptor, files } = setup(slug);
    for (const file of PART_FILES)
      attachReferrer(oci, descriptor, dec(files.get(attestationOf(file))));
    await push.pushStore(`flareo/${slug}`, oci);

    const out: string[] = [];
    const err: string[] = [];
    const { code } = await runCli(
      [
        'ingest',
        '--from-registry',
        '--allow-http',
        '--data-dir',
        data.dir,
        await moduleDir(slug, files),
      ],
      { out: (l) => out.push(l), err: (l) => err.push(l), env: {} },
    );
    expect(out.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ ingested: slug })]);
    expect(code).toBe(0);
    for (const file of PART_FILES) {
      const stored = JSON.parse(
        await readFile(storedFilePath(data.dir, slug, attestationOf(file)), 'utf8'),
      );
      expect(stored).toEqual(dec(files.get(attestationOf(file))));
    }
    // A restart verifies the stored attestations offline, the folder path's check.
    const reopened = await CatalogStore.open(data.dir, { now });
    expect([...reopened.quarantined.keys()]).toEqual([]);
    const parts = reopened.get(slug).module.parts;
    expect(parts.map((p) => p.file)).toEqual(PART_FILES);
    for (const p of parts) {
      expect(p).toMatchObject({
        signed: true,
        format: 'sigstore-bundle',
        identity: workflowOf(slug),
        predicateType: PART_PREDICATE_TYPES[p.part],
      });
    }
  });

  it("ingests parts attached as the .att tag's DSSE layers, stored as legacy cosign bundles", async () => {
    const slug = 'parts-att';
    const { oci, descriptor, files } = setup(slug);
    attachAttTag(
      oci,
      descriptor,
      slug,
      PART_FILES.map((file) => statementOf(dec(files.get(attestationOf(file))))),
    );
    await push.pushStore(`flareo/${slug}`, oci);

    const entry = await store.ingest(await moduleDir(slug, files));
    expect(entry.module.parts.map((p) => [p.file, p.signed, p.format, p.identity])).toEqual(
      PART_FILES.map((file) => [file, true, 'cosign-legacy-bundle', workflowOf(slug)]),
    );
    for (const p of entry.module.parts) expect(p.logIndex).toMatch(/^\d+$/);
    const stored = JSON.parse(
      await readFile(storedFilePath(data.dir, slug, attestationOf('sbom.cdx.json')), 'utf8'),
    );
    expect(Object.keys(stored).sort()).toEqual(['base64Signature', 'cert', 'rekorBundle']);

    const reopened = await CatalogStore.open(data.dir, { now });
    expect([...reopened.quarantined.keys()]).toEqual([]);
    expect(reopened.get(slug).module.parts.every((p) => p.signed)).toBe(true);
    const server = await startCatalogServer({ store: reopened, port: 0, logger: false });
    try {
      const body = (await (
        await fetch(`${server.url}/api/v1/modules/${slug}/attestations`)
      ).json()) as Json;
      expect(body.parts.map((p: Json) => [p.format, typeof p.bundle.base64Signature])).toEqual(
        PART_FILES.map(() => ['cosign-legacy-bundle', 'string']),
      );
    } finally {
      await server.close();
    }
  });

  it('an attestation signed by another identity is refused (ATTESTATION_REJECTED, IDENTITY_MISMATCH)', async () => {
    const slug = 'parts-other-identity';
    const { oci, descriptor, files } = setup(slug);
    // Every part but the Trivy report as referrers; the report signed by another workflow, as .att.
    for (const file of PART_FILES.filter((f) => f !== 'trivy.json'))
      attachReferrer(oci, descriptor, dec(files.get(attestationOf(file))));
    attachAttTag(
      oci,
      descriptor,
      slug,
      [statementOf(dec(files.get(attestationOf('trivy.json'))))],
      workflowOf('gitea'),
    );
    await push.pushStore(`flareo/${slug}`, oci);
    const error = await rejects(
      async () => store.ingest(await moduleDir(slug, files)),
      'ATTESTATION_REJECTED',
    );
    expect(error.detail).toMatchObject({
      slug,
      reason: 'IDENTITY_MISMATCH',
      file: attestationOf('trivy.json'),
    });
    expect(error.message).toContain('attestation-tag');
    expect((await storedState(data.dir)).modules).not.toContain(slug);
  });

  it('an attestation about another image is refused (ATTESTATION_REJECTED, DIGEST_MISMATCH)', async () => {
    const slug = 'parts-other-digest';
    const { oci, descriptor, files } = setup(slug);
    // The SBOM attestation of another image of the same module, attached to this one.
    const other = setup(slug, 'parts-another-image');
    for (const file of PART_FILES) {
      const from = file === 'sbom.cdx.json' ? other.files : files;
      attachReferrer(oci, descriptor, dec(from.get(attestationOf(file))));
    }
    await push.pushStore(`flareo/${slug}`, oci);
    const error = await rejects(
      async () => store.ingest(await moduleDir(slug, files)),
      'ATTESTATION_REJECTED',
    );
    expect(error.detail).toMatchObject({
      slug,
      reason: 'DIGEST_MISMATCH',
      file: attestationOf('sbom.cdx.json'),
    });
    expect((await storedState(data.dir)).modules).not.toContain(slug);
  });

  it('a part with no attestation is refused (ATTESTATION_REJECTED, ATTESTATION_MISSING)', async () => {
    const slug = 'parts-missing';
    const { oci, descriptor, files } = setup(slug);
    for (const file of PART_FILES.filter((f) => f !== 'vex/02.openvex.json'))
      attachReferrer(oci, descriptor, dec(files.get(attestationOf(file))));
    await push.pushStore(`flareo/${slug}`, oci);
    const error = await rejects(
      async () => store.ingest(await moduleDir(slug, files)),
      'ATTESTATION_REJECTED',
    );
    expect(error.detail).toMatchObject({
      slug,
      reason: 'ATTESTATION_MISSING',
      file: attestationOf('vex/02.openvex.json'),
    });
    expect((await storedState(data.dir)).modules).not.toContain(slug);
  });

  it('a part attested twice: a valid attestation counts even next to one that fails', async () => {
    const slug = 'parts-twice';
    const { oci, descriptor, files } = setup(slug);
    for (const file of PART_FILES)
      attachReferrer(oci, descriptor, dec(files.get(attestationOf(file))));
    // An extra contact attestation by another workflow, as .att: listed, not used.
    attachAttTag(
      oci,
      descriptor,
      slug,
      [statementOf(dec(files.get(attestationOf('flareo.json'))))],
      workflowOf('gitea'),
    );
    await push.pushStore(`flareo/${slug}`, oci);
    const entry = await store.ingest(await moduleDir(slug, files));
    expect(entry.module.parts.every((p) => p.signed && p.format === 'sigstore-bundle')).toBe(true);
  });
});
