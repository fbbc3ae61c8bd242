import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VerificationSummary } from '@flareo/bundle-verify';
import { checkInclusion } from '@flareo/rekor-set/proofs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_SEARCH_URL, publicGoodRekorLogIds, rekorLookups } from '../src/rekor.js';
import { type RunningCatalog, startCatalogServer } from '../src/server.js';
import { CatalogStore } from '../src/store.js';
import { now, seededDataDir } from './support.js';

// biome-ignore lint/suspicious/noExplicitAny: bundles and API bodies are read field by field
type Json = any;
const PUBLIC_GOOD_V1 = 'c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d';
const bundlesDir = fileURLToPath(
  new URL('../../../fixtures/vectors/sigstore/bundles/', import.meta.url),
);
const b64 = (s: string) => Buffer.from(s, 'base64');

/** The UUID proves itself: it is the leaf the bundle's inclusion proof leads from to the root. */
function leadsToRoot(uuid: string, tlogEntry: Json): boolean {
  const proof = tlogEntry.inclusionProof;
  return (
    checkInclusion(
      BigInt(proof.logIndex),
      BigInt(proof.treeSize),
      Buffer.from(uuid, 'hex'),
      proof.hashes.map(b64),
      b64(proof.rootHash),
    ) === undefined
  );
}

const summaryOf = (entry: Json, kind = 'dsse'): VerificationSummary =>
  ({
    tlog: {
      policy: 'require-any',
      entries: [
        {
          logId: b64(entry.logId.keyId).toString('hex'),
          logIndex: entry.logIndex,
          kind,
          version: entry.kindVersion.version,
          checks: { set: true, inclusionProof: true, checkpoint: true, body: true },
        },
      ],
    },
  }) as unknown as VerificationSummary;

describe('Rekor lookups', () => {
  it('knows the public-good Rekor v1 log by its id, from the embedded public-good trust root', () => {
    expect([...publicGoodRekorLogIds()]).toEqual([PUBLIC_GOOD_V1]);
  });

  it('links a public-good entry to search.sigstore.dev by log index, with its UUID', async () => {
    const bundle = JSON.parse(await readFile(join(bundlesDir, 'bundleV03-dsse.sigstore'), 'utf8'));
    const entry = bundle.verificationMaterial.tlogEntries[0];
    const [lookup] = rekorLookups(summaryOf(entry), bundle);
    expect(lookup).toMatchObject({
      logIndex: '27246114',
      logId: PUBLIC_GOOD_V1,
      kind: 'dsse/0.0.1',
      publicLog: true,
      searchUrl: `${PUBLIC_SEARCH_URL}?logIndex=27246114`,
    });
    expect(lookup?.uuid).toMatch(/^[0-9a-f]{64}$/);
    expect(leadsToRoot(lookup?.uuid as string, entry)).toBe(true);
    // A wrong leaf does not lead to the root: the check above can fail.
    expect(leadsToRoot('00'.repeat(32), entry)).toBe(false);
  });

  it('gives no UUID when the bundle entry has no body, and no link for a log it does not know', async () => {
    const bundle = JSON.parse(await readFile(join(bundlesDir, 'bundleV03-dsse.sigstore'), 'utf8'));
    const entry = bundle.verificationMaterial.tlogEntries[0];
    const summary = summaryOf(entry);
    delete entry.canonicalizedBody;
    expect(rekorLookups(summary, bundle)[0]?.uuid).toBeNull();
    const other = summaryOf({ ...entry, logId: { keyId: Buffer.alloc(32, 7).toString('base64') } });
    expect(rekorLookups(other, bundle)[0]).toMatchObject({ publicLog: false, searchUrl: null });
  });
});

describe('the seeded (private) log', () => {
  let data: { dir: string; remove: () => Promise<void> };
  let running: RunningCatalog;
  beforeAll(async () => {
    data = await seededDataDir();
    const store = await CatalogStore.open(data.dir, { now });
    running = await startCatalogServer({ store, port: 0, logger: false });
  });
  afterAll(async () => {
    await running?.close();
    await data?.remove();
  });

  it('serves each entry with its UUID and no public link', async () => {
    const m: Json = await (await fetch(`${running.url}/api/v1/modules/grafana`)).json();
    const bundle: Json = await (
      await fetch(`${running.url}/api/v1/modules/grafana/attestations/signature.sigstore.json`)
    ).json();
    expect(m.signature.rekorEntries).toHaveLength(1);
    expect(m.signature.rekor).toEqual(m.signature.rekorEntries[0]);
    expect(m.signature.rekor).toMatchObject({ publicLog: false, searchUrl: null });
    expect(leadsToRoot(m.signature.rekor.uuid, bundle.verificationMaterial.tlogEntries[0])).toBe(
      true,
    );
    expect(m.provenance.rekorEntries).toHaveLength(1);
    expect(m.provenance.rekorEntries[0]).toMatchObject({ publicLog: false, searchUrl: null });
    expect(m.provenance.rekorEntries[0].uuid).toMatch(/^[0-9a-f]{64}$/);
    expect(m.provenance.rekorEntries[0].uuid).not.toBe(m.signature.rekor.uuid);
  });
});
