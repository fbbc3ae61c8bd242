import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OciStore } from '@flareo/testkit';

/** How the mock registry behaves. */
export interface MockRegistryOptions {
  /** `bearer`: 401 + Bearer challenge and a token service; `basic`: 401 + Basic; `none`. */
  readonly auth: 'bearer' | 'basic' | 'none';
  /** Credentials the token service (bearer) or the registry (basic) requires, if any. */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** Serve the OCI 1.1 referrers API (built from the stored manifests' `subject`). Default true. */
  readonly referrersApi?: boolean;
  /** Answer these paths with this status instead. */
  readonly failPaths?: Readonly<Record<string, number>>;
  /** Serve other bytes for these digests. */
  readonly swap?: Readonly<Record<string, Uint8Array>>;
  /** Send a wrong Docker-Content-Digest header on manifest responses. */
  readonly wrongDigestHeader?: boolean;
  /** Paginate the referrers API: this many descriptors per page, with `Link: rel="next"`. */
  readonly referrersPageSize?: number;
  /** Answer every referrers page with a `next` link to itself (a misbehaving registry). */
  readonly referrersLoop?: boolean;
  /** Realm written into the Bearer challenge. Default this server's /token. */
  readonly realm?: string;
}

/** A loopback mock of a token-protected registry serving one store under any repository. */
export interface MockRegistry {
  readonly host: string;
  readonly requests: string[];
  readonly tokenRequests: { readonly query: string; readonly authorization?: string }[];
  close(): Promise<void>;
}

const TOKEN = 'mock-token-7f3a';

export async function startMockRegistry(
  store: OciStore,
  options: MockRegistryOptions,
): Promise<MockRegistry> {
  const requests: string[] = [];
  const tokenRequests: { query: string; authorization?: string }[] = [];
  const basic = options.credentials
    ? `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString('base64')}`
    : undefined;
  let host = '';

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://${host}`);
    requests.push(`${req.method} ${url.pathname}`);
    if (url.pathname === '/token') {
      tokenRequests.push({
        query: url.search,
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      });
      if (basic && req.headers.authorization !== basic) {
        res.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: TOKEN, expires_in: 300 }));
      return;
    }
    const fail = options.failPaths?.[url.pathname];
    if (fail) {
      res.writeHead(fail).end();
      return;
    }
    if (options.auth === 'bearer' && req.headers.authorization !== `Bearer ${TOKEN}`) {
      const realm = options.realm ?? `http://${host}/token`;
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="${realm}",service="mock.registry",scope="repository:${url.pathname.split('/').slice(2, 4).join('/')}:pull"`,
        'content-type': 'application/json',
      });
      res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    }
    if (options.auth === 'basic' && req.headers.authorization !== basic) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="mock"' }).end();
      return;
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs|referrers)\/([^/]+)$/.exec(url.pathname);
    if (!m) {
      res.writeHead(url.pathname === '/v2/' ? 200 : 404).end();
      return;
    }
    const [, , kind, reference] = m as unknown as [string, string, string, string];
    if (kind === 'referrers') {
      if (options.referrersApi === false) {
        res.writeHead(404).end();
        return;
      }
      const manifests = [];
      for (const digest of store.manifests) {
        const json = store.json<{
          subject?: { digest: string };
          artifactType?: string;
          mediaType: string;
        }>(digest);
        if (json.subject?.digest !== reference) continue;
        manifests.push({
          mediaType: json.mediaType,
          digest,
          size: store.bytes(digest).length,
          ...(json.artifactType ? { artifactType: json.artifactType } : {}),
        });
      }
      const size = options.referrersPageSize ?? manifests.length;
      const from = Number(url.searchParams.get('last') ?? 0);
      const page = manifests.slice(from, from + size);
      const headers: Record<string, string> = {
        'content-type': 'application/vnd.oci.image.index.v1+json',
      };
      if (options.referrersLoop) {
        headers.link = `<${url.pathname}?last=0>; rel="next"`;
      } else if (from + size < manifests.length) {
        headers.link = `<${url.pathname}?n=${size}&last=${from + size}>; rel="next"`;
      }
      res.writeHead(200, headers);
      res.end(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: page,
        }),
      );
      return;
    }
    const digest = reference.startsWith('sha256:') ? reference : store.tags.get(reference);
    const blob = digest ? store.blobs.get(digest) : undefined;
    if (!digest || !blob || (kind === 'manifests') !== store.manifests.has(digest)) {
      res.writeHead(404).end();
      return;
    }
    const bytes = options.swap?.[digest] ?? blob.bytes;
    const headers: Record<string, string> = {
      'content-type': kind === 'manifests' ? blob.mediaType : 'application/octet-stream',
      'content-length': String(bytes.length),
    };
    if (kind === 'manifests') {
      headers['docker-content-digest'] = options.wrongDigestHeader
        ? `sha256:${'9'.repeat(64)}`
        : digest;
    }
    res.writeHead(200, headers).end(Buffer.from(bytes));
  };

  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    requests,
    tokenRequests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
