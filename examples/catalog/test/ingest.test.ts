import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CatalogErrorCode } from '../src/errors.js';
import { createSeedKit, SAMPLE_MODULES } from '../src/seed.js';
import { CatalogStore } from '../src/store.js';
import {
  dec,
  edit,
  enc,
  extraSpec,
  type Files,
  ingestFixture,
  NOW,
  now,
  rejects,
  SAMPLE_SLUGS,
  seededDataDir,
  storedState,
} from './support.js';

const fx = ingestFixture('flareo-catalog-modules-');

const cases: {
  name: string;
  files: () => Files;
  code: CatalogErrorCode;
  reason?: string;
}[] = [
  {
    name: 'a tampered artifact (one byte of the image manifest changed)',
    files: () => {
      const f = fx.kit.mintModule(extraSpec());
      const bytes = new Uint8Array(f.get('image-manifest.json') as Uint8Array);
      bytes[10] = (bytes[10] as number) ^ 1;
      f.set('image-manifest.json', bytes);
      return f;
    },
    code: 'SIGNATURE_REJECTED',
    reason: 'DIGEST_MISMATCH',
  },
  {
    name: 'a declared digest that is not the signed one (no artifact bytes)',
    files: () =>
      edit(fx.kit.mintModule(extraSpec()), 'module.json', (m) => {
        delete m.artifact;
        m.digest = `sha256:${'ab'.repeat(32)}`;
      }),
    code: 'SIGNATURE_REJECTED',
    reason: 'DIGEST_MISMATCH',
  },
  {
    name: 'a declared digest that differs from the artifact bytes',
    files: () =>
      edit(fx.kit.mintModule(extraSpec()), 'module.json', (m) => {
        m.digest = `sha256:${'cd'.repeat(32)}`;
      }),
    code: 'ARTIFACT_DIGEST_MISMATCH',
  },
  {
    name: 'a signature by a workflow outside the flareo organisation',
    files: () =>
      fx.kit.mintModule(
        extraSpec({
          identity: 'https://github.com/evil/extra/.github/workflows/release.yml@refs/tags/v11.5.2',
        }),
      ),
    code: 'SIGNATURE_REJECTED',
    reason: 'IDENTITY_MISMATCH',
  },
  {
    name: "a signature by another module's workflow",
    files: () =>
      fx.kit.mintModule(
        extraSpec({
          identity:
            'https://github.com/flareo/gitea/.github/workflows/release.yml@refs/tags/v1.23.4',
        }),
      ),
    code: 'SIGNATURE_REJECTED',
    reason: 'IDENTITY_MISMATCH',
  },
  {
    name: 'a signature from a CA and log the catalog does not trust',
    files: () => createSeedKit({ now: NOW, seed: 'someone-else' }).mintModule(extraSpec()),
    code: 'SIGNATURE_REJECTED',
    reason: 'TLOG_UNTRUSTED',
  },
  {
    name: 'a signature bundle that is not a bundle',
    files: () => {
      const f = fx.kit.mintModule(extraSpec());
      f.set(
        'signature.sigstore.json',
        enc({ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json' }),
      );
      return f;
    },
    code: 'SIGNATURE_REJECTED',
    reason: 'BUNDLE_MALFORMED',
  },
  {
    name: 'no signature bundle',
    files: () => {
      const f = fx.kit.mintModule(extraSpec());
      f.delete('signature.sigstore.json');
      return f;
    },
    code: 'MODULE_FILE_MISSING',
  },
  {
    name: 'provenance about another artifact',
    files: () => {
      const f = fx.kit.mintModule(extraSpec());
      f.set(
        'provenance.sigstore.json',
        fx.kit
          .mintModule(extraSpec({ version: '11.5.3' }))
          .get('provenance.sigstore.json') as Uint8Array,
      );
      return f;
    },
    code: 'PROVENANCE_REJECTED',
    reason: 'DIGEST_MISMATCH',
  },
  {
    name: 'an SBOM that is not CycloneDX',
    files: () =>
      edit(fx.kit.mintModule(extraSpec()), 'sbom.cdx.json', (s) => {
        s.bomFormat = 'SPDX';
      }),
    code: 'SBOM_INVALID',
  },
  {
    name: 'an SBOM that is not JSON',
    files: () => {
      const f = fx.kit.mintModule(extraSpec());
      f.set('sbom.cdx.json', new TextEncoder().encode('<bom/>'));
      return f;
    },
    code: 'SBOM_INVALID',
  },
  {
    name: 'a not_affected VEX statement without justification or impact statement',
    files: () =>
      edit(fx.kit.mintModule(extraSpec()), 'vex/02.openvex.json', (v) => {
        delete v.statements[0].justification;
        delete v.statements[0].impact_statement;
      }),
    code: 'VEX_INVALID',
    reason: 'DOCUMENT_INVALID',
  },
  {
    name: 'a VEX document that is not JSON',
    files: () => {
      const f = fx.kit.mintModule(extraSpec());
      f.set('vex/01.openvex.json', new TextEncoder().encode('{"@context":'));
      return f;
    },
    code: 'VEX_INVALID',
    reason: 'JSON_INVALID',
  },
  {
    name: 'no VEX document',
    files: () => {
      const f = fx.kit.mintModule(extraSpec());
      for (const k of [...f.keys()]) if (k.startsWith('vex/')) f.delete(k);
      return f;
    },
    code: 'MODULE_FILE_MISSING',
  },
  {
    name: 'a Trivy report of another image',
    files: () =>
      edit(fx.kit.mintModule(extraSpec()), 'trivy.json', (t) => {
        t.Metadata.RepoDigests = [`registry.flareo.test/flareo/extra@sha256:${'0'.repeat(64)}`];
      }),
    code: 'SCAN_INVALID',
  },
  {
    name: 'a Trivy report with an unknown severity',
    files: () =>
      edit(fx.kit.mintModule(extraSpec()), 'trivy.json', (t) => {
        t.Results[0].Vulnerabilities[0].Severity = 'SEVERE';
      }),
    code: 'SCAN_INVALID',
  },
  {
    name: 'a contact file without an email',
    files: () =>
      edit(fx.kit.mintModule(extraSpec()), 'flareo.json', (c) => {
        delete c.contact.email;
      }),
    code: 'MODULE_FILE_INVALID',
  },
  {
    name: 'a manifest with an unknown field',
    files: () =>
      edit(fx.kit.mintModule(extraSpec()), 'module.json', (m) => {
        m.owner = 'me';
      }),
    code: 'MODULE_FILE_INVALID',
  },
  {
    name: 'a manifest with a build time that is not a date',
    files: () =>
      edit(fx.kit.mintModule(extraSpec()), 'module.json', (m) => {
        m.builtAt = '2026-02-30T25:00:00Z';
      }),
    code: 'MODULE_FILE_INVALID',
  },
  {
    name: 'a manifest with a build time that Date would shift (February 30)',
    files: () =>
      edit(fx.kit.mintModule(extraSpec()), 'module.json', (m) => {
        m.builtAt = '2026-02-30T12:00:00Z';
      }),
    code: 'MODULE_FILE_INVALID',
  },
  {
    name: 'a manifest that is not JSON',
    files: () => {
      const f = fx.kit.mintModule(extraSpec());
      f.set('module.json', new TextEncoder().encode('slug: extra'));
      return f;
    },
    code: 'MODULE_FILE_INVALID',
  },
  {
    name: 'a manifest that is a JSON array',
    files: () => {
      const f = fx.kit.mintModule(extraSpec());
      f.set('module.json', enc(['extra']));
      return f;
    },
    code: 'MODULE_FILE_INVALID',
  },
  {
    name: 'a bad slug',
    files: () =>
      edit(fx.kit.mintModule(extraSpec()), 'module.json', (m) => {
        m.slug = 'Bad_Slug';
      }),
    code: 'SLUG_INVALID',
  },
  {
    name: 'a slug that climbs out of the data directory',
    files: () =>
      edit(fx.kit.mintModule(extraSpec()), 'module.json', (m) => {
        m.slug = '../escape';
      }),
    code: 'SLUG_INVALID',
  },
  {
    name: 'a module already in the catalog',
    files: () => fx.kit.mintModule(SAMPLE_MODULES.find((m) => m.slug === 'gitea')!),
    code: 'MODULE_EXISTS',
  },
];

describe('ingest refuses, with a code, and stores nothing', () => {
  it.each(cases)('$name → $code', async ({ files, code, reason }) => {
    const before = await storedState(fx.data.dir);
    expect(before.modules).toEqual(SAMPLE_SLUGS);
    const dir = await fx.moduleDir(files());
    const error = await rejects(() => fx.store.ingest(dir), code);
    if (reason) expect(error.detail.reason).toBe(reason);
    expect(await storedState(fx.data.dir)).toEqual({ modules: SAMPLE_SLUGS, staging: [] });
    expect(
      fx.store
        .list()
        .map((e) => e.module.slug)
        .sort(),
    ).toEqual(SAMPLE_SLUGS);
  });

  it('refuses a module directory that does not exist', async () => {
    await rejects(() => fx.store.ingest(join(fx.work.dir, 'missing')), 'MODULE_FILE_MISSING');
  });

  it.each([
    ['a symbolic link', async (path: string) => symlink('/etc/hostname', path)],
    ['a directory', async (path: string) => mkdir(path)],
  ])('refuses a module file that is %s', async (_what, make) => {
    const dir = await fx.moduleDir(fx.kit.mintModule(extraSpec()));
    await rm(join(dir, 'sbom.cdx.json'));
    await make(join(dir, 'sbom.cdx.json'));
    const error = await rejects(() => fx.store.ingest(dir), 'MODULE_FILE_INVALID');
    expect(error.detail).toMatchObject({ file: 'sbom.cdx.json', expected: 'a regular file' });
    expect(await storedState(fx.data.dir)).toMatchObject({ staging: [] });
  });

  it('refuses a file larger than the limit', async () => {
    const dir = await fx.moduleDir(fx.kit.mintModule(extraSpec()));
    await writeFile(join(dir, 'sbom.cdx.json'), new Uint8Array(16 * 1024 * 1024 + 1));
    const error = await rejects(() => fx.store.ingest(dir), 'MODULE_FILE_INVALID');
    expect(error.detail.file).toBe('sbom.cdx.json');
  });
});

describe('ingest accepts and persists', () => {
  it('stores a verified module atomically, serves it, and keeps it across a restart', async () => {
    const dir = await fx.moduleDir(fx.kit.mintModule(extraSpec({ slug: 'kept', name: 'Kept' })));
    const entry = await fx.store.ingest(dir);
    expect(entry.module.slug).toBe('kept');
    expect((await storedState(fx.data.dir)).modules).toEqual([...SAMPLE_SLUGS, 'kept'].sort());
    const before = fx.store.assessment('kept');

    // The artifact bytes are not stored; the stored manifest keeps the verified digest.
    const row = await fx.store.metadata.get('kept');
    const hex = row?.files['module.json'] as string;
    const stored = dec(await readFile(join(fx.data.dir, 'blobs', 'sha256', hex.slice(0, 2), hex)));
    expect(stored.artifact).toBeUndefined();
    expect(stored.digest).toBe(entry.module.manifest.digest);
    expect(Object.keys(row?.files ?? {})).not.toContain('artifact.bin');
    expect(row?.verification).toMatchObject({
      outcome: 'verified',
      trustRootDigest: fx.store.trustRootDigest,
      policyHash: fx.store.policyHash,
      checks: ['signature', 'provenance', 'sbom', 'vex', 'scan', 'parts'],
    });

    // A crash mid-ingest leaves a temporary blob of a dead process: removed at open, never served.
    const leftover = `${'0'.repeat(64)}.${hostname()}.999999999.0123456789ab`;
    await writeFile(join(fx.data.dir, 'blobs', 'tmp', leftover), '{"slug":"half"');

    const reopened = await CatalogStore.open(fx.data.dir, { now });
    expect(
      reopened
        .list()
        .map((e) => e.module.slug)
        .sort(),
    ).toEqual([...SAMPLE_SLUGS, 'kept'].sort());
    expect(reopened.assessment('kept').score).toEqual(before.score);
    expect(reopened.assessment('kept').decision).toEqual(before.decision);
    expect(reopened.vex('kept').etag).toBe(fx.store.vex('kept').etag);
    expect(reopened.quarantined.size).toBe(0);
    expect((await storedState(fx.data.dir)).staging).toEqual([]);
  });

  it('lets exactly one of two concurrent ingests of a slug win', async () => {
    const files = fx.kit.mintModule(extraSpec({ slug: 'twice', name: 'Twice' }));
    const [a, b] = [await fx.moduleDir(files), await fx.moduleDir(files)];
    const results = await Promise.allSettled([fx.store.ingest(a), fx.store.ingest(b)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(failed.reason.code).toBe('MODULE_EXISTS');
    expect((await storedState(fx.data.dir)).modules).toContain('twice');
    expect((await storedState(fx.data.dir)).staging).toEqual([]);
  });

  it('does not serve a stored module whose files were altered on disk', async () => {
    const tmp = await seededDataDir();
    try {
      const first = await CatalogStore.open(tmp.dir, { now });
      const hex = (await first.metadata.get('gitea'))?.files['signature.sigstore.json'] as string;
      await first.close();
      const path = join(tmp.dir, 'blobs', 'sha256', hex.slice(0, 2), hex);
      const bundle = dec(await readFile(path));
      bundle.messageSignature.signature = Buffer.alloc(70, 1).toString('base64');
      await writeFile(path, JSON.stringify(bundle));
      const quarantined: string[] = [];
      const reopened = await CatalogStore.open(tmp.dir, {
        now,
        onQuarantine: (slug) => quarantined.push(slug),
      });
      // Start-up reads no module file; the first read of gitea's finds the altered one.
      expect(quarantined).toEqual([]);
      await rejects(async () => reopened.get('gitea'), 'MODULE_NOT_FOUND');
      expect(quarantined).toEqual(['gitea']);
      expect(reopened.quarantined.get('gitea')?.code).toBe('STORE_IO');
      expect(reopened.quarantined.get('gitea')?.detail).toMatchObject({
        reason: 'BLOB_CORRUPT',
        file: 'signature.sigstore.json',
      });
      expect(reopened.size).toBe(SAMPLE_SLUGS.length - 1);
      expect(reopened.list().map((e) => e.slug)).not.toContain('gitea');
      await reopened.close();
    } finally {
      await tmp.remove();
    }
  });
});
