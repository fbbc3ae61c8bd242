import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogErrorCode } from '../src/errors.js';
import { PART_PREDICATE_TYPES } from '../src/parts.js';
import { SAMPLE_MODULES } from '../src/seed.js';
import { type RunningCatalog, startCatalogServer } from '../src/server.js';
import { CatalogStore, initDataDir } from '../src/store.js';
import {
  edit,
  extraSpec,
  type Files,
  ingestFixture,
  type Json,
  now,
  rejects,
  SAMPLE_SLUGS,
  seededDataDir,
  storedFilePath,
  storedState,
  tempDir,
} from './support.js';

// Signed parts: the contact file, SBOM, Trivy report and VEX documents as in-toto attestations
// (cosign attest), verified with the catalog's identity policy and bound to the image digest.

const nextcloud = SAMPLE_MODULES.find(
  (m) => m.slug === 'nextcloud',
) as (typeof SAMPLE_MODULES)[number];
const workflowOf = (slug: string, version: string) =>
  `https://github.com/flareo/${slug}/.github/workflows/release.yml@refs/tags/v${version}`;

const fx = ingestFixture('flareo-catalog-parts-');

describe('the seeded catalog signs every part', () => {
  let running: RunningCatalog;
  beforeAll(async () => {
    running = await startCatalogServer({ store: fx.store, port: 0, logger: false });
  });
  afterAll(async () => running?.close());

  it('requires signed parts (a new catalog) and serves who signed each part', async () => {
    expect(
      JSON.parse(await readFile(join(fx.data.dir, 'catalog.json'), 'utf8')).requireSignedParts,
    ).toBe(true);
    for (const slug of SAMPLE_SLUGS) {
      const m = (await (await fetch(`${running.url}/api/v1/modules/${slug}`)).json()) as Json;
      const vexFiles = fx.store.get(slug).module.vex.documents.length;
      expect(m.parts.map((p: Json) => p.file)).toEqual([
        'flareo.json',
        'sbom.cdx.json',
        'trivy.json',
        ...Array.from({ length: vexFiles }, (_, i) => `vex/0${i + 1}.openvex.json`),
      ]);
      for (const p of m.parts) {
        expect(p).toMatchObject({
          signed: true,
          attestation: `attestations/${p.file}.sigstore.json`,
          predicateType: PART_PREDICATE_TYPES[p.part as keyof typeof PART_PREDICATE_TYPES],
          identity: m.signature.identity,
          issuer: m.signature.issuer,
        });
        expect(p.logIndex).toMatch(/^\d+$/);
      }
      const att = (await (
        await fetch(`${running.url}/api/v1/modules/${slug}/attestations`)
      ).json()) as Json;
      expect(att.parts.every((p: Json) => p.bundle?.dsseEnvelope)).toBe(true);
    }
  });
});

const cases: { name: string; files: () => Files; code: CatalogErrorCode; reason: string }[] = [
  {
    name: 'an unsigned SBOM',
    files: () => {
      const f = fx.kit.mintModule(extraSpec());
      f.delete('attestations/sbom.cdx.json.sigstore.json');
      return f;
    },
    code: 'ATTESTATION_REJECTED',
    reason: 'ATTESTATION_MISSING',
  },
  {
    name: 'a VEX document rewritten after signing, turning a failing verdict into a pass',
    files: () =>
      edit(fx.kit.mintModule({ ...nextcloud, slug: 'extra' }), 'vex/01.openvex.json', (v) => {
        // Valid VEX that would suppress the critical curl CVE: only the signature stops it.
        v.statements[0].status = 'not_affected';
        v.statements[0].justification = 'vulnerable_code_not_in_execute_path';
        v.statements[0].impact_statement = 'No SOCKS5 proxy.';
        delete v.statements[0].action_statement;
      }),
    code: 'ATTESTATION_REJECTED',
    reason: 'PREDICATE_MISMATCH',
  },
  {
    name: 'a Trivy report with a finding removed after signing',
    files: () =>
      edit(fx.kit.mintModule({ ...nextcloud, slug: 'extra' }), 'trivy.json', (t) => {
        t.Results[0].Vulnerabilities = t.Results[0].Vulnerabilities.slice(1);
      }),
    code: 'ATTESTATION_REJECTED',
    reason: 'PREDICATE_MISMATCH',
  },
  {
    name: 'a contact file changed after signing',
    files: () =>
      edit(fx.kit.mintModule(extraSpec()), 'flareo.json', (c) => {
        c.contact.email = 'attacker@example.com';
      }),
    code: 'ATTESTATION_REJECTED',
    reason: 'PREDICATE_MISMATCH',
  },
  {
    name: 'the SBOM attestation placed as the VEX attestation',
    files: () => {
      const f = fx.kit.mintModule(extraSpec());
      f.set(
        'attestations/vex/01.openvex.json.sigstore.json',
        f.get('attestations/sbom.cdx.json.sigstore.json') as Uint8Array,
      );
      return f;
    },
    code: 'ATTESTATION_REJECTED',
    reason: 'PREDICATE_TYPE_MISMATCH',
  },
  {
    name: "parts signed by another module's workflow",
    files: () => {
      const f = fx.kit.mintModule(extraSpec());
      const other = fx.kit.signParts(
        extraSpec({ identity: workflowOf('gitea', extraSpec().version) }),
        new Map(f),
      );
      f.set(
        'attestations/trivy.json.sigstore.json',
        other.get('attestations/trivy.json.sigstore.json') as Uint8Array,
      );
      return f;
    },
    code: 'ATTESTATION_REJECTED',
    reason: 'IDENTITY_MISMATCH',
  },
  {
    name: 'a part attestation about another image',
    files: () => {
      const f = fx.kit.mintModule(extraSpec());
      const other = fx.kit.mintModule(extraSpec({ slug: 'extra', version: '9.9.9' }));
      f.set(
        'attestations/sbom.cdx.json.sigstore.json',
        other.get('attestations/sbom.cdx.json.sigstore.json') as Uint8Array,
      );
      return f;
    },
    code: 'ATTESTATION_REJECTED',
    reason: 'DIGEST_MISMATCH',
  },
];

describe('ingest refuses parts that are not signed as they are, and stores nothing', () => {
  it.each(cases)('$name → $code $reason', async ({ files, code, reason }) => {
    const dir = await fx.moduleDir(files());
    const error = await rejects(() => fx.store.ingest(dir), code);
    expect(error.detail.reason).toBe(reason);
    expect(await storedState(fx.data.dir)).toEqual({ modules: SAMPLE_SLUGS, staging: [] });
  });

  it('the rewritten VEX would have changed the verdict (the refusal is what protects it)', async () => {
    const tmp = await tempDir('flareo-catalog-parts-optional-');
    try {
      await initDataDir(tmp.dir, {
        config: { ...fx.kit.config, requireSignedParts: false },
        trustedRoot: fx.kit.trustedRoot,
      });
      const loose = await CatalogStore.open(tmp.dir, { now });
      const files = cases[1]?.files() as Files;
      for (const k of [...files.keys()]) if (k.startsWith('attestations/')) files.delete(k);
      await loose.ingest(await fx.moduleDir(files));
      expect(loose.assessment('extra').decision.result.verdict).toBe('pass');
      expect(fx.store.assessment('nextcloud').decision.result.verdict).toBe('fail');
    } finally {
      await tmp.remove();
    }
  });
});

describe('a catalog that does not require signed parts', () => {
  it('accepts unsigned parts and says so, and still refuses a bad attestation', async () => {
    const tmp = await tempDir('flareo-catalog-parts-optional-');
    try {
      await initDataDir(tmp.dir, {
        config: { ...fx.kit.config, requireSignedParts: false },
        trustedRoot: fx.kit.trustedRoot,
      });
      const loose = await CatalogStore.open(tmp.dir, { now });
      const unsigned = fx.kit.mintModule(extraSpec({ slug: 'plain' }), { signParts: false });
      const entry = await loose.ingest(await fx.moduleDir(unsigned));
      expect(entry.module.parts.every((p) => !p.signed)).toBe(true);
      const mixed = fx.kit.mintModule(extraSpec({ slug: 'mixed' }));
      mixed.delete('attestations/flareo.json.sigstore.json');
      const partly = await loose.ingest(await fx.moduleDir(mixed));
      expect(partly.module.parts.map((p) => [p.file, p.signed])).toEqual([
        ['flareo.json', false],
        ['sbom.cdx.json', true],
        ['trivy.json', true],
        ['vex/01.openvex.json', true],
        ['vex/02.openvex.json', true],
      ]);
      const bad = cases[3]?.files() as Files;
      const error = await rejects(
        async () => loose.ingest(await fx.moduleDir(bad)),
        'ATTESTATION_REJECTED',
      );
      expect(error.detail.reason).toBe('PREDICATE_MISMATCH');
    } finally {
      await tmp.remove();
    }
  });

  it('a catalog.json without the setting (made before it) does not require them', async () => {
    const tmp = await tempDir('flareo-catalog-parts-legacy-');
    try {
      await initDataDir(tmp.dir, { config: fx.kit.config, trustedRoot: fx.kit.trustedRoot });
      const path = join(tmp.dir, 'catalog.json');
      const config = JSON.parse(await readFile(path, 'utf8'));
      delete config.requireSignedParts;
      await writeFile(path, JSON.stringify(config));
      const legacy = await CatalogStore.open(tmp.dir, { now });
      const entry = await legacy.ingest(
        await fx.moduleDir(fx.kit.mintModule(extraSpec({ slug: 'old' }), { signParts: false })),
      );
      expect(entry.module.parts.some((p) => p.signed)).toBe(false);
    } finally {
      await tmp.remove();
    }
  });

  it('a stored attestation altered on disk stops the module being served once it is read', async () => {
    const tmp = await seededDataDir();
    try {
      const path = storedFilePath(tmp.dir, 'grafana', 'attestations/sbom.cdx.json.sigstore.json');
      const bundle = JSON.parse(await readFile(path, 'utf8'));
      bundle.dsseEnvelope.signatures[0].sig = Buffer.alloc(70, 1).toString('base64');
      await writeFile(path, JSON.stringify(bundle));
      const reopened = await CatalogStore.open(tmp.dir, { now });
      // Blobs are content-addressed: the altered bytes no longer match their digest, found
      // when the module is first read.
      expect(() => reopened.get('grafana')).toThrow(/no module grafana/);
      expect(reopened.quarantined.get('grafana')?.code).toBe('STORE_IO');
      expect(reopened.quarantined.get('grafana')?.detail).toMatchObject({
        reason: 'BLOB_CORRUPT',
        file: 'attestations/sbom.cdx.json.sigstore.json',
      });
      await reopened.close();
    } finally {
      await tmp.remove();
    }
  });
});
