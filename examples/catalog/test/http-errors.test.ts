import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCatalogServer,
  HTTP_ERROR_CODES,
  MAX_URL_LENGTH,
  type RunningCatalog,
  startCatalogServer,
} from '../src/server.js';
import { CatalogStore } from '../src/store.js';
import { now, seededDataDir } from './support.js';

// Errors of the HTTP layer itself, sent as raw bytes over a socket (so that malformed
// requests reach the server as they are): each must answer with its 4xx status and the
// documented body `{ error: { code, message, detail } }`.

let data: { dir: string; remove: () => Promise<void> };
let store: CatalogStore;
let running: RunningCatalog;

beforeAll(async () => {
  data = await seededDataDir();
  store = await CatalogStore.open(data.dir, { now });
  running = await startCatalogServer({ store, host: '127.0.0.1', port: 0, logger: false });
});
afterAll(async () => {
  await running?.close();
  await data?.remove();
});

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Send `request` as it is and read the first response (the server closes or it is complete). */
function raw(url: string, request: string | Buffer): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete response; got ${Buffer.concat(chunks).toString('latin1')}`));
    }, 10_000);
    const finish = () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      const body = text.slice(end + 4);
      const length = Number(headers['content-length'] ?? Number.NaN);
      if (Number.isFinite(length) && Buffer.byteLength(body) < length) return false;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: Number(statusLine?.split(' ')[1]), headers, body });
      return true;
    };
    socket.on('data', (d) => {
      chunks.push(d);
      finish();
    });
    socket.on('error', () => {
      // A reset after the answer was read is fine; without an answer the timer reports it.
      finish();
    });
    socket.on('close', () => {
      if (!finish()) {
        clearTimeout(timer);
        reject(new Error(`closed without a response: ${Buffer.concat(chunks).toString('latin1')}`));
      }
    });
    socket.write(request);
  });
}

/** Require the documented error shape with `status` and `code`; returns the error object. */
function expectError(response: RawResponse, status: number, code: string) {
  expect(response.status, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(response.body);
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error).toEqual({
    code,
    message: expect.any(String),
    detail: expect.any(Object),
  });
  expect(body.error.message.length).toBeGreaterThan(0);
  return body.error as { code: string; message: string; detail: Record<string, unknown> };
}

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is checked field by field
type Json = any;

const get = (path: string, headers = '') =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${headers}\r\n`;

describe('HTTP-layer errors answer in the documented shape', () => {
  it.each([
    ['/api/v1/modules/%', 'a lone percent sign'],
    ['/api/v1/modules/%zz/vex', 'a percent sign without hex digits'],
    ['/api/v1/modules/%E0%A4%A', 'a truncated UTF-8 sequence'],
  ])('an undecodable path %s (%s) → 400 URL_INVALID', async (path) => {
    const error = expectError(await raw(running.url, get(path)), 400, 'URL_INVALID');
    expect(error.detail.reason).toBe('FST_ERR_BAD_URL');
  });

  it('headers over Node’s limit (a 20 kB header) → 431 HEADERS_TOO_LARGE, connection closed', async () => {
    const response = await raw(
      running.url,
      get('/api/v1/modules', `X-Big: ${'a'.repeat(20_000)}\r\n`),
    );
    const error = expectError(response, 431, 'HEADERS_TOO_LARGE');
    expect(error.detail.reason).toBe('HPE_HEADER_OVERFLOW');
    expect(response.headers.connection).toBe('close');
  });

  it('a request line over Node’s limit (a 20 kB URL) → 431 HEADERS_TOO_LARGE', async () => {
    const response = await raw(running.url, get(`/api/v1/modules?q=${'a'.repeat(20_000)}`));
    expectError(response, 431, 'HEADERS_TOO_LARGE');
  });

  it(`a request target over ${MAX_URL_LENGTH} characters that Node accepts → 414 URI_TOO_LONG`, async () => {
    const path = `/api/v1/modules?q=${'a'.repeat(MAX_URL_LENGTH)}`;
    const error = expectError(await raw(running.url, get(path)), 414, 'URI_TOO_LONG');
    expect(error.detail.actual).toBe(path.length);
    // One that is just short enough is served.
    const fits = `/api/v1/modules?q=${'a'.repeat(MAX_URL_LENGTH - 18)}`;
    expect(fits.length).toBe(MAX_URL_LENGTH);
    expect((await raw(running.url, get(fits))).status).toBe(200);
  });

  it('a request whose headers do not arrive in time → 408 REQUEST_TIMEOUT, connection closed', async () => {
    // Node raises this after its headersTimeout (60 s, checked every 30 s): hand the same
    // error to the server's clientError listener on a real connection instead of waiting.
    const server = running.app.server;
    const accepted = new Promise<import('node:net').Socket>((resolve) =>
      server.once('connection', resolve),
    );
    const { hostname, port } = new URL(running.url);
    const client = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    client.on('data', (d) => chunks.push(d));
    const closed = new Promise((resolve) => client.on('close', resolve));
    client.write('GET /api/v1/modules HTTP/1.1\r\nHost: x\r\n');
    const socket = await accepted;
    server.emit(
      'clientError',
      Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }),
      socket,
    );
    await closed;
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(text).toContain('Connection: close');
    const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
    expect(body).toEqual({
      error: {
        code: 'REQUEST_TIMEOUT',
        message: expect.any(String),
        detail: { reason: 'ERR_HTTP_REQUEST_TIMEOUT' },
      },
    });
  });

  it.each([
    ['a malformed request line', 'GET /api/v1/modules HTTP/1.1 extra\r\nHost: x\r\n\r\n'],
    ['a header without a colon', 'GET /api/v1/modules HTTP/1.1\r\nHost: x\r\nBroken\r\n\r\n'],
    ['an invalid method token', 'G@T /api/v1/modules HTTP/1.1\r\nHost: x\r\n\r\n'],
    [
      'a bad chunk size',
      'GET /api/v1/modules HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    ],
    [
      'Content-Length together with Transfer-Encoding',
      'POST /api/v1/modules HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
  ])('%s → 400 BAD_REQUEST from the parser', async (_what, request) => {
    const error = expectError(await raw(running.url, request), 400, 'BAD_REQUEST');
    expect(String(error.detail.reason)).toMatch(/^HPE_/);
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])(
    '%s on a known route → 405 METHOD_NOT_ALLOWED with Allow, before any body is read',
    async (method) => {
      for (const path of [
        '/api/v1/modules',
        '/api/v1/modules/grafana/vex',
        '/modules/grafana',
        '/',
      ]) {
        // POST publishes on /api/v1/modules (tested in publish.test.ts).
        const allowed = path === '/api/v1/modules' ? ['GET', 'HEAD', 'POST'] : ['GET', 'HEAD'];
        if (allowed.includes(method)) continue;
        // A body that is not JSON although it says it is: never parsed.
        const response = await raw(
          running.url,
          `${method} ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 3\r\n\r\n{x!`,
        );
        const error = expectError(response, 405, 'METHOD_NOT_ALLOWED');
        expect(response.headers.allow).toBe(allowed.join(', '));
        expect(error.detail).toEqual({ expected: allowed, actual: method });
      }
    },
  );

  it.each([
    ['a body that is not JSON', 'application/json', '{"slug":'],
    [
      'a multipart body without its closing boundary',
      'multipart/form-data; boundary=xyz',
      '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1',
    ],
    ['a multipart body without boundary=', 'multipart/form-data', 'a=1'],
    ['a form with a repeated field', 'application/x-www-form-urlencoded', 'a=1&a=2'],
  ])(
    '%s sent to an unknown API route → 404 NOT_FOUND, the body unread',
    async (_what, type, body) => {
      const response = await raw(
        running.url,
        `POST /api/v1/upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      const error = expectError(response, 404, 'NOT_FOUND');
      expect(error.detail.actual).toBe('/api/v1/upload');
    },
  );

  it('a GET with a body that is not JSON ignores the body (the API takes none)', async () => {
    const response = await raw(
      running.url,
      'GET /api/v1/modules HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 3\r\n\r\n{x!',
    );
    expect(response.status).toBe(200);
  });

  it.each([
    ['/api/v2/modules'],
    ['/api'],
    ['/api/v1/modules/grafana/nope'],
    ['/.well-known/nope'],
    ['/assets/nope.js'],
  ])('GET %s (an unknown route outside the pages) → 404 NOT_FOUND', async (path) => {
    expectError(await raw(running.url, get(path)), 404, 'NOT_FOUND');
  });

  it('a slug longer than the router takes → 400 SLUG_INVALID on the API', async () => {
    const error = expectError(
      await raw(running.url, get(`/api/v1/modules/${'a'.repeat(200)}/vex`)),
      400,
      'SLUG_INVALID',
    );
    expect(error.detail.expected).toBeTypeOf('string');
  });
});

describe('unknown pages answer 404 with the page', () => {
  it.each([
    ['/modules/nope', 'an unknown module'],
    ['/modules/Not_A_Slug', 'an invalid slug'],
    [`/modules/${'a'.repeat(200)}`, 'a slug longer than the router takes'],
    ['/nope', 'an unknown page'],
    ['/modules/grafana/extra', 'a path under a module'],
  ])('GET %s (%s) → 404 with the HTML page', async (path) => {
    const response = await raw(running.url, get(path));
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.body).toContain('/assets/app.js');
  });

  it('a known module page is still 200', async () => {
    const response = await raw(running.url, get('/modules/grafana'));
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
  });
});

describe('body errors of routes that take a body', () => {
  // The catalog's own routes take no body; this checks the app's error handler maps
  // Fastify's body errors to the shape, for a route added the way a deployment would add one.
  let extra: RunningCatalog['app'];
  let url: string;
  beforeAll(async () => {
    extra = createCatalogServer({ store, logger: false });
    extra.post('/api/v1/echo', async (request) => ({ got: request.body }));
    await extra.listen({ host: '127.0.0.1', port: 0 });
    const address = extra.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await extra?.close();
  });

  const post = (type: string | undefined, body: string | Buffer) =>
    Buffer.concat([
      Buffer.from(
        `POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${type ? `Content-Type: ${type}\r\n` : ''}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
      ),
      Buffer.isBuffer(body) ? body : Buffer.from(body),
    ]);

  it('accepts valid JSON (the route works)', async () => {
    const response = await raw(url, post('application/json', '{"a":1}'));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ got: { a: 1 } });
  });

  it('a body that is not JSON → 400 BODY_INVALID', async () => {
    const error = expectError(
      await raw(url, post('application/json', '{"a":')),
      400,
      'BODY_INVALID',
    );
    expect(error.detail.reason).toBe('FST_ERR_CTP_INVALID_JSON_BODY');
  });

  it('an empty JSON body → 400 BODY_INVALID', async () => {
    expectError(await raw(url, post('application/json', '')), 400, 'BODY_INVALID');
  });

  it.each([
    [
      'multipart/form-data; boundary=xyz',
      '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1',
    ],
    ['multipart/form-data', 'a=1'],
    ['application/x-www-form-urlencoded', 'a=1&a=2'],
    ['application/xml', '<a/>'],
  ])('an unsupported media type %s → 415 UNSUPPORTED_MEDIA_TYPE', async (type, body) => {
    const error = expectError(await raw(url, post(type, body)), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(error.detail.actual).toBe(type);
  });

  it('a body over the limit → 413 PAYLOAD_TOO_LARGE', async () => {
    const big = Buffer.alloc(1024 * 1024 + 16, 0x20);
    const error = expectError(
      await raw(url, post('application/json', big)),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expect(error.detail.expected).toBe(`at most ${1024 * 1024} bytes`);
  });
});

describe('the OpenAPI document lists the HTTP-layer errors', () => {
  it('gives every operation 400, 414 and 431 and names every code with its status', async () => {
    const doc = (await (await fetch(`${running.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: { Error: { properties: { error: Json } } } };
    };
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const op of Object.values(item)) {
        expect(Object.keys(op.responses), path).toEqual(
          expect.arrayContaining(['200', '400', '414', '431']),
        );
      }
    }
    const error = doc.components.schemas.Error.properties.error;
    expect(error.required).toEqual(['code', 'message', 'detail']);
    for (const [status, codes] of Object.entries(HTTP_ERROR_CODES)) {
      for (const code of codes) {
        expect(error.properties.code.description).toMatch(
          new RegExp(`\`${code}\`[^(]*\\(${status}`),
        );
      }
    }
  });
});
