import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { TRUST_SCORE_DEFAULTS } from '@flareo/trust-score';
import {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  fastify,
} from 'fastify';
import {
  ADMISSION_FILE_PATTERN,
  admissionManifest,
  parseAdmissionFile,
  renderManifest,
} from './admission.js';
import { readModuleArchive } from './archive.js';
import { CatalogError, isSlug, SLUG_PATTERN } from './errors.js';
import { MAX_URL_LENGTH, openApiDocument } from './openapi.js';
import {
  escapeHtml,
  pageShell,
  renderDocPage,
  renderModuleFallback,
  renderModuleList,
} from './pages.js';
import { type CatalogStore, identityFor } from './store.js';
import { authorize } from './tokens.js';
import { IMMUTABLE_CACHE, loadVerifierAsset, type VerifierAsset } from './verifier-asset.js';
import {
  modulePurl,
  tarGz,
  type VexRepositoryIndex,
  vexLocation,
  vexRepositoryManifest,
} from './vex-repo.js';
import { moduleDetail, moduleSummary } from './views.js';

/** Options of {@link createCatalogServer}. */
export interface CatalogServerOptions {
  /** The opened store. */
  readonly store: CatalogStore;
  /**
   * Fastify's logger: `true` for structured JSON logs (pino) at `info`, an options object,
   * or `false`. Defaults to `true`.
   */
  readonly logger?: FastifyServerOptions['logger'];
  /** Base URL the catalog is reached at, used in documents it serves. Defaults to the listening address. */
  readonly publicUrl?: string;
  /**
   * Largest archive `POST /api/v1/modules` takes, in bytes; a larger one is answered 413
   * `PAYLOAD_TOO_LARGE` before it is read whole. Defaults to {@link DEFAULT_PUBLISH_LIMIT}.
   */
  readonly publishLimitBytes?: number;
  /**
   * The browser build of the verifier the module page runs (`dist/web/`, written by the
   * catalog's build). Defaults to the built one, when the catalog was built; `null` serves the
   * pages without it (they then say the browser check is not available).
   */
  readonly verifierAsset?: VerifierAsset | null;
}

/** Modules per page of `GET /api/v1/modules` when `limit` is not given. */
export const DEFAULT_PAGE = 100;
/** Largest `limit` of `GET /api/v1/modules`. */
export const MAX_PAGE = 1000;

/** Default of {@link CatalogServerOptions.publishLimitBytes}: 32 MiB. */
export const DEFAULT_PUBLISH_LIMIT = 32 * 1024 * 1024;

/** Media type of a publish upload: an uncompressed tar archive of the module directory. */
export const PUBLISH_MEDIA_TYPE = 'application/x-tar';

/** Options of {@link startCatalogServer}. */
export interface StartOptions extends CatalogServerOptions {
  /** Interface to listen on. Defaults to `'127.0.0.1'`. */
  readonly host?: string;
  /** Port; `0` picks a free one. Defaults to `8080`. */
  readonly port?: number;
}

/** The catalog's Fastify instance, with what the catalog adds to it. */
export type CatalogApp = FastifyInstance & {
  /** URLs of every GET route, as registered (what the OpenAPI description must cover). */
  readonly catalogRoutes: readonly string[];
  /** URLs of every POST route (publishing, admin), as registered. */
  readonly catalogPostRoutes: readonly string[];
  /** Set the public base URL (served documents use it). */
  setPublicUrl(url: string): void;
};

/** A listening catalog. */
export interface RunningCatalog {
  readonly app: CatalogApp;
  /** `http://host:port` of the listening socket. */
  readonly url: string;
  close(): Promise<void>;
}

const webDir = new URL('../web/', import.meta.url);
const asset = (name: string) => readFileSync(new URL(name, webDir), 'utf8');

const STATUS: Partial<Record<CatalogError['code'], number>> = {
  SLUG_INVALID: 400,
  ARGUMENT_INVALID: 400,
  MODULE_NOT_FOUND: 404,
  MODULE_EXISTS: 409,
  // A published module that does not verify: the code says which check refused it.
  MODULE_FILE_MISSING: 422,
  MODULE_FILE_INVALID: 422,
  ARTIFACT_DIGEST_MISMATCH: 422,
  SIGNATURE_REJECTED: 422,
  PROVENANCE_REJECTED: 422,
  ATTESTATION_REJECTED: 422,
  SBOM_INVALID: 422,
  VEX_INVALID: 422,
  SCAN_INVALID: 422,
};

export { MAX_URL_LENGTH };

/**
 * The codes of errors that the HTTP layer itself answers (the request, not a module, is
 * wrong), by status. Every one is sent as `{ error: { code, message, detail } }`.
 */
export const HTTP_ERROR_CODES = Object.freeze({
  400: ['BAD_REQUEST', 'URL_INVALID', 'BODY_INVALID'],
  401: ['UNAUTHORIZED'],
  403: ['FORBIDDEN'],
  404: ['NOT_FOUND'],
  405: ['METHOD_NOT_ALLOWED'],
  408: ['REQUEST_TIMEOUT'],
  413: ['PAYLOAD_TOO_LARGE'],
  414: ['URI_TOO_LONG'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
  431: ['HEADERS_TOO_LARGE'],
  500: ['INTERNAL'],
} as const);

/** Fastify's own request errors: the status and code the catalog answers them with. */
const FRAMEWORK_ERRORS: Record<string, readonly [number, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'BODY_INVALID'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'BODY_INVALID'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'BODY_INVALID'],
  FST_ERR_BAD_URL: [400, 'URL_INVALID'],
};

/** The methods every route answers; any other is 405 on a known path. */
const ALLOWED_METHODS = ['GET', 'HEAD'];
/** Paths that take more methods than {@link ALLOWED_METHODS}. */
const MORE_METHODS: Readonly<Record<string, readonly string[]>> = {
  '/api/v1/modules': ['POST'],
};

function sendError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  detail: unknown = {},
) {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send({ error: { code, message, detail } });
}

/** The path of a request target, without its query. */
const pathOf = (url: string) => url.split('?')[0] ?? url;

/** Paths of the web page (HTML answers); the rest is the API, health and assets. */
function isPagePath(path: string): boolean {
  return !(
    path === '/api' ||
    path.startsWith('/api/') ||
    path.startsWith('/assets/') ||
    path.startsWith('/.well-known/') ||
    path === '/healthz'
  );
}

/**
 * Node's HTTP parser refuses some requests before Fastify sees them (headers over
 * `maxHeaderSize` bytes, malformed request lines, bad chunked encoding, a header timeout):
 * answer those on the socket in the catalog's error shape too, then close the connection.
 */
function answerClientError(
  this: FastifyInstance,
  error: Error & { code?: string },
  socket: Socket,
) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  let status = 400;
  let code = 'BAD_REQUEST';
  let message = `malformed HTTP request: ${error.message}`;
  let detail: Record<string, unknown> = { reason: error.code ?? 'CLIENT_ERROR' };
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    code = 'HEADERS_TOO_LARGE';
    message = `the request line and headers exceed ${maxHeaderSize} bytes`;
    detail = { expected: `at most ${maxHeaderSize} bytes`, reason: error.code };
  } else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    code = 'REQUEST_TIMEOUT';
    message = 'the request was not received in time';
  }
  this.log.debug({ err: error }, 'client error');
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, message, detail } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'X-Content-Type-Options: nosniff\r\n' +
      'Connection: close\r\n\r\n' +
      body,
  );
  // The client may keep sending; do not keep its socket open for long.
  setTimeout(() => socket.destroy(), 2_000).unref();
}

/** Sigstore bundle media types (`…bundle.v0.3+json`, `…bundle+json;version=0.2`). */
const BUNDLE_MEDIA_TYPE =
  /^application\/vnd\.dev\.sigstore\.bundle(?:\.v0\.[0-9]+\+json|\+json;\s*version=0\.[0-9]+)$/;

/** The media type a bundle is served with: its own `mediaType` when that is a Sigstore bundle's. */
export function bundleMediaType(bundle: unknown): string {
  const declared = (bundle as { mediaType?: unknown } | null)?.mediaType;
  return typeof declared === 'string' && BUNDLE_MEDIA_TYPE.test(declared)
    ? declared
    : 'application/json; charset=utf-8';
}

/** True when an If-None-Match header matches `etag` (weak comparison, RFC 9110). */
function matchesEtag(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const values = (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((v) => v.trim());
  const bare = (v: string) => v.replace(/^W\//, '');
  return values.some((v) => v === '*' || bare(v) === bare(etag));
}

const slugParams = {
  type: 'object',
  required: ['slug'],
  properties: { slug: { type: 'string', pattern: SLUG_PATTERN } },
} as const;

/** Build the catalog's Fastify app (routes, error handling, web page); not yet listening. */
export function createCatalogServer(options: CatalogServerOptions): CatalogApp {
  const { store } = options;
  // Answers for what goes wrong before a route runs, in the catalog's error shape.
  let notFound = (_request: FastifyRequest, reply: FastifyReply): FastifyReply => reply;
  const app = fastify({
    logger: options.logger ?? true,
    clientErrorHandler: answerClientError,
    frameworkErrors: (error, request, reply) => {
      if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
        // Every route parameter is a slug: one this long is not a slug.
        if (isPagePath(pathOf(request.url))) return notFound(request, reply);
        return sendError(reply, 400, 'SLUG_INVALID', 'invalid module slug: too long', {
          expected: SLUG_PATTERN,
        });
      }
      const known = FRAMEWORK_ERRORS[error.code];
      if (known) {
        return sendError(reply, known[0], known[1], error.message, { reason: error.code });
      }
      request.log.error({ err: error }, 'framework error');
      return sendError(reply, 500, 'INTERNAL', 'internal error');
    },
  });
  // Every route, as registered (the OpenAPI test compares it with the description).
  const routes: string[] = [];
  app.addHook('onRoute', (route) => {
    if (route.method === 'GET' || (Array.isArray(route.method) && route.method.includes('GET')))
      routes.push(route.url);
  });
  app.decorate('catalogRoutes', routes);
  const postRoutes: string[] = [];
  app.addHook('onRoute', (route) => {
    if (route.method === 'POST') postRoutes.push(route.url);
  });
  app.decorate('catalogPostRoutes', postRoutes);
  const script = asset('app.js');
  const style = asset('style.css');
  const favicon = asset('favicon.svg');
  const verifier =
    options.verifierAsset === undefined
      ? loadVerifierAsset()
      : (options.verifierAsset ?? undefined);
  let publicUrl = options.publicUrl;
  const baseUrl = () => publicUrl ?? store.publicUrl;
  if (publicUrl) store.setPublicUrl(publicUrl);
  app.decorate('setPublicUrl', (url: string) => {
    publicUrl = url;
    store.setPublicUrl(url);
  });

  const html = (reply: FastifyReply, page: string) =>
    reply
      .type('text/html; charset=utf-8')
      .header(
        'content-security-policy',
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'",
      )
      .send(page);
  // Pages the script renders from the API (a module); without JavaScript they say so.
  const scriptPage = (title: string, main: string) =>
    pageShell({
      title,
      script: true,
      main: `${main}<noscript><p class="note">This page is drawn by JavaScript from the JSON API: without it you see the server’s verdict only, and the signature is not checked again in this browser. Read <a href="/api/v1/modules">/api/v1/modules</a> or the module's <code>/api/v1/modules/&lt;slug&gt;</code>.</p></noscript>`,
    });
  const notFoundPage = (path: string) =>
    pageShell({
      title: 'Not found — Flareo catalog',
      script: true,
      main: `<h1>Page not found</h1><p data-testid="error">NOT_FOUND: no page ${escapeHtml(path)}</p><a href="/">All modules</a>`,
    });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof CatalogError) {
      const status = STATUS[error.code] ?? 500;
      if (status >= 500) request.log.error({ err: error }, 'catalog error');
      return sendError(reply, status, error.code, error.message, error.detail);
    }
    const e = error as {
      validation?: unknown;
      validationContext?: string;
      statusCode?: number;
      message?: string;
    };
    if (e.validation && e.validationContext === 'params') {
      return sendError(
        reply,
        400,
        'SLUG_INVALID',
        `invalid module slug: ${e.message ?? ''}`.trim(),
        { expected: SLUG_PATTERN },
      );
    }
    const frameworkCode = (error as { code?: unknown }).code;
    const known = typeof frameworkCode === 'string' ? FRAMEWORK_ERRORS[frameworkCode] : undefined;
    if (known) {
      const [status, code] = known;
      const detail: Record<string, unknown> = { reason: frameworkCode };
      if (status === 413)
        detail.expected = `at most ${request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit} bytes`;
      if (status === 415) detail.actual = request.headers['content-type'] ?? null;
      return sendError(reply, status, code, e.message ?? 'bad request', detail);
    }
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      const code =
        (HTTP_ERROR_CODES as Record<number, readonly string[]>)[e.statusCode]?.[0] ?? 'BAD_REQUEST';
      return sendError(
        reply,
        e.statusCode,
        code,
        e.message ?? 'bad request',
        typeof frameworkCode === 'string' ? { reason: frameworkCode } : {},
      );
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, 500, 'INTERNAL', 'internal error');
  });
  notFound = (request, reply) => {
    const path = pathOf(request.url);
    if (isPagePath(path) && (request.method === 'GET' || request.method === 'HEAD')) {
      return html(reply.code(404), notFoundPage(path));
    }
    return sendError(reply, 404, 'NOT_FOUND', `no route ${request.method} ${path}`, {
      actual: path,
    });
  };
  app.setNotFoundHandler((request, reply) => notFound(request, reply));
  // After routing and before any body is read: over-long request targets, and unknown
  // routes (so that a body sent to one is never parsed).
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.length > MAX_URL_LENGTH) {
      return sendError(
        reply,
        414,
        'URI_TOO_LONG',
        `the request target is ${request.url.length} characters long, more than ${MAX_URL_LENGTH}`,
        { expected: `at most ${MAX_URL_LENGTH} characters`, actual: request.url.length },
      );
    }
    if (request.is404) return notFound(request, reply);
  });
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-cache');
    reply.header('x-content-type-options', 'nosniff');
  });

  // Health.
  app.get('/healthz', async () => ({
    status: 'ok',
    modules: store.size,
    quarantined: store.quarantined.size,
  }));

  // API.
  app.get('/api/v1/openapi.json', async () => openApiDocument(baseUrl()));
  // The summaries of a page of modules; one whose stored files were found altered is left
  // out (the store stops serving it).
  const summaries = (page: ReturnType<CatalogStore['list']>) =>
    page.flatMap((entry) => {
      try {
        return [moduleSummary(store.get(entry.slug), store.assessment(entry.slug))];
      } catch (error) {
        if (error instanceof CatalogError && error.code === 'MODULE_NOT_FOUND') return [];
        throw error;
      }
    });
  // The list, a page at a time (by slug): `limit` (1–1000, default 100) and `after` (the last
  // slug of the previous page); `next` is the URL of the following page, or null.
  app.get<{ Querystring: { limit?: number; after?: string } }>(
    '/api/v1/modules',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE },
            after: { type: 'string', pattern: SLUG_PATTERN },
          },
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? DEFAULT_PAGE;
      const { after } = request.query;
      const all = store.list();
      let start = 0;
      if (after !== undefined) {
        // The first slug greater than `after` (the list is sorted by slug).
        let lo = 0;
        let hi = all.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if ((all[mid]?.slug as string) <= after) lo = mid + 1;
          else hi = mid;
        }
        start = lo;
      }
      const page = all.slice(start, start + limit);
      const last = page.at(-1)?.slug;
      return {
        modules: summaries(page),
        next:
          start + limit < all.length && last !== undefined
            ? `/api/v1/modules?limit=${limit}&after=${last}`
            : null,
      };
    },
  );
  // Bearer tokens (catalog.json `tokens`, stored as SHA-256): 401 without a known one, 403
  // without the scope. Run before the body is read.
  const requireScope =
    (scope: 'publish' | 'admin') => async (request: FastifyRequest, reply: FastifyReply) => {
      const auth = authorize(request.headers.authorization, store.config.tokens ?? [], scope);
      if (auth.ok) {
        request.log.info({ token: auth.name, scope }, 'authorized');
        return;
      }
      if (auth.status === 401) reply.header('www-authenticate', 'Bearer realm="flareo-catalog"');
      return sendError(
        reply,
        auth.status,
        auth.status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN',
        auth.reason === 'SCOPE_MISSING'
          ? `the token does not have the ${scope} scope`
          : auth.reason === 'TOKEN_MISSING'
            ? 'this needs a bearer token (Authorization: Bearer …)'
            : 'the bearer token is not one of the catalog’s tokens',
        { reason: auth.reason, ...(auth.reason === 'SCOPE_MISSING' ? { expected: scope } : {}) },
      );
    };
  // Admin: verify one module again now (as the background re-verification does).
  app.post<{ Params: { slug: string } }>(
    '/api/v1/modules/:slug/verify',
    { schema: { params: slugParams }, onRequest: requireScope('admin') },
    async (request) => {
      const { slug } = request.params;
      const record = await store.reverify(slug);
      return { slug, served: store.size > 0 && isServed(slug), verification: record ?? null };
    },
  );
  const isServed = (slug: string) => {
    try {
      store.get(slug);
      return true;
    } catch {
      return false;
    }
  };
  // Publishing: a tar archive of a module directory, verified and stored like a CLI ingest.
  const publishLimit = options.publishLimitBytes ?? DEFAULT_PUBLISH_LIMIT;
  app.addContentTypeParser(
    PUBLISH_MEDIA_TYPE,
    { parseAs: 'buffer', bodyLimit: publishLimit },
    (_request, body, done) => done(null, body),
  );
  app.post(
    '/api/v1/modules',
    {
      bodyLimit: publishLimit,
      // Before the body is read: who may publish.
      onRequest: requireScope('publish'),
    },
    async (request, reply) => {
      if (!request.headers['content-type']?.toLowerCase().startsWith(PUBLISH_MEDIA_TYPE)) {
        return sendError(
          reply,
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          `publish a ${PUBLISH_MEDIA_TYPE} archive`,
          {
            expected: PUBLISH_MEDIA_TYPE,
            actual: request.headers['content-type'] ?? null,
          },
        );
      }
      const source = await readModuleArchive(request.body as Buffer);
      const { created, entry } = await store.publish(source);
      const slug = entry.module.slug;
      return reply
        .code(created ? 201 : 200)
        .header('location', `/api/v1/modules/${slug}`)
        .send({
          created,
          ...moduleSummary(entry, store.assessment(slug)),
          warnings: entry.module.warnings,
        });
    },
  );
  app.get<{ Params: { slug: string } }>(
    '/api/v1/modules/:slug',
    { schema: { params: slugParams } },
    async (request) => {
      const { slug } = request.params;
      return moduleDetail(store.get(slug), store.assessment(slug), {
        ...(verifier
          ? { verifier: verifier.path, verifierIntegrity: verifier.manifest.integrity }
          : {}),
        identity: identityFor(store.config, slug),
        rekorPolicy: store.verifierOptions.rekor?.policy ?? 'require-any',
        trustRootDigest: store.trustRootDigest,
      });
    },
  );
  const decisionBodies = new WeakMap<object, string>();
  const serveVex = async (
    slug: string,
    request: { headers: Record<string, string | string[] | undefined> },
    reply: FastifyReply,
  ) => {
    const vex = store.vex(slug);
    reply.header('etag', vex.etag);
    if (matchesEtag(request.headers['if-none-match'], vex.etag)) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(vex.body);
  };
  app.get<{ Params: { slug: string } }>(
    '/api/v1/modules/:slug/vex',
    { schema: { params: slugParams } },
    async (request, reply) => serveVex(request.params.slug, request, reply),
  );
  app.get<{ Params: { slug: string }; Querystring: { include?: string } }>(
    '/api/v1/modules/:slug/policy',
    { schema: { params: slugParams } },
    async (request, reply) => {
      const assessment = store.assessment(request.params.slug);
      if (request.query.include === 'input') {
        return { ...assessment.decision, input: assessment.policyInput };
      }
      // The hot route: the body is serialised once per assessment (reused until it expires).
      let body = decisionBodies.get(assessment);
      if (body === undefined) {
        body = JSON.stringify(assessment.decision);
        decisionBodies.set(assessment, body);
      }
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );
  app.get<{ Params: { slug: string } }>(
    '/api/v1/modules/:slug/score',
    { schema: { params: slugParams } },
    async (request) => {
      const assessment = store.assessment(request.params.slug);
      return { ...assessment.score, evaluatedAt: assessment.evaluatedAt };
    },
  );
  app.get<{ Params: { slug: string } }>(
    '/api/v1/modules/:slug/attestations',
    { schema: { params: slugParams } },
    async (request) => {
      const m = store.get(request.params.slug).module;
      return {
        digest: m.manifest.digest,
        signature: {
          format: m.signature.format,
          ...(m.signature.format === 'cosign-signature'
            ? { cosign: m.signature.bundle }
            : { bundle: m.signature.bundle }),
          verification: m.signature.summary,
        },
        provenance: {
          bundle: m.provenance.bundle,
          statement: m.provenance.statement,
          verification: m.provenance.summary,
          slsa: m.provenance.slsa,
        },
        sbom: m.sbom.document,
        parts: m.parts.map((part) => {
          const bytes = part.attestation ? m.files.get(part.attestation) : undefined;
          return bytes
            ? { ...part, bundle: JSON.parse(Buffer.from(bytes).toString('utf8')) }
            : part;
        }),
      };
    },
  );
  // A bundle is served with its own media type (a Sigstore bundle's mediaType) when it has one.
  const sendBundle = (reply: FastifyReply, bundle: unknown) =>
    // A Buffer, so that Fastify adds no charset parameter to the bundle's media type.
    reply.type(bundleMediaType(bundle)).send(Buffer.from(JSON.stringify(bundle)));
  // The signature in the file of its format; the other file is 404 naming the one to fetch.
  const signatureFile =
    (format: 'sigstore-bundle' | 'cosign-signature') =>
    async (request: FastifyRequest<{ Params: { slug: string } }>, reply: FastifyReply) => {
      const signature = store.get(request.params.slug).module.signature;
      if (signature.format !== format) {
        const file =
          signature.format === 'cosign-signature'
            ? 'signature.cosign.json'
            : 'signature.sigstore.json';
        return sendError(
          reply,
          404,
          'NOT_FOUND',
          `module ${request.params.slug} is signed with a ${signature.format}, served as ${file}`,
          { expected: file, actual: pathOf(request.url) },
        );
      }
      return format === 'sigstore-bundle'
        ? sendBundle(reply, signature.bundle)
        : reply.type('application/json; charset=utf-8').send(JSON.stringify(signature.bundle));
    };
  app.get<{ Params: { slug: string } }>(
    '/api/v1/modules/:slug/attestations/signature.sigstore.json',
    { schema: { params: slugParams } },
    signatureFile('sigstore-bundle'),
  );
  app.get<{ Params: { slug: string } }>(
    '/api/v1/modules/:slug/attestations/signature.cosign.json',
    { schema: { params: slugParams } },
    signatureFile('cosign-signature'),
  );
  app.get<{ Params: { slug: string } }>(
    '/api/v1/modules/:slug/attestations/provenance.sigstore.json',
    { schema: { params: slugParams } },
    async (request, reply) =>
      sendBundle(reply, store.get(request.params.slug).module.provenance.bundle),
  );
  app.get('/api/v1/trust/trusted_root.json', async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(store.trustedRootText),
  );

  // Admission policies, generated from the catalog's identity policy and trust root.
  const serveAdmission = (
    file: string,
    modules: ReturnType<CatalogStore['list']>,
    reply: FastifyReply,
    slug?: string,
  ) => {
    const parsed = parseAdmissionFile(file);
    if (!parsed) {
      return sendError(reply, 404, 'NOT_FOUND', `no admission manifest ${file}`, {
        expected: ADMISSION_FILE_PATTERN,
        actual: file,
      });
    }
    const manifest = admissionManifest(parsed.manifest, {
      config: store.config,
      trustRoot: store.trustRoot,
      modules,
      catalogUrl: baseUrl(),
      ...(slug ? { slug } : {}),
    });
    return reply
      .type(
        parsed.format === 'yaml'
          ? 'application/yaml; charset=utf-8'
          : 'application/json; charset=utf-8',
      )
      .send(renderManifest(manifest, parsed.format));
  };
  app.get<{ Params: { file: string } }>('/api/v1/admission/:file', async (request, reply) =>
    serveAdmission(request.params.file, store.list(), reply),
  );
  app.get<{ Params: { slug: string; file: string } }>(
    '/api/v1/modules/:slug/admission/:file',
    {
      schema: {
        params: {
          ...slugParams,
          properties: { ...slugParams.properties, file: { type: 'string' } },
        },
      },
    },
    async (request, reply) => {
      const { slug, file } = request.params;
      return serveAdmission(file, [store.get(slug)], reply, slug);
    },
  );

  // VEX repository (spec v0.1).
  const repositoryIndex = (): VexRepositoryIndex => {
    const entries = store.list();
    const updated =
      entries
        .map((e) => e.ingestedAt)
        .sort()
        .at(-1) ?? new Date(0).toISOString();
    return {
      updated_at: updated,
      packages: entries.map((e) => ({
        id: modulePurl(e.module.slug, e.module.manifest.image),
        location: vexLocation(e.module.slug),
        format: 'openvex' as const,
      })),
    };
  };
  app.get('/.well-known/vex-repository.json', async () =>
    vexRepositoryManifest(baseUrl(), store.config.name),
  );
  app.get('/api/v1/vex-repository/index.json', async () => repositoryIndex());
  app.get<{ Params: { slug: string } }>(
    '/api/v1/vex-repository/pkg/oci/:slug/vex.json',
    { schema: { params: slugParams } },
    async (request, reply) => serveVex(request.params.slug, request, reply),
  );
  let archive: { key: string; bytes: Uint8Array; etag: string } | undefined;
  app.get('/api/v1/vex-repository/vex-repository.tar.gz', async (request, reply) => {
    const index = repositoryIndex();
    const docs = store.list().map((e) => ({ slug: e.slug, vex: store.vex(e.slug) }));
    const key = `${baseUrl()}|${docs.map((d) => d.vex.etag).join(',')}`;
    if (archive?.key !== key) {
      const enc = new TextEncoder();
      const bytes = tarGz(
        [
          { path: 'index.json', data: enc.encode(JSON.stringify(index, null, 2)) },
          ...docs.map((d) => ({ path: vexLocation(d.slug), data: enc.encode(d.vex.body) })),
        ],
        new Date(index.updated_at),
      );
      archive = {
        key,
        bytes,
        etag: `"sha256-${createHash('sha256').update(bytes).digest('hex')}"`,
      };
    }
    reply.header('etag', archive.etag);
    if (matchesEtag(request.headers['if-none-match'], archive.etag)) return reply.code(304).send();
    return reply.type('application/gzip').send(Buffer.from(archive.bytes));
  });

  // Web pages: the list is rendered on the server (it works without JavaScript); a module's
  // page is drawn by the script from the API; the docs pages are rendered markdown. The page of
  // an unknown or invalid slug, or of an unknown doc, is answered with 404.
  app.get<{ Querystring: { after?: string } }>('/', async (request, reply) => {
    const after = isSlug(request.query.after) ? request.query.after : undefined;
    const all = store.list();
    const start = after === undefined ? 0 : all.findIndex((e) => e.slug > after);
    const page = start < 0 ? [] : all.slice(start, start + DEFAULT_PAGE);
    const last = page.at(-1)?.slug;
    const next =
      start >= 0 && start + DEFAULT_PAGE < all.length && last !== undefined
        ? `/?after=${last}`
        : null;
    return html(
      reply,
      pageShell({
        title: 'Flareo catalog',
        script: true,
        ready: true,
        main: renderModuleList(
          summaries(page),
          {
            passing: TRUST_SCORE_DEFAULTS.passingScore,
            warning: TRUST_SCORE_DEFAULTS.warningScore,
          },
          { total: all.length, next },
        ),
      }),
    );
  });
  app.get<{ Params: { slug: string } }>('/modules/:slug', async (request, reply) => {
    const { slug } = request.params;
    let known = false;
    try {
      known = isSlug(slug) && store.get(slug) !== undefined;
    } catch (error) {
      if (!(error instanceof CatalogError)) throw error;
    }
    // Without JavaScript the page still shows the server's verdict (the script redraws it all).
    const page = scriptPage(
      known ? `${slug} — Flareo catalog` : 'Module not found — Flareo catalog',
      known
        ? renderModuleFallback(
            moduleSummary(store.get(slug), store.assessment(slug)),
            store.get(slug).verification,
          )
        : '<p class="muted">Loading…</p>',
    );
    return html(known ? reply : reply.code(404), page);
  });
  app.get<{ Params: { name: string } }>('/docs/:name', async (request, reply) => {
    const doc = renderDocPage(request.params.name, baseUrl());
    if (!doc) return notFound(request, reply);
    return html(
      reply,
      pageShell({
        title: `${doc.title} — Flareo catalog`,
        ready: true,
        main: `<article class="card doc">${doc.html}</article>`,
      }),
    );
  });
  for (const path of ['/favicon.svg', '/favicon.ico']) {
    app.get(path, async (_request, reply) =>
      reply.type('image/svg+xml').header('cache-control', 'max-age=86400').send(favicon),
    );
  }
  app.get('/assets/app.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(script),
  );
  app.get('/assets/style.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').send(style),
  );
  // The browser verifier, under its content-hashed name (any other name is 404): cached for a
  // year, since a new build gets a new name.
  const verifierEtag = verifier ? `"sha256-${verifier.manifest.sha256}"` : undefined;
  app.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
    if (!verifier || request.params.file !== verifier.manifest.file) {
      return notFound(request, reply);
    }
    reply.header('cache-control', IMMUTABLE_CACHE).header('etag', verifierEtag);
    if (matchesEtag(request.headers['if-none-match'], verifierEtag as string)) {
      return reply.code(304).send();
    }
    return reply.type('text/javascript; charset=utf-8').send(verifier.bytes());
  });

  // Every other method on a known path: 405 with Allow, answered before any body is read.
  for (const url of new Set(routes)) {
    const allowed = [...ALLOWED_METHODS, ...(MORE_METHODS[url] ?? [])];
    const methodNotAllowed = async (request: FastifyRequest, reply: FastifyReply) =>
      sendError(
        reply.header('allow', allowed.join(', ')),
        405,
        'METHOD_NOT_ALLOWED',
        `${request.method} is not allowed on ${pathOf(request.url)}; use ${allowed.join(' or ')}`,
        { expected: allowed, actual: request.method },
      );
    const others = app.supportedMethods.filter((m) => !allowed.includes(m));
    app.route({ method: others, url, onRequest: methodNotAllowed, handler: methodNotAllowed });
  }

  // decorate() adds both members at run time; its typings do not widen the instance.
  return app as unknown as CatalogApp;
}

/** Build the app, listen, and point the store's public URL at the listening address (unless given). */
export async function startCatalogServer(options: StartOptions): Promise<RunningCatalog> {
  const app = createCatalogServer(options);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 8080 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 8080);
  const shown = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const url = `http://${shown}:${port}`;
  if (!options.publicUrl) app.setPublicUrl(url);
  return { app, url, close: () => app.close() };
}
