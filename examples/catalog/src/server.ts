import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
  fastify,
} from 'fastify';
import { CatalogError, SLUG_PATTERN } from './errors.js';
import { openApiDocument } from './openapi.js';
import type { CatalogStore } from './store.js';
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
}

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
};

function sendError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  detail?: unknown,
) {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send({ error: { code, message, ...(detail === undefined ? {} : { detail }) } });
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
  const app = fastify({ logger: options.logger ?? true });
  // Every route, as registered (the OpenAPI test compares it with the description).
  const routes: string[] = [];
  app.addHook('onRoute', (route) => {
    if (route.method === 'GET' || (Array.isArray(route.method) && route.method.includes('GET')))
      routes.push(route.url);
  });
  app.decorate('catalogRoutes', routes);
  const page = asset('index.html');
  const script = asset('app.js');
  const style = asset('style.css');
  let publicUrl = options.publicUrl;
  const baseUrl = () => publicUrl ?? store.publicUrl;
  if (publicUrl) store.setPublicUrl(publicUrl);
  app.decorate('setPublicUrl', (url: string) => {
    publicUrl = url;
    store.setPublicUrl(url);
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
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      return sendError(reply, e.statusCode, 'BAD_REQUEST', e.message ?? 'bad request');
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, 500, 'INTERNAL', 'internal error');
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`),
  );
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
  app.get('/api/v1/modules', async () => ({
    modules: store.list().map((entry) => moduleSummary(entry, store.assessment(entry.module.slug))),
  }));
  app.get<{ Params: { slug: string } }>(
    '/api/v1/modules/:slug',
    { schema: { params: slugParams } },
    async (request) => {
      const { slug } = request.params;
      return moduleDetail(store.get(slug), store.assessment(slug));
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
        signature: { bundle: m.signature.bundle, verification: m.signature.summary },
        provenance: {
          bundle: m.provenance.bundle,
          statement: m.provenance.statement,
          verification: m.provenance.summary,
          slsa: m.provenance.slsa,
        },
        sbom: m.sbom.document,
      };
    },
  );
  app.get<{ Params: { slug: string } }>(
    '/api/v1/modules/:slug/attestations/signature.sigstore.json',
    { schema: { params: slugParams } },
    async (request) => store.get(request.params.slug).module.signature.bundle,
  );
  app.get('/api/v1/trust/trusted_root.json', async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(store.trustedRootText),
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
    const docs = store.list().map((e) => ({ slug: e.module.slug, vex: store.vex(e.module.slug) }));
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

  // Web page: one HTML shell; the script renders the list or a module from the API.
  const html = (reply: FastifyReply) =>
    reply
      .type('text/html; charset=utf-8')
      .header(
        'content-security-policy',
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'",
      )
      .send(page);
  app.get('/', async (_request, reply) => html(reply));
  app.get<{ Params: { slug: string } }>(
    '/modules/:slug',
    { schema: { params: slugParams } },
    async (_request, reply) => html(reply),
  );
  app.get('/assets/app.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(script),
  );
  app.get('/assets/style.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').send(style),
  );

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
