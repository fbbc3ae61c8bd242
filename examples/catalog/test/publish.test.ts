import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeedKit } from '../src/seed.js';
import { type RunningCatalog, startCatalogServer } from '../src/server.js';
import { CatalogStore } from '../src/store.js';
import { makeToken } from '../src/tokens.js';
import {
  edit,
  extraSpec,
  type Files,
  NOW,
  now,
  SAMPLE_SLUGS,
  seededDataDir,
  storedState,
} from './support.js';

// POST /api/v1/modules: a tar of a module directory, bearer tokens with scopes, the same
// verified atomic ingest as the CLI.

type Entry =
  | { name: string; data: Uint8Array }
  | { name: string; type: 'symlink' | 'link'; linkname: string }
  | { name: string; type: 'directory' };

/** A tar archive of `files` (under `prefix`), plus any raw `extra` entries. */
async function tarOf(files: Files, prefix = '', extra: Entry[] = []): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => {
    if (Buffer.isBuffer(c)) chunks.push(c);
  });
  const ended = new Promise<void>((r) => p.on('end', () => r()));
  const add = (header: Record<string, unknown>, data?: Uint8Array) =>
    new Promise<void>((resolve, reject) =>
      p.entry(header as never, data ? Buffer.from(data) : '', (e) => (e ? reject(e) : resolve())),
    );
  for (const [rel, data] of files) await add({ name: `${prefix}${rel}`, mode: 0o644 }, data);
  for (const e of extra) {
    if ('data' in e) await add({ name: e.name }, e.data);
    else if (e.type === 'directory') await add({ name: e.name, type: 'directory' });
    else await add({ name: e.name, type: e.type, linkname: e.linkname });
  }
  p.finalize();
  await ended;
  return Buffer.concat(chunks);
}

const kit = createSeedKit({ now: NOW });
const publisher = makeToken('ci', ['publish']);
const admin = makeToken('ops', ['admin']);
let data: { dir: string; remove: () => Promise<void> };
let store: CatalogStore;
let running: RunningCatalog;

beforeAll(async () => {
  data = await seededDataDir();
  const configPath = join(data.dir, 'catalog.json');
  const config = JSON.parse(await readFile(configPath, 'utf8'));
  config.tokens = [publisher.entry, admin.entry];
  await writeFile(configPath, JSON.stringify(config));
  store = await CatalogStore.open(data.dir, { now });
  running = await startCatalogServer({
    store,
    host: '127.0.0.1',
    port: 0,
    logger: false,
    publishLimitBytes: 2 * 1024 * 1024,
  });
});
afterAll(async () => {
  await running?.close();
  await store?.close();
  await data?.remove();
});

const publish = (
  body: Uint8Array,
  token: string | null = publisher.token,
  type = 'application/x-tar',
) =>
  fetch(`${running.url}/api/v1/modules`, {
    method: 'POST',
    headers: {
      'content-type': type,
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: Buffer.from(body),
  });

const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { code: string; detail: Record<string, unknown> } }).error;

describe('POST /api/v1/modules', () => {
  it('refuses without a token (401), with an unknown one (401) and without the scope (403), storing nothing', async () => {
    const body = await tarOf(kit.mintModule(extraSpec({ slug: 'denied' })));
    const none = await publish(body, null);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(await errorOf(none)).toMatchObject({
      code: 'UNAUTHORIZED',
      detail: { reason: 'TOKEN_MISSING' },
    });
    const wrong = await publish(body, `${publisher.token}x`);
    expect(wrong.status).toBe(401);
    expect(await errorOf(wrong)).toMatchObject({
      code: 'UNAUTHORIZED',
      detail: { reason: 'TOKEN_INVALID' },
    });
    const scoped = await publish(body, admin.token);
    expect(scoped.status).toBe(403);
    expect(await errorOf(scoped)).toMatchObject({
      code: 'FORBIDDEN',
      detail: { reason: 'SCOPE_MISSING' },
    });
    expect((await storedState(data.dir)).modules).toEqual(SAMPLE_SLUGS);
  });

  it('stores a module that verifies (201), serves it, and answers 200 when the same module comes again', async () => {
    const body = await tarOf(
      kit.mintModule(extraSpec({ slug: 'published', name: 'Published' })),
      'published/',
    );
    const first = await publish(body);
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe('/api/v1/modules/published');
    expect(await first.json()).toMatchObject({
      created: true,
      slug: 'published',
      verdict: expect.any(String),
    });
    const detail = (await (await fetch(`${running.url}/api/v1/modules/published`)).json()) as {
      verification: { verifiedAt: string; trustRootDigest: string };
      lastVerified: string;
    };
    expect(detail.verification.trustRootDigest).toBe(store.trustRootDigest);
    expect(detail.lastVerified).toBe(detail.verification.verifiedAt);
    const again = await publish(body);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ created: false, slug: 'published' });
    // A store opened afresh (another process) serves it from the database.
    const other = await CatalogStore.open(data.dir, { now });
    expect(other.get('published').module.manifest.digest).toBe(
      store.get('published').module.manifest.digest,
    );
    await other.close();
  });

  it('answers 409 MODULE_EXISTS for another module under a stored slug', async () => {
    const other = await tarOf(
      kit.mintModule(extraSpec({ slug: 'published', name: 'Published', version: '9.9.9' })),
    );
    const response = await publish(other);
    expect(response.status).toBe(409);
    expect((await errorOf(response)).code).toBe('MODULE_EXISTS');
  });

  it('answers 422 with the verification code when the module does not verify', async () => {
    const files = edit(
      kit.mintModule(extraSpec({ slug: 'forged' })),
      'signature.sigstore.json',
      (b) => {
        b.messageSignature.signature = Buffer.alloc(70, 1).toString('base64');
      },
    );
    const response = await publish(await tarOf(files));
    expect(response.status).toBe(422);
    const error = await errorOf(response);
    expect(error.code).toBe('SIGNATURE_REJECTED');
    expect(error.detail.reason).toEqual(expect.any(String));
    expect((await storedState(data.dir)).modules).not.toContain('forged');
  });

  it('serializes two concurrent publishes of one module: one 201, one 200, one row', async () => {
    const body = await tarOf(kit.mintModule(extraSpec({ slug: 'racing', name: 'Racing' })));
    const [a, b] = await Promise.all([publish(body), publish(body)]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect((await storedState(data.dir)).modules.filter((s) => s === 'racing')).toEqual(['racing']);
  });

  it('lets exactly one of two concurrent publishes of different modules under one slug win', async () => {
    const one = await tarOf(kit.mintModule(extraSpec({ slug: 'contested', version: '1.0.0' })));
    const two = await tarOf(kit.mintModule(extraSpec({ slug: 'contested', version: '2.0.0' })));
    const statuses = (await Promise.all([publish(one), publish(two)])).map((r) => r.status);
    expect(statuses.sort()).toEqual([201, 409]);
  });

  it.each([
    [
      'a symbolic link',
      { name: 'vex/evil.json', type: 'symlink', linkname: '/etc/passwd' } as Entry,
      'ARCHIVE_ENTRY_TYPE',
    ],
    [
      'a hard link',
      { name: 'vex/evil.json', type: 'link', linkname: 'module.json' } as Entry,
      'ARCHIVE_ENTRY_TYPE',
    ],
    [
      'a path that climbs out',
      { name: '../escape.json', data: new Uint8Array([1]) } as Entry,
      'ARCHIVE_PATH_UNSAFE',
    ],
    [
      'an absolute path',
      { name: '/etc/cron.d/x', data: new Uint8Array([1]) } as Entry,
      'ARCHIVE_PATH_UNSAFE',
    ],
    [
      'a climb inside a path',
      { name: 'vex/../../x.json', data: new Uint8Array([1]) } as Entry,
      'ARCHIVE_PATH_UNSAFE',
    ],
  ])('refuses an archive with %s (422 MODULE_FILE_INVALID)', async (_what, extra, reason) => {
    const body = await tarOf(kit.mintModule(extraSpec({ slug: 'linked' })), '', [extra]);
    const response = await publish(body);
    expect(response.status).toBe(422);
    expect(await errorOf(response)).toMatchObject({
      code: 'MODULE_FILE_INVALID',
      detail: { reason },
    });
    expect((await storedState(data.dir)).modules).not.toContain('linked');
  });

  it('refuses bytes that are not a tar archive (422 ARCHIVE_INVALID)', async () => {
    const response = await publish(new TextEncoder().encode('not a tar archive at all'.repeat(40)));
    expect(response.status).toBe(422);
    expect(await errorOf(response)).toMatchObject({ code: 'MODULE_FILE_INVALID' });
  });

  it('answers 413 PAYLOAD_TOO_LARGE over the upload limit, and 415 for another media type', async () => {
    const big = await publish(new Uint8Array(2 * 1024 * 1024 + 1));
    expect(big.status).toBe(413);
    expect(await errorOf(big)).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      detail: { expected: `at most ${2 * 1024 * 1024} bytes` },
    });
    const json = await publish(new TextEncoder().encode('{}'), publisher.token, 'application/json');
    expect(json.status).toBe(415);
    expect((await errorOf(json)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('verifies a module again on an admin request, and refuses that to a publish token', async () => {
    const url = `${running.url}/api/v1/modules/grafana/verify`;
    const denied = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${publisher.token}` },
    });
    expect(denied.status).toBe(403);
    const before = store.get('grafana').verification.verifiedAt;
    const ok = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as {
      served: boolean;
      verification: { outcome: string; verifiedAt: string };
    };
    expect(body).toMatchObject({ served: true, verification: { outcome: 'verified' } });
    expect(Date.parse(body.verification.verifiedAt)).toBeGreaterThanOrEqual(Date.parse(before));
  });
});
