import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectAttestationTag, DSSE_ENVELOPE_MEDIA_TYPE } from '../src/attestation-tag.js';
import { rejects } from './support.js';

// The `.att` reader against a scripted registry: what a real registry never serves (content
// that is not what its digest says, a manifest that is not one) must still be refused.

const DIGEST = `sha256:${'a'.repeat(64)}`;
const TAG = `sha256-${'a'.repeat(64)}.att`;
const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const envelope = new TextEncoder().encode('{"payloadType":"p","payload":"","signatures":[]}');
const manifestWith = (layers: unknown) =>
  new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      layers,
    }),
  );
const layer = (over: Record<string, unknown> = {}) => ({
  mediaType: DSSE_ENVELOPE_MEDIA_TYPE,
  digest: sha256(envelope),
  size: envelope.length,
  annotations: { 'dev.sigstore.cosign/bundle': '{"SignedEntryTimestamp":"AA=="}' },
  ...over,
});

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler = (_req, res) => res.writeHead(404).end();
let server: Server;
let host: string;
beforeAll(async () => {
  server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A registry serving `manifest` under the `.att` tag and `blob` for every blob. */
function serve(manifest: Uint8Array, blob = envelope, headers: Record<string, string> = {}) {
  handler = (req, res) => {
    if (req.url === `/v2/flareo/app/manifests/${TAG}`) {
      res.writeHead(200, {
        'content-type': 'application/vnd.oci.image.manifest.v1+json',
        ...headers,
      });
      res.end(manifest);
    } else if (req.url?.startsWith('/v2/flareo/app/blobs/')) {
      res.writeHead(200).end(blob);
    } else res.writeHead(404).end();
  };
}

const collect = () =>
  collectAttestationTag(`${host}/flareo/app`, DIGEST, 'app', { plainHttp: true });

describe('collectAttestationTag', () => {
  it('no .att tag: no candidates', async () => {
    handler = (_req, res) => res.writeHead(404).end();
    expect(await collect()).toEqual([]);
  });

  it('each DSSE layer becomes a candidate; other layers are ignored', async () => {
    const bytes = manifestWith([layer(), { ...layer(), mediaType: 'application/octet-stream' }]);
    serve(bytes);
    const found = await collect();
    expect(found).toEqual([
      {
        bundle: {
          base64Signature: Buffer.from(envelope).toString('base64'),
          rekorBundle: { SignedEntryTimestamp: 'AA==' },
        },
        via: 'attestation-tag',
        manifest: sha256(bytes),
        layer: 0,
      },
    ]);
  });

  it.each([
    ['a manifest that is not JSON', () => serve(new TextEncoder().encode('nope'))],
    ['a manifest without layers', () => serve(manifestWith(undefined))],
    ['a layer that is not a descriptor', () => serve(manifestWith([layer({ size: -1 })]))],
    [
      'a layer whose annotations are not strings',
      () => serve(manifestWith([layer({ annotations: { a: 1 } })])),
    ],
    [
      'a blob that is not the layer digest',
      () => serve(manifestWith([layer()]), new TextEncoder().encode('other')),
    ],
    [
      'a Docker-Content-Digest that is not the content digest',
      () =>
        serve(manifestWith([layer()]), envelope, {
          'docker-content-digest': `sha256:${'b'.repeat(64)}`,
        }),
    ],
    [
      'more DSSE layers than the limit',
      () => serve(manifestWith(Array.from({ length: 65 }, () => layer()))),
    ],
  ])('%s → ATTESTATION_REJECTED (ATTESTATION_TAG_INVALID)', async (_name, arrange) => {
    arrange();
    const error = await rejects(collect, 'ATTESTATION_REJECTED');
    expect(error.detail).toMatchObject({ slug: 'app', reason: 'ATTESTATION_TAG_INVALID' });
  });

  it('a missing blob → ATTESTATION_REJECTED (ATTESTATION_TAG_INVALID)', async () => {
    const bytes = manifestWith([layer()]);
    handler = (req, res) => {
      if (req.url === `/v2/flareo/app/manifests/${TAG}`) res.writeHead(200).end(bytes);
      else res.writeHead(404).end();
    };
    const error = await rejects(collect, 'ATTESTATION_REJECTED');
    expect(error.detail.reason).toBe('ATTESTATION_TAG_INVALID');
  });

  it.each([
    ['a server error', 500, {}, 'REGISTRY_ERROR'],
    [
      'a 401 asking for Basic credentials when none were given',
      401,
      { 'www-authenticate': 'Basic realm="r"' },
      'AUTH_FAILED',
    ],
    ['a 403', 403, {}, 'AUTH_FAILED'],
  ] as const)('%s → REGISTRY_UNAVAILABLE (%s)', async (_name, status, headers, reason) => {
    handler = (_req, res) => res.writeHead(status, headers).end();
    const error = await rejects(collect, 'REGISTRY_UNAVAILABLE');
    expect(error.detail.reason).toBe(reason);
  });

  it('Basic credentials are sent when the registry asks for them', async () => {
    const bytes = manifestWith([]);
    const seen: (string | undefined)[] = [];
    handler = (req, res) => {
      seen.push(req.headers.authorization);
      if (!req.headers.authorization)
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
      else res.writeHead(200).end(bytes);
    };
    const found = await collectAttestationTag(`${host}/flareo/app`, DIGEST, 'app', {
      plainHttp: true,
      auth: { username: 'ci', password: 'pw' },
    });
    expect(found).toEqual([]);
    expect(seen).toEqual([undefined, `Basic ${Buffer.from('ci:pw').toString('base64')}`]);
  });

  it('an unreachable registry → REGISTRY_UNAVAILABLE (REGISTRY_ERROR)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await rejects(
      () =>
        collectAttestationTag(`127.0.0.1:${port}/flareo/app`, DIGEST, 'app', { plainHttp: true }),
      'REGISTRY_UNAVAILABLE',
    );
    expect(error.detail.reason).toBe('REGISTRY_ERROR');
  });

  it('plain HTTP to a registry that is not loopback → ARGUMENT_INVALID', async () => {
    await rejects(
      () =>
        collectAttestationTag('registry.example/flareo/app', DIGEST, 'app', { plainHttp: true }),
      'ARGUMENT_INVALID',
    );
  });
});
