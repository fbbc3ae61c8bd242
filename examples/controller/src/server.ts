import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AuditLog } from './audit.js';
import type { ControllerConfig } from './config.js';
import { ControllerError, type ControllerErrorCode } from './errors.js';
import type { ModuleStore } from './store.js';
import { checkModuleName, safeFileName } from './store.js';
import type { LoadedTrust, ModuleSignature, ModuleVerifier } from './trust.js';

/** HTTP status of each controller error code. */
export const HTTP_STATUS: Readonly<Partial<Record<ControllerErrorCode, number>>> = {
  REQUEST_INVALID: 400,
  SIGNATURE_KIND_MISMATCH: 400,
  MODULE_NAME_INVALID: 400,
  MODULE_NOT_FOUND: 404,
  MODULE_EXISTS: 409,
  PAYLOAD_TOO_LARGE: 413,
  SIGNATURE_VERIFICATION_FAILED: 422,
  INSTALL_FAILED: 500,
};

/** What the HTTP server is built from. */
export interface ServerDependencies {
  readonly config: ControllerConfig;
  readonly trust: LoadedTrust;
  readonly verifier: ModuleVerifier;
  readonly store: ModuleStore;
  readonly audit: AuditLog;
}

/** The body of every error response. */
export interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly [field: string]: unknown;
}

function send(reply: FastifyReply, error: ControllerError): FastifyReply {
  const status = HTTP_STATUS[error.code] ?? 500;
  const body: ErrorBody = {
    code: error.code,
    message: error.message,
    ...(error.detail.reason ? { reason: error.detail.reason } : {}),
    ...(error.detail.expected === undefined ? {} : { expected: error.detail.expected }),
    ...(error.detail.actual === undefined ? {} : { actual: error.detail.actual }),
  };
  return reply.code(status).send(body);
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
  const limits = config.controller.limits;
  await app.register(multipart, {
    limits: {
      fileSize: Math.max(limits.moduleBytes, limits.signatureBytes),
      // One more file than a valid request has, so that a third file is reported as a
      // malformed request (400) rather than cut off by the parser.
      files: 3,
      fields: 1,
      parts: 4,
      fieldSize: 256,
      headerPairs: 100,
    },
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ControllerError) return send(reply, error);
    const e = error as { statusCode?: number; code?: string; message?: string };
    if (e.statusCode === 413) {
      return send(
        reply,
        new ControllerError('PAYLOAD_TOO_LARGE', e.message ?? 'request too large'),
      );
    }
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      return send(reply, bad(e.message ?? 'bad request', { actual: e.code }));
    }
    request.log.error({ err: error }, 'unexpected error');
    return reply.code(500).send({ code: 'INTERNAL_ERROR', message: 'internal error' });
  });

  app.get('/healthz', async () => ({
    status: 'ok',
    profile: config.runtime.profile,
    mode: config.signing.mode,
    signaturesRequired: verifier.enforced,
    rekorPolicy: config.signing.rekor.policy,
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
        throw new ControllerError('PAYLOAD_TOO_LARGE', `the ${field} part exceeds ${limit} bytes`, {
          expected: limit,
          actual: bytes.length,
        });
      }
      upload[field] = { fileName: part.filename, bytes };
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
    audit.write({
      event: 'module.installed',
      level: unsignedWarn ? 'warn' : 'info',
      name,
      sha256: record.sha256,
      signature: outcome.status,
      ...(outcome.status === 'verified' ? { signer: outcome.verification.signer } : {}),
    });
    if (unsignedWarn)
      request.log.warn(
        { module: name, signature: outcome.status },
        'module installed without a verified signature',
      );
    else request.log.info({ module: name, signature: outcome.status }, 'module installed');
    return reply.code(200).send({ installed: record });
  });
}
