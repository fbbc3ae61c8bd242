import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupDirs,
  controllerYaml,
  type InProcess,
  install,
  setupDir,
  startInProcess,
} from './support/harness.js';
import { keyedSig, keys, moduleBytes } from './support/world.js';

/** A raw HTTP exchange: what was answered, parsed by hand (the request may be malformed). */
interface RawReply {
  readonly status: number;
  readonly headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies freely
  readonly body: any;
  readonly text: string;
}

/** Send bytes as they are over a TCP connection and read until the server closes it (5 s at most). */
function raw(url: string, request: string | Buffer): Promise<RawReply> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no complete answer within 5 s'));
    }, 5_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {}); // a reset after the answer is fine
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const head = text.slice(0, split).split('\r\n');
      const status = Number(head[0]?.split(' ')[1]);
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      const body = text.slice(split + 4);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = undefined;
      }
      resolve({ status, headers, body: parsed, text });
    });
    socket.write(request);
  });
}

const req = (line: string, headers: string[] = [], body: string | Buffer = ''): Buffer =>
  Buffer.concat([
    Buffer.from(
      `${line}\r\nHost: localhost\r\nConnection: close\r\n${headers.map((h) => `${h}\r\n`).join('')}${
        body.length ? `Content-Length: ${Buffer.byteLength(body)}\r\n` : ''
      }\r\n`,
    ),
    Buffer.from(body),
  ]);

/** The documented error shape, exactly: `{ error: { code, message, detail } }`. */
function expectError(reply: RawReply, status: number, code: string): void {
  expect([reply.status, reply.body?.error?.code], reply.text).toEqual([status, code]);
  expect(reply.headers['content-type']).toMatch(/^application\/json/);
  expect(Object.keys(reply.body)).toEqual(['error']);
  expect(Object.keys(reply.body.error).sort()).toEqual(['code', 'detail', 'message']);
  expect(typeof reply.body.error.message).toBe('string');
  expect(typeof reply.body.error.detail).toBe('object');
}

const BOUNDARY = 'flareoBoundary42';
const multipartReq = (body: string, contentType = `multipart/form-data; boundary=${BOUNDARY}`) =>
  req('POST /api/v1/modules HTTP/1.1', [`Content-Type: ${contentType}`], body);
const filePart = (field: string, name: string, content: string) =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n${content}\r\n`;
const fieldPart = (field: string, value: string) =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"\r\n\r\n${value}\r\n`;

let dir: string;
let c: InProcess;

beforeAll(async () => {
  dir = setupDir({
    'trust.pem': keys.authorA.publicKeyPem,
    'controller.yml': controllerYaml('production', 'mode: KEYED\ntrustRoot: trust.pem'),
  });
  c = await startInProcess(dir);
});
afterAll(async () => {
  await c?.close();
  cleanupDirs();
});

describe('errors of the HTTP layer answer in the documented shape', () => {
  it('an undecodable path (%) is 400 REQUEST_INVALID', async () => {
    expectError(await raw(c.url, req('GET /api/v1/modules/% HTTP/1.1')), 400, 'REQUEST_INVALID');
    const zz = await raw(c.url, req('DELETE /api/v1/modules/%zz HTTP/1.1'));
    expectError(zz, 400, 'REQUEST_INVALID');
    expect(zz.body.error.detail.actual).toBe('FST_ERR_BAD_URL');
  });

  it('a 20 kB header is 431 HEADERS_TOO_LARGE (from the HTTP parser, before Fastify)', async () => {
    const reply = await raw(c.url, req('GET /healthz HTTP/1.1', [`X-Big: ${'a'.repeat(20_000)}`]));
    expectError(reply, 431, 'HEADERS_TOO_LARGE');
    expect(reply.body.error.detail.actual).toBe('HPE_HEADER_OVERFLOW');
  });

  it('a malformed request line or chunk is 400 REQUEST_INVALID from the parser', async () => {
    expectError(await raw(c.url, 'NOT AN HTTP REQUEST\r\n\r\n'), 400, 'REQUEST_INVALID');
    const chunked = Buffer.from(
      'POST /api/v1/modules HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\nzz\r\nhello\r\n0\r\n\r\n',
    );
    expectError(await raw(c.url, chunked), 400, 'REQUEST_INVALID');
  });

  it('an unknown route is 404 ROUTE_NOT_FOUND', async () => {
    const reply = await raw(c.url, req('GET /api/v2/nothing HTTP/1.1'));
    expectError(reply, 404, 'ROUTE_NOT_FOUND');
    expect(reply.body.error.detail.actual).toBe('/api/v2/nothing');
  });

  it.each([
    ['PUT /api/v1/modules', 'GET, HEAD, POST'],
    ['PATCH /api/v1/modules/some-module', 'DELETE, GET, HEAD'],
    ['POST /healthz', 'GET, HEAD'],
  ])('%s is 405 METHOD_NOT_ALLOWED with Allow: %s', async (line, allow) => {
    const reply = await raw(c.url, req(`${line} HTTP/1.1`));
    expectError(reply, 405, 'METHOD_NOT_ALLOWED');
    expect(reply.headers.allow).toBe(allow);
    expect(reply.body.error.detail.expected).toEqual(allow.split(', '));
  });

  it('a body that is not multipart: invalid JSON 400, an unknown type 415, plain text 400', async () => {
    const json = await raw(
      c.url,
      req('POST /api/v1/modules HTTP/1.1', ['Content-Type: application/json'], '{"module":'),
    );
    expectError(json, 400, 'REQUEST_INVALID');
    const xml = await raw(
      c.url,
      req('POST /api/v1/modules HTTP/1.1', ['Content-Type: application/xml'], '<module/>'),
    );
    expectError(xml, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const text = await raw(
      c.url,
      req('POST /api/v1/modules HTTP/1.1', ['Content-Type: text/plain'], 'a module'),
    );
    expectError(text, 400, 'REQUEST_INVALID');
    expect(text.body.error.detail.expected).toBe('multipart/form-data');
  });

  it('an oversized non-multipart body is 413 PAYLOAD_TOO_LARGE', async () => {
    const big = `"${'x'.repeat(2 * 1024 * 1024)}"`;
    const reply = await raw(
      c.url,
      req('POST /api/v1/modules HTTP/1.1', ['Content-Type: application/json'], big),
    );
    expectError(reply, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('multipart without its closing boundary is 400 REQUEST_INVALID', async () => {
    const reply = await raw(c.url, multipartReq(filePart('module', 'm.jar', 'module bytes')));
    expectError(reply, 400, 'REQUEST_INVALID');
    expect(reply.body.error.message).toMatch(/^malformed multipart body/);
  });

  it('multipart without boundary= is 400 REQUEST_INVALID', async () => {
    const body = `${filePart('module', 'm.jar', 'x')}--${BOUNDARY}--\r\n`;
    expectError(
      await raw(c.url, multipartReq(body, 'multipart/form-data')),
      400,
      'REQUEST_INVALID',
    );
  });

  it('a repeated "name" field is 400 REQUEST_INVALID, and installs nothing', async () => {
    const body = `${fieldPart('name', 'one')}${fieldPart('name', 'two')}${filePart('module', 'm.jar', 'x')}--${BOUNDARY}--\r\n`;
    const reply = await raw(c.url, multipartReq(body));
    expectError(reply, 400, 'REQUEST_INVALID');
    expect(reply.body.error.message).toContain('"name" field is given twice');
  });

  it('many unknown fields or files are refused at the first that does not belong', async () => {
    const body = `${Array.from({ length: 8 }, (_, i) => fieldPart(`f${i}`, 'v')).join('')}--${BOUNDARY}--\r\n`;
    const reply = await raw(c.url, multipartReq(body));
    expectError(reply, 400, 'REQUEST_INVALID');
    const files = `${Array.from({ length: 6 }, (_, i) => filePart('module', `m${i}.jar`, 'x')).join('')}--${BOUNDARY}--\r\n`;
    expectError(await raw(c.url, multipartReq(files)), 400, 'REQUEST_INVALID');
  });

  it('a module name of 128 characters reaches the store; a 2000-character path segment is refused', async () => {
    const name = `m${'x'.repeat(127)}`;
    const bytes = moduleBytes(name);
    const ok = await install(
      c.url,
      { name: `${name}.jar`, bytes },
      { part: 'signature', name: `${name}.jar.sig`, bytes: keyedSig(bytes, keys.authorA) },
    );
    expect(ok.status).toBe(200);
    const got = await raw(c.url, req(`GET /api/v1/modules/${name} HTTP/1.1`));
    expect([got.status, got.body.name]).toEqual([200, name]);
    const long = await raw(c.url, req(`GET /api/v1/modules/${'y'.repeat(200)} HTTP/1.1`));
    expectError(long, 400, 'MODULE_NAME_INVALID');
    const huge = await raw(c.url, req(`GET /api/v1/modules/${'y'.repeat(2000)} HTTP/1.1`));
    expectError(huge, 414, 'REQUEST_INVALID');
  });

  it('an unexpected failure is 500 INTERNAL_ERROR and tells nothing of it', async () => {
    const other = setupDir({
      'trust.pem': keys.authorA.publicKeyPem,
      'controller.yml': controllerYaml('production', 'mode: KEYED\ntrustRoot: trust.pem'),
    });
    const broken = await startInProcess(other);
    try {
      rmSync(join(other, 'modules'), { recursive: true, force: true });
      const reply = await raw(broken.url, req('GET /api/v1/modules HTTP/1.1'));
      expectError(reply, 500, 'INTERNAL_ERROR');
      expect(reply.body.error).toEqual({
        code: 'INTERNAL_ERROR',
        message: 'internal error',
        detail: {},
      });
    } finally {
      await broken.close();
    }
  });
});
