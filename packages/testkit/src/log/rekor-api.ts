import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { type CanonicalJsonValue, canonicalJsonBytes } from './canonical-json.js';
import { leafHash } from './merkle.js';
import type { TestRekorV1 } from './rekor-v1.js';
import type { TlogEntryJson } from './tlog-base.js';

/** One `LogEntry` of the Rekor v1 REST API, as rekor.sigstore.dev answers it. */
export interface RekorApiLogEntryJson {
  body: string;
  integratedTime: number;
  logID: string;
  logIndex: number;
  verification: {
    signedEntryTimestamp?: string;
    inclusionProof?: {
      logIndex: number;
      rootHash: string;
      treeSize: number;
      hashes: string[];
      checkpoint: string;
    };
  };
}

const hexOf = (b64: string): string => Buffer.from(b64, 'base64').toString('hex');

function safeNumber(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} ${value} does not fit a JSON number`);
  return n;
}

/**
 * A bundle `tlogEntries[]` item in the REST API's shape: hex log id, root and proof hashes,
 * JSON numbers, the checkpoint as text. `uuid` is the 80-hex entry id Rekor files it under
 * (16 hex digits of the tree id, then the RFC 6962 leaf hash of the body).
 */
export function rekorApiLogEntry(
  entry: TlogEntryJson,
  treeId: string | bigint = 0n,
): { uuid: string; value: RekorApiLogEntryJson } {
  const body = new Uint8Array(Buffer.from(entry.canonicalizedBody, 'base64'));
  const tree = BigInt(treeId) > 0n ? BigInt(treeId).toString(16).padStart(16, '0') : '';
  const p = entry.inclusionProof;
  return {
    uuid: `${tree}${Buffer.from(leafHash(body)).toString('hex')}`,
    value: {
      body: entry.canonicalizedBody,
      integratedTime: safeNumber(entry.integratedTime, 'integratedTime'),
      logID: hexOf(entry.logId.keyId),
      logIndex: safeNumber(entry.logIndex, 'logIndex'),
      verification: {
        ...(entry.inclusionPromise
          ? { signedEntryTimestamp: entry.inclusionPromise.signedEntryTimestamp }
          : {}),
        ...(p
          ? {
              inclusionProof: {
                logIndex: safeNumber(p.logIndex, 'inclusionProof.logIndex'),
                rootHash: hexOf(p.rootHash),
                treeSize: safeNumber(p.treeSize, 'inclusionProof.treeSize'),
                hashes: p.hashes.map(hexOf),
                checkpoint: p.checkpoint.envelope,
              },
            }
          : {}),
      },
    },
  };
}

/** A request the server received. */
export interface RekorApiRequest {
  readonly method: string;
  readonly path: string;
  readonly body: string;
}

/**
 * How the server misbehaves; every switch is off by default. Entries can be altered one by
 * one with `transform`; the transport lies are global.
 */
export interface RekorApiBehaviour {
  /** Answer every request with this HTTP status and a JSON error body. */
  status?: number;
  /** Wait this long before answering (a slow server). */
  delayMs?: number;
  /** Send only the first half of every JSON answer, then close. */
  truncate?: boolean;
  /** Answer with this many bytes of JSON-looking filler, without a Content-Length. */
  oversizeBytes?: number;
  /**
   * Answer with a gzip-compressed body (`Content-Encoding: gzip`) that expands to this many
   * bytes of JSON-looking filler: small on the wire, large once decompressed.
   */
  gzipBombBytes?: number;
  /** Answer with a redirect (302) to this URL. */
  redirectTo?: string;
  /** Answer with this text (status 200, `application/json`) whatever was asked. */
  rawBody?: string;
  /** Rewrite each entry (its UUID and value) on the way out: wrong SETs, proofs, UUIDs. */
  transform?: (
    uuid: string,
    value: RekorApiLogEntryJson,
  ) => { uuid: string; value: RekorApiLogEntryJson };
  /** Answer every search with these entries instead of the matching ones (wrong entries). */
  answerWith?: readonly TlogEntryJson[];
}

/** A running loopback Rekor API started by {@link startTestRekorApi}. */
export interface RekorApiServer {
  /** `http://127.0.0.1:<port>`, the `--rekor-url` of the server. */
  readonly url: string;
  /** Every request received, oldest first. */
  readonly requests: readonly RekorApiRequest[];
  /** Serve these log entries too (bundle `tlogEntries[]` items of the server's log). */
  add(...entries: TlogEntryJson[]): void;
  /** Change the behaviour for the following requests (replaces the previous one). */
  behave(behaviour: RekorApiBehaviour): void;
  /** Forget the recorded requests. */
  clearRequests(): void;
  stop(): Promise<void>;
}

interface Stored {
  readonly entry: TlogEntryJson;
  readonly uuid: string;
  /** `sha256:<hex>` of the artifact a hashedrekord body names. */
  readonly artifactHash?: string;
}

function artifactHashOf(entry: TlogEntryJson): string | undefined {
  try {
    const body = JSON.parse(Buffer.from(entry.canonicalizedBody, 'base64').toString('utf8')) as {
      spec?: { data?: { hash?: { algorithm?: string; value?: string } } };
    };
    const h = body.spec?.data?.hash;
    return h?.algorithm && h.value ? `${h.algorithm}:${h.value.toLowerCase()}` : undefined;
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1 << 20) throw new Error('request body larger than 1 MiB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Start an in-process Rekor v1 REST API on a free loopback port, serving the entries of
 * `log` that are {@link RekorApiServer.add}ed, as rekor.sigstore.dev answers:
 * `POST /api/v1/index/retrieve` (`{"hash":"sha256:<hex>"}` → UUIDs),
 * `GET /api/v1/log/entries/{uuid}` (`{uuid: LogEntry}`, 404 when unknown),
 * `POST /api/v1/log/entries/retrieve` (`{"entryUUIDs":[…]}`, `{"logIndexes":[…]}` or
 * `{"entries":[proposed entry]}` → `[{uuid: LogEntry}, …]`) and `GET /api/v1/log` (tree
 * size, root hash, signed tree head). {@link RekorApiBehaviour} makes it lie or break.
 */
export async function startTestRekorApi(log: TestRekorV1): Promise<RekorApiServer> {
  const stored: Stored[] = [];
  const requests: RekorApiRequest[] = [];
  let behaviour: RekorApiBehaviour = {};

  const out = (s: Stored): Record<string, RekorApiLogEntryJson> => {
    const api = rekorApiLogEntry(s.entry, log.treeId);
    const { uuid, value } = behaviour.transform ? behaviour.transform(api.uuid, api.value) : api;
    return { [uuid]: value };
  };
  const asStored = (entry: TlogEntryJson): Stored => {
    const hash = artifactHashOf(entry);
    return {
      entry,
      uuid: rekorApiLogEntry(entry, log.treeId).uuid,
      ...(hash === undefined ? {} : { artifactHash: hash }),
    };
  };
  const candidates = (): readonly Stored[] =>
    behaviour.answerWith ? behaviour.answerWith.map(asStored) : stored;
  const byUuid = (id: string): Stored | undefined => {
    const leaf = id.toLowerCase().slice(-64);
    return candidates().find((s) => s.uuid.slice(-64) === leaf);
  };

  const route = (method: string, path: string, body: string): [number, unknown] => {
    const parse = (): Record<string, unknown> => {
      const v = JSON.parse(body) as unknown;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
      return v as Record<string, unknown>;
    };
    if (method === 'POST' && path === '/api/v1/index/retrieve') {
      const q = parse();
      const hash = typeof q.hash === 'string' ? q.hash.toLowerCase() : undefined;
      if (hash === undefined)
        return [422, { code: 422, message: 'hash is required by this server' }];
      return [
        200,
        candidates()
          .filter((s) => behaviour.answerWith || s.artifactHash === hash)
          .map((s) => s.uuid),
      ];
    }
    if (method === 'POST' && path === '/api/v1/log/entries/retrieve') {
      const q = parse();
      const found: Stored[] = [];
      for (const id of Array.isArray(q.entryUUIDs) ? q.entryUUIDs : []) {
        const s = typeof id === 'string' ? byUuid(id) : undefined;
        if (s) found.push(s);
      }
      for (const index of Array.isArray(q.logIndexes) ? q.logIndexes : []) {
        const s = candidates().find((c) => c.entry.logIndex === String(index));
        if (s) found.push(s);
      }
      for (const proposed of Array.isArray(q.entries) ? q.entries : []) {
        if (behaviour.answerWith) {
          found.push(...candidates());
          break;
        }
        const leaf = Buffer.from(
          leafHash(canonicalJsonBytes(proposed as CanonicalJsonValue)),
        ).toString('hex');
        const s = byUuid(leaf);
        if (s) found.push(s);
      }
      return [200, found.map(out)];
    }
    const entry = /^\/api\/v1\/log\/entries\/([0-9a-fA-F]+)$/.exec(path);
    if (method === 'GET' && entry) {
      const s = byUuid(entry[1] as string);
      return s ? [200, out(s)] : [404, { code: 404, message: 'entry not found' }];
    }
    if (method === 'GET' && path === '/api/v1/log') {
      return [
        200,
        {
          rootHash: Buffer.from(log.rootHash()).toString('hex'),
          treeSize: Number(log.size),
          signedTreeHead: log.checkpoint(),
          treeID: log.treeId,
        },
      ];
    }
    return [404, { code: 404, message: `no route ${method} ${path}` }];
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] as string;
    requests.push({ method: req.method ?? '', path, body });
    const b = behaviour;
    if (b.delayMs) await new Promise((r) => setTimeout(r, b.delayMs));
    if (res.destroyed) return;
    if (b.redirectTo !== undefined) {
      res.writeHead(302, { location: b.redirectTo }).end();
      return;
    }
    if (b.status !== undefined) {
      res
        .writeHead(b.status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ code: b.status, message: 'test server error' }));
      return;
    }
    if (b.gzipBombBytes !== undefined) {
      const body = gzipSync(
        Buffer.concat([Buffer.from('['), Buffer.alloc(b.gzipBombBytes, 0x20), Buffer.from(']')]),
      );
      res
        .writeHead(200, {
          'content-type': 'application/json',
          'content-encoding': 'gzip',
          'content-length': body.length,
        })
        .end(body);
      return;
    }
    if (b.oversizeBytes !== undefined) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let left = b.oversizeBytes;
      res.write('[');
      while (left > 0 && !res.destroyed) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        if (!res.write(piece)) await new Promise((r) => res.once('drain', r));
      }
      res.end(']');
      return;
    }
    let status: number;
    let answer: string;
    if (b.rawBody !== undefined) {
      status = 200;
      answer = b.rawBody;
    } else {
      let value: unknown;
      try {
        [status, value] = route(req.method ?? '', path, body);
      } catch (error) {
        [status, value] = [400, { code: 400, message: (error as Error).message }];
      }
      answer = JSON.stringify(value);
    }
    if (b.truncate) answer = answer.slice(0, Math.floor(answer.length / 2));
    res
      .writeHead(status, {
        'content-type': 'application/json',
        ...(b.truncate ? {} : { 'content-length': Buffer.byteLength(answer) }),
      })
      .end(answer);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    add(...entries) {
      for (const e of entries) stored.push(asStored(e));
    },
    behave(next) {
      behaviour = { ...next };
    },
    clearRequests() {
      requests.length = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
