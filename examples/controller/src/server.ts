import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyServerOptions } from 'fastify';
import type { AuditLog } from './audit.js';
import { clientCertificate, type Principal, type Scope, type TokenStore } from './auth.js';
import type { ControllerConfig } from './config.js';
import { ControllerError, type ControllerErrorCode, jsonSafe } from './errors.js';
import type { ModuleStore } from './store.js';
import { checkModuleName, safeFileName } from './store.js';
import type { LoadedTrust, ModuleSignature, ModuleVerifier } from './trust.js';

/** HTTP status of each controller error code. */
export const HTTP_STATUS: Readonly<Partial<Record<ControllerErrorCode, number>>> = {
  REQUEST_INVALID: 400,
  SIGNATURE_KIND_MISMATCH: 400,
  MODULE_NAME_INVALID: 400,
  AUTH_REQUIRED: 401,
  TOKEN_INVALID: 401,
  SCOPE_MISSING: 403,
  MODULE_NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  MODULE_EXISTS: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  SIGNATURE_VERIFICATION_FAILED: 422,
  HEADERS_TOO_LARGE: 431,
  INSTALL_FAILED: 500,
  INTERNAL_ERROR: 500,
};

/** What the HTTP server is built from. */
export interface ServerDependencies {
  readonly config: ControllerConfig;
  readonly trust: LoadedTrust;
  readonly verifier: ModuleVerifier;
  readonly store: ModuleStore;
  readonly audit: AuditLog;
  /** API authentication; none when omitted. */
  readonly auth?: ApiAuth;
}

/** How API requests are authenticated. */
export interface ApiAuth {
  /** Bearer tokens (`controller.auth.tokens`); when set, every `/api/` request needs one. */
  readonly tokens: TokenStore | undefined;
  /** Client certificates are required by the TLS layer (`controller.listen.tls.clientCa`). */
  readonly clientCertificates: boolean;
}

/** The scope an API request needs: GET/HEAD read, POST install, DELETE remove. */
export function scopeFor(method: string): Scope | undefined {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return 'read';
    case 'POST':
      return 'install';
    case 'DELETE':
      return 'remove';
    default:
      return undefined;
  }
}

const REALM = 'flareo-controller';

/** The body of every error response: `{ error: { code, message, detail } }`. */
export interface ErrorBody {
  readonly error: {
    readonly code: ControllerErrorCode;
    readonly message: string;
    /** The error's structured detail (`reason`, `expected`, `actual`, …); `{}` when none. */
    readonly detail: Record<string, unknown>;
  };
}

/** The response body of a controller error. */
export function errorBody(error: ControllerError): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      detail: jsonSafe(error.detail) as Record<string, unknown>,
    },
  };
}

/**
 * Any error that reaches the HTTP layer as a controller error and its status: the
 * controller's own errors keep theirs; the framework's and the multipart parser's 4xx keep
 * their status under a controller code; anything else is a 500 `INTERNAL_ERROR` whose
 * message is not sent.
 */
export function toHttpError(error: unknown): { error: ControllerError; status: number } {
  if (error instanceof ControllerError) {
    return { error, status: HTTP_STATUS[error.code] ?? 500 };
  }
  const e = error as { statusCode?: unknown; code?: unknown; message?: unknown };
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  const message = typeof e.message === 'string' ? e.message : 'bad request';
  const detail = typeof e.code === 'string' ? { actual: e.code } : {};
  const wrap = (code: ControllerErrorCode, text: string) => ({
    error: new ControllerError(code, text, detail, { cause: error }),
    status,
  });
  switch (status) {
    case 404:
      return wrap('ROUTE_NOT_FOUND', message);
    case 408:
      return wrap('REQUEST_TIMEOUT', message);
    case 413:
      return wrap('PAYLOAD_TOO_LARGE', message);
    case 415:
      return wrap('UNSUPPORTED_MEDIA_TYPE', message);
    case 431:
      return wrap('HEADERS_TOO_LARGE', message);
  }
  if (status >= 400 && status < 500) return wrap('REQUEST_INVALID', message);
  return {
    error: new ControllerError('INTERNAL_ERROR', 'internal error', {}, { cause: error }),
    status: 500,
  };
}

function send(reply: FastifyReply, error: unknown): FastifyReply {
  const mapped = toHttpError(error);
  if (mapped.error.code === 'INTERNAL_ERROR') {
    reply.log.error({ err: error }, 'unexpected error');
  }
  return reply.code(mapped.status).send(errorBody(mapped.error));
}

/**
 * Errors the HTTP parser raises before Fastify sees a request (headers over Node's 16 KiB,
 * a malformed request line, a timeout) answered in the same JSON shape, then the connection
 * is closed.
 */
function onClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, controllerError] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          new ControllerError(
            'HEADERS_TOO_LARGE',
            'the request headers are larger than the server accepts',
            { actual: error.code },
          ),
        ]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [
            408,
            new ControllerError('REQUEST_TIMEOUT', 'the request was not received in time', {
              actual: error.code,
            }),
          ]
        : [
            400,
            new ControllerError('REQUEST_INVALID', 'malformed HTTP request', {
              actual: error.code ?? 'unknown',
            }),
          ];
  const body = JSON.stringify(errorBody(controllerError as ControllerError));
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status as number]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

/**
 * Fastify options that make the framework's own errors answer in the controller's error
 * shape: undecodable paths (`%`), over-long parameters, and HTTP parser errors. Module names
 * are at most 128 characters, so parameters up to 1024 reach the name check (400
 * MODULE_NAME_INVALID) instead of the router's limit.
 */
export function httpServerOptions(): Pick<
  FastifyServerOptions,
  'clientErrorHandler' | 'frameworkErrors' | 'routerOptions'
> {
  return {
    routerOptions: { maxParamLength: 1024 },
    clientErrorHandler: onClientError,
    frameworkErrors: (error, _request, reply) => {
      if (error.code === 'FST_ERR_BAD_URL') {
        send(
          reply,
          new ControllerError(
            'REQUEST_INVALID',
            'the request path is not valid percent-encoded URL text',
            { actual: error.code },
            { cause: error },
          ),
        );
        return;
      }
      send(reply, error);
    },
  };
}

/** Methods by route pattern, collected as routes are registered (for 404 versus 405). */
class RouteTable {
  readonly #routes: { segments: string[]; methods: Set<string> }[] = [];

  add(url: string, methods: string | string[]): void {
    const segments = url.split('/');
    let route = this.#routes.find((r) => r.segments.join('/') === segments.join('/'));
    if (!route) {
      route = { segments, methods: new Set() };
      this.#routes.push(route);
    }
    for (const m of Array.isArray(methods) ? methods : [methods]) route.methods.add(m);
  }

  /** Methods allowed on a concrete path (empty when no route has this path). */
  allowed(path: string): string[] {
    const parts = path.split('/');
    const out = new Set<string>();
    for (const route of this.#routes) {
      if (route.segments.length !== parts.length) continue;
      const match = route.segments.every(
        (seg, i) => seg === parts[i] || (seg.startsWith(':') && (parts[i] ?? '') !== ''),
      );
      if (match) for (const m of route.methods) out.add(m);
    }
    return [...out].sort();
  }
}

const bad = (message: string, detail: { expected?: unknown; actual?: unknown } = {}) =>
  new ControllerError('REQUEST_INVALID', message, detail);

interface Upload {
  module?: { fileName: string; bytes: Buffer };
  bundle?: { fileName: string; bytes: Buffer };
  signature?: { fileName: string; bytes: Buffer };
  name?: string;
}

const FILE_PARTS = ['module', 'bundle', 'signature'] as const;
type FilePart = (typeof FILE_PARTS)[number];

/** Name of a module when the request gives none: its file name without the last extension. */
export function moduleNameFromFile(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/**
 * Register the controller's HTTP API on a Fastify instance (not listening yet):
 * `POST /api/v1/modules`, `GET /api/v1/modules`, `GET|DELETE /api/v1/modules/:name`, `GET /healthz`.
 */
export async function registerApi(app: FastifyInstance, deps: ServerDependencies): Promise<void> {
  const { config, verifier, store, audit, trust } = deps;
  const auth: ApiAuth = deps.auth ?? { tokens: undefined, clientCertificates: false };
  const principals = new WeakMap<object, Principal>();
  const principalOf = (request: { raw: object; ip: string }): Principal =>
    principals.get(request.raw) ?? { kind: 'anonymous', address: request.ip };

  // Authentication runs before routing decisions reach a handler, for every /api/ path
  // (unknown ones too: an unauthenticated client learns nothing about the routes).
  // /healthz stays open for probes; with mTLS the TLS layer has already checked the client.
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (!path.startsWith('/api/')) return;
    const certificate = auth.clientCertificates ? clientCertificate(request.raw.socket) : undefined;
    if (auth.tokens === undefined) {
      if (certificate) principals.set(request.raw, { kind: 'certificate', ...certificate });
      return;
    }
    const refuse = (error: ControllerError, challenge: string) => {
      audit.write({
        event: 'auth.refused',
        level: 'warn',
        code: error.code,
        method: request.method,
        path,
        address: request.ip,
        ...(certificate ? { certificate } : {}),
        ...(error.code === 'SCOPE_MISSING' ? { token: error.detail.actual } : {}),
      });
      request.log.warn({ code: error.code, path, address: request.ip }, error.message);
      reply.header('www-authenticate', challenge);
      throw error;
    };
    const header = request.headers.authorization;
    if (header === undefined || header.trim() === '') {
      refuse(
        new ControllerError(
          'AUTH_REQUIRED',
          'this API needs a bearer token: send "Authorization: Bearer <token>" (prexorctl --token or $PREXORCTL_TOKEN)',
          { expected: 'Authorization: Bearer <token>', actual: 'no Authorization header' },
        ),
        `Bearer realm="${REALM}"`,
      );
    }
    const match = /^Bearer +([\x21-\x7e]+) *$/i.exec(header ?? '');
    const token = match?.[1] === undefined ? undefined : auth.tokens.authenticate(match[1]);
    if (token === undefined) {
      refuse(
        new ControllerError(
          'TOKEN_INVALID',
          match
            ? 'the bearer token is not one this controller knows'
            : 'the Authorization header is not "Bearer <token>"',
          { expected: 'Authorization: Bearer <token>' },
        ),
        `Bearer realm="${REALM}", error="invalid_token"`,
      );
      return;
    }
    const scope = scopeFor(request.method);
    if (scope !== undefined && !token.scopes.includes(scope)) {
      refuse(
        new ControllerError(
          'SCOPE_MISSING',
          `the token "${token.name}" may ${token.scopes.join(', ')}; ${request.method} ${path} needs the "${scope}" scope`,
          { expected: scope, actual: token.name },
        ),
        `Bearer realm="${REALM}", error="insufficient_scope", scope="${scope}"`,
      );
    }
    principals.set(request.raw, { kind: 'token', name: token.name, scopes: token.scopes });
  });

  const limits = config.controller.limits;
  const routes = new RouteTable();
  app.addHook('onRoute', (route) => routes.add(route.url, route.method));
  await app.register(multipart, {
    limits: {
      fileSize: Math.max(limits.moduleBytes, limits.signatureBytes),
      // One more file and one more field than a valid request has, so that a third file or a
      // second "name" is reported as a malformed request (400) rather than cut off by the
      // parser (413).
      files: 3,
      fields: 2,
      parts: 5,
      fieldSize: 256,
      headerPairs: 100,
    },
  });

  app.setErrorHandler((error, _request, reply) => send(reply, error));

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    const allowed = routes.allowed(path);
    if (allowed.length) {
      reply.header('allow', allowed.join(', '));
      return send(
        reply,
        new ControllerError(
          'METHOD_NOT_ALLOWED',
          `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`,
          { expected: allowed, actual: request.method },
        ),
      );
    }
    return send(
      reply,
      new ControllerError('ROUTE_NOT_FOUND', `no route ${request.method} ${path}`, {
        actual: path,
      }),
    );
  });

  app.get('/healthz', async () => ({
    status: 'ok',
    profile: config.runtime.profile,
    mode: config.signing.mode,
    signaturesRequired: verifier.enforced,
    rekorPolicy: config.signing.rekor.policy,
    auth: {
      tokens: auth.tokens?.size ?? 0,
      tls: config.controller.tls !== undefined,
      clientCertificates: auth.clientCertificates,
    },
    trust: {
      publicKeys: trust.inventory.trustRoot?.publicKeys ?? 0,
      certificates: trust.inventory.trustRoot?.certificates ?? 0,
      rekorKeys: trust.inventory.rekor?.keys ?? 0,
    },
  }));

  app.get('/api/v1/modules', async () => ({ modules: await store.list() }));

  app.get<{ Params: { name: string } }>('/api/v1/modules/:name', async (request) =>
    store.get(request.params.name),
  );

  app.delete<{ Params: { name: string } }>('/api/v1/modules/:name', async (request) => {
    const removed = await store.remove(request.params.name);
    audit.write({
      event: 'module.removed',
      level: 'info',
      name: removed.name,
      sha256: removed.sha256,
      by: principalOf(request),
    });
    request.log.info({ module: removed.name }, 'module removed');
    return { removed };
  });

  app.post('/api/v1/modules', async (request, reply) => {
    if (!request.isMultipart()) {
      throw bad('expected a multipart/form-data body with a "module" file part', {
        expected: 'multipart/form-data',
        actual: request.headers['content-type'] ?? 'none',
      });
    }
    const upload: Upload = {};
    try {
      for await (const part of request.parts()) {
        if (part.type === 'field') {
          if (part.fieldname !== 'name')
            throw bad(`unknown form field "${part.fieldname}"`, {
              expected: ['name'],
              actual: part.fieldname,
            });
          if (upload.name !== undefined) throw bad('the "name" field is given twice');
          upload.name = String(part.value);
          continue;
        }
        const field = part.fieldname as FilePart;
        if (!FILE_PARTS.includes(field)) {
          part.file.resume();
          throw bad(`unknown file part "${part.fieldname}"`, {
            expected: FILE_PARTS,
            actual: part.fieldname,
          });
        }
        if (upload[field] !== undefined) {
          part.file.resume();
          throw bad(`the "${field}" part is given twice`);
        }
        const bytes = await part.toBuffer();
        const limit = field === 'module' ? limits.moduleBytes : limits.signatureBytes;
        if (bytes.length > limit) {
          throw new ControllerError(
            'PAYLOAD_TOO_LARGE',
            `the ${field} part exceeds ${limit} bytes`,
            {
              expected: limit,
              actual: bytes.length,
            },
          );
        }
        upload[field] = { fileName: part.filename, bytes };
      }
    } catch (error) {
      // The controller's own refusals and the parser's limits (413) pass through; anything
      // else the multipart parser throws means the body is malformed (no boundary, no
      // closing boundary, a broken part header): the client's fault, not a 500.
      if (error instanceof ControllerError) throw error;
      const status = (error as { statusCode?: unknown }).statusCode;
      if (typeof status === 'number' && status >= 400 && status < 500 && status !== 406) {
        throw error;
      }
      throw new ControllerError(
        'REQUEST_INVALID',
        `malformed multipart body: ${(error as Error).message}`,
        { expected: 'multipart/form-data with a boundary and a closing boundary' },
        { cause: error },
      );
    }
    const module = upload.module;
    if (!module)
      throw bad('the "module" file part is missing', { expected: 'module', actual: 'none' });
    if (upload.bundle && upload.signature) {
      throw bad('send either a "bundle" or a "signature" part, not both');
    }
    const mode = config.signing.mode;
    if (upload.signature && mode === 'COSIGN_BUNDLE') {
      throw new ControllerError(
        'SIGNATURE_KIND_MISMATCH',
        'this controller verifies .cosign.bundle files (mode COSIGN_BUNDLE); a .sig was sent',
        { expected: 'bundle', actual: 'signature' },
      );
    }
    if (upload.bundle && mode === 'KEYED') {
      throw new ControllerError(
        'SIGNATURE_KIND_MISMATCH',
        'this controller verifies .sig files (mode KEYED); a .cosign.bundle was sent',
        { expected: 'signature', actual: 'bundle' },
      );
    }
    const name = checkModuleName(upload.name ?? moduleNameFromFile(module.fileName));
    const moduleFile = safeFileName(module.fileName, `${name}.module`);
    const signature: ModuleSignature | undefined = upload.bundle
      ? { kind: 'bundle', bytes: upload.bundle.bytes }
      : upload.signature
        ? { kind: 'sig', bytes: upload.signature.bytes }
        : undefined;

    let outcome: ReturnType<ModuleVerifier['check']>;
    try {
      outcome = verifier.check(module.bytes, signature);
    } catch (error) {
      if (error instanceof ControllerError && error.code === 'SIGNATURE_VERIFICATION_FAILED') {
        audit.write({
          event: 'module.rejected',
          level: 'warn',
          name,
          fileName: moduleFile,
          reason: error.detail.reason,
          by: principalOf(request),
        });
        request.log.warn({ module: name, reason: error.detail.reason }, 'module rejected');
      }
      throw error;
    }
    const record = await store.install(
      name,
      { fileName: moduleFile, bytes: module.bytes },
      signature
        ? {
            fileName: `${moduleFile}${signature.kind === 'sig' ? '.sig' : '.cosign.bundle'}`,
            bytes: signature.bytes,
          }
        : undefined,
      outcome,
    );
    const unsignedWarn = outcome.status !== 'verified' && config.runtime.profile === 'production';
    const warning = outcome.status === 'verified' ? outcome.warning : undefined;
    audit.write({
      event: 'module.installed',
      level: unsignedWarn || warning ? 'warn' : 'info',
      name,
      sha256: record.sha256,
      signature: outcome.status,
      ...(outcome.status === 'verified' ? { signer: outcome.verification.signer } : {}),
      ...(warning ? { warning } : {}),
      by: principalOf(request),
    });
    if (unsignedWarn)
      request.log.warn(
        { module: name, signature: outcome.status },
        'module installed without a verified signature',
      );
    else if (warning)
      request.log.warn(
        { module: name, signature: outcome.status, warning },
        `module installed; ${warning.message}`,
      );
    else request.log.info({ module: name, signature: outcome.status }, 'module installed');
    return reply.code(200).send({ installed: record });
  });
}
