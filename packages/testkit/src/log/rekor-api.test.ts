import { createHash } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { testKey } from '../keys.js';
import { canonicalJson } from './canonical-json.js';
import { leafHash } from './merkle.js';
import { rekorApiLogEntry, startTestRekorApi } from './rekor-api.js';
import { rekorV1Bodies, TestRekorV1 } from './rekor-v1.js';

const sha256 = (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest());
const signer = testKey('ecdsa-p256', 'rekor-api-signer');
const artifact = new TextEncoder().encode('served by the test Rekor API');
const digest = sha256(artifact);
const signature = signer.sign(artifact);
const log = new TestRekorV1({ seed: 'rekor-api-log' });
const entry = log.addHashedRekord({
  artifactDigest: digest,
  signature,
  publicKeyPem: signer.publicKeyPem,
  inclusionProof: true,
});
const other = log.addHashedRekord({
  artifactDigest: sha256(new TextEncoder().encode('another artifact')),
  signature,
  publicKeyPem: signer.publicKeyPem,
  inclusionProof: true,
});
const api = await startTestRekorApi(log);
api.add(entry, other);
afterAll(() => api.stop());
beforeEach(() => {
  api.behave({});
  api.clearRequests();
});

const post = (path: string, body: unknown) =>
  fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const hex = Buffer.from(digest).toString('hex');

describe('rekorApiLogEntry', () => {
  it('files the entry under tree id + leaf hash, with hex hashes and JSON numbers', () => {
    const { uuid, value } = rekorApiLogEntry(entry, log.treeId);
    const body = new Uint8Array(Buffer.from(entry.canonicalizedBody, 'base64'));
    expect(uuid).toHaveLength(80);
    expect(uuid.slice(16)).toBe(Buffer.from(leafHash(body)).toString('hex'));
    expect(BigInt(`0x${uuid.slice(0, 16)}`).toString()).toBe(log.treeId);
    expect(value.logID).toBe(log.logId);
    expect(value.logIndex).toBe(0);
    expect(value.verification.inclusionProof?.rootHash).toMatch(/^[0-9a-f]{64}$/);
    expect(value.verification.inclusionProof?.checkpoint).toContain(log.origin);
    expect(rekorApiLogEntry(entry).uuid).toHaveLength(64);
  });
});

describe('startTestRekorApi', () => {
  it('searches by artifact hash, then serves the entry by UUID (GET and POST)', async () => {
    const uuids = (await (
      await post('/api/v1/index/retrieve', { hash: `sha256:${hex}` })
    ).json()) as string[];
    expect(uuids).toEqual([rekorApiLogEntry(entry, log.treeId).uuid]);
    const got = (await (await fetch(`${api.url}/api/v1/log/entries/${uuids[0]}`)).json()) as object;
    expect(Object.keys(got)).toEqual(uuids);
    const retrieved = (await (
      await post('/api/v1/log/entries/retrieve', { entryUUIDs: uuids })
    ).json()) as object[];
    expect(retrieved).toEqual([got]);
    expect((await fetch(`${api.url}/api/v1/log/entries/${'0'.repeat(64)}`)).status).toBe(404);
    expect(api.requests.map((r) => r.method)).toEqual(['POST', 'GET', 'POST', 'GET']);
  });

  it('finds an entry from the proposed entry cosign sends', async () => {
    const proposed = JSON.parse(
      canonicalJson(
        rekorV1Bodies.hashedRekord({
          artifactDigest: digest,
          signature,
          verifierPem: signer.publicKeyPem,
        }),
      ),
    ) as object;
    const found = (await (
      await post('/api/v1/log/entries/retrieve', { entries: [proposed] })
    ).json()) as object[];
    expect(found).toHaveLength(1);
    expect(Object.keys(found[0] as object)[0]).toBe(rekorApiLogEntry(entry, log.treeId).uuid);
  });

  it('serves the log state', async () => {
    const state = (await (await fetch(`${api.url}/api/v1/log`)).json()) as Record<string, unknown>;
    expect(state.treeSize).toBe(2);
    expect(state.signedTreeHead).toContain(log.origin);
  });

  it('lies and breaks on demand', async () => {
    api.behave({ status: 503 });
    expect((await fetch(`${api.url}/api/v1/log`)).status).toBe(503);
    api.behave({ truncate: true });
    await expect((await fetch(`${api.url}/api/v1/log`)).json()).rejects.toThrow();
    api.behave({ redirectTo: 'http://example.invalid/' });
    expect((await fetch(`${api.url}/api/v1/log`, { redirect: 'manual' })).status).toBe(302);
    api.behave({ oversizeBytes: 200_000 });
    expect((await (await fetch(`${api.url}/api/v1/log`)).arrayBuffer()).byteLength).toBe(200_002);
    api.behave({ gzipBombBytes: 300_000 });
    const bomb = await fetch(`${api.url}/api/v1/log`);
    expect(Number(bomb.headers.get('content-length'))).toBeLessThan(10_000);
    expect((await bomb.arrayBuffer()).byteLength).toBe(300_002);
    api.behave({ answerWith: [other] });
    const uuids = (await (
      await post('/api/v1/index/retrieve', { hash: `sha256:${hex}` })
    ).json()) as string[];
    expect(uuids).toEqual([rekorApiLogEntry(other, log.treeId).uuid]);
    api.behave({
      transform: (uuid, value) => ({ uuid, value: { ...value, integratedTime: 1 } }),
    });
    const got = (await (await fetch(`${api.url}/api/v1/log/entries/${uuids[0]}`)).json()) as Record<
      string,
      { integratedTime: number }
    >;
    expect(Object.values(got)[0]?.integratedTime).toBe(1);
    api.behave({ delayMs: 150 });
    const started = Date.now();
    await (await fetch(`${api.url}/api/v1/log`)).arrayBuffer();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});
