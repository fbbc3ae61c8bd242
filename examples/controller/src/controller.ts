import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { AuditLog } from './audit.js';
import { isLoopback, loadTls, type TlsMaterial, TokenStore } from './auth.js';
import type { ControllerConfig } from './config.js';
import { ControllerError } from './errors.js';
import { pathProblem } from './paths.js';
import { httpServerOptions, registerApi } from './server.js';
import { ModuleStore, type ModuleStoreOptions } from './store.js';
import { type LoadedTrust, loadTrust, ModuleVerifier } from './trust.js';
import { type ValidationReport, validateConfig } from './validator.js';

/** Options of {@link createController}. */
export interface ControllerOptions {
  /** Fastify's `logger` option: `false` (default) or pino options (JSON lines). */
  readonly logger?: FastifyServerOptions['logger'];
  /** Store hooks (tests). Default none. */
  readonly store?: ModuleStoreOptions;
}

/** A controller with its trust material loaded and its API registered, not yet listening. */
export interface Controller {
  readonly app: FastifyInstance;
  readonly config: ControllerConfig;
  readonly trust: LoadedTrust;
  readonly report: ValidationReport;
  readonly store: ModuleStore;
  readonly audit: AuditLog;
  /** Listen on the configured host and port (overridable); resolves to the base URL. */
  listen(overrides?: { host?: string; port?: number }): Promise<string>;
  close(): Promise<void>;
}

/** What {@link checkConfiguration} found: the trust material and the validator's report. */
export interface ConfigurationCheck {
  readonly trust: LoadedTrust;
  readonly report: ValidationReport;
}

function refused(config: ControllerConfig, report: ValidationReport): ControllerError {
  return new ControllerError(
    'CONFIG_REJECTED',
    `the configuration is refused: ${report.errors.map((f) => `${f.code} (${f.path}): ${f.message}`).join('; ')}`,
    {
      ...(config.source === undefined ? {} : { path: config.source }),
      findings: report.errors,
    },
  );
}

/**
 * `--check`: load the trust material, run the validator and judge the audit log and modules
 * directory paths, with no side effect at all: nothing is created, written, deleted or
 * appended (a running controller on the same files is not disturbed).
 * @throws ControllerError `TRUST_MATERIAL_INVALID`, `CONFIG_REJECTED`,
 *   `AUDIT_LOG_UNWRITABLE`, `MODULES_DIR_UNUSABLE`, `AUTH_TOKENS_INVALID`, `TLS_MATERIAL_INVALID`
 */
export function checkConfiguration(config: ControllerConfig): ConfigurationCheck {
  const trust = loadTrust(config);
  const report = validateConfig(config, trust.inventory);
  if (report.errors.length) throw refused(config, report);
  if (config.controller.auth.tokensFile !== undefined) {
    TokenStore.load(config.controller.auth.tokensFile);
  }
  if (config.controller.tls !== undefined) loadTls(config.controller.tls);
  const audit = pathProblem(config.controller.auditLog, 'file');
  if (audit !== undefined) {
    throw new ControllerError(
      'AUDIT_LOG_UNWRITABLE',
      `controller.auditLog ${config.controller.auditLog} cannot be written: ${audit}`,
      { path: config.controller.auditLog, expected: 'a writable regular file' },
    );
  }
  const modules = pathProblem(config.controller.modulesDir, 'directory');
  if (modules !== undefined) {
    throw new ControllerError(
      'MODULES_DIR_UNUSABLE',
      `controller.modulesDir ${config.controller.modulesDir} cannot be used: ${modules}`,
      { path: config.controller.modulesDir, expected: 'a writable directory' },
    );
  }
  return { trust, report };
}

/**
 * Start-up: open the audit log, read the trust material once, run the config validator
 * (ERROR findings refuse the start and are audited), take the modules directory's lock and
 * clean up interrupted installs of dead processes, then audit the WARN findings and
 * `controller.started` and register the API. A controller refused for a held lock appends
 * nothing to the audit log.
 * @throws ControllerError `AUDIT_LOG_UNWRITABLE`, `TRUST_MATERIAL_INVALID`, `CONFIG_REJECTED`,
 *   `MODULES_DIR_UNUSABLE`, `STORE_LOCKED`
 */
export async function createController(
  config: ControllerConfig,
  options: ControllerOptions = {},
): Promise<Controller> {
  // TLS material is read first: the server is built with it. A refusal here precedes the
  // audit log, like the configuration file's own errors.
  const tls: TlsMaterial | undefined =
    config.controller.tls === undefined ? undefined : loadTls(config.controller.tls);
  const app = Fastify({
    logger: options.logger ?? false,
    ...httpServerOptions(),
    ...(tls === undefined
      ? {}
      : {
          https: {
            cert: tls.cert,
            key: tls.key,
            minVersion: 'TLSv1.2' as const,
            ...(tls.ca === undefined
              ? {}
              : { ca: tls.ca, requestCert: true, rejectUnauthorized: true }),
          },
        }),
  }) as unknown as FastifyInstance;
  const log = app.log;
  let store: ModuleStore | undefined;
  try {
    const audit = new AuditLog(config.controller.auditLog);
    let trust: LoadedTrust;
    try {
      trust = loadTrust(config);
    } catch (error) {
      if (error instanceof ControllerError) {
        audit.write({
          event: 'config.rejected',
          level: 'error',
          code: error.code,
          message: error.message,
        });
      }
      throw error;
    }
    let tokens: TokenStore | undefined;
    try {
      tokens =
        config.controller.auth.tokensFile === undefined
          ? undefined
          : TokenStore.load(config.controller.auth.tokensFile);
    } catch (error) {
      if (error instanceof ControllerError) {
        audit.write({
          event: 'config.rejected',
          level: 'error',
          code: error.code,
          message: error.message,
        });
      }
      throw error;
    }
    const report = validateConfig(config, trust.inventory);
    if (report.errors.length) {
      for (const finding of report.errors) {
        log.error({ finding }, finding.message);
        audit.write({ event: 'config.rejected', level: 'error', ...finding });
      }
      throw refused(config, report);
    }
    const verifier = new ModuleVerifier(config, trust, report.requirement);
    const opened = await ModuleStore.open(config.controller.modulesDir, options.store);
    store = opened.store;
    for (const finding of report.warnings) {
      log.warn({ finding }, finding.message);
      audit.write({ event: 'config.warning', level: 'warn', ...finding });
    }
    if (opened.staleLock) {
      log.warn({ staleLock: opened.staleLock }, 'took over the lock of a controller that is gone');
    }
    if (opened.cleaned.length) {
      log.warn({ cleaned: opened.cleaned }, 'removed leftovers of interrupted installs');
      audit.write({ event: 'store.cleaned', level: 'warn', entries: opened.cleaned });
    }
    const clientCertificates = config.controller.tls?.clientCa !== undefined;
    await registerApi(app, {
      config,
      trust,
      verifier,
      store,
      audit,
      auth: { tokens, clientCertificates },
    });
    const started = {
      profile: config.runtime.profile,
      mode: config.signing.mode,
      rekorPolicy: config.signing.rekor.policy,
      signaturesRequired: report.requirement.enforced,
      because: report.requirement.because,
      trustedKeys: trust.keyIds,
      trustedAuthorities: trust.authorities,
      rekorKeys: trust.inventory.rekor?.keys ?? 0,
      auth: {
        tokens: tokens?.size ?? 0,
        tls: tls !== undefined,
        clientCertificates,
      },
    };
    audit.write({ event: 'controller.started', level: 'info', ...started });
    log.info(started, 'trust material loaded');
    const opener = store;
    return {
      app,
      config,
      trust,
      report,
      store: opener,
      audit,
      async listen(overrides = {}) {
        const host = overrides.host ?? config.controller.host;
        const port = overrides.port ?? config.controller.port;
        // The validator judged the configured host; a host given here is judged the same way.
        if (
          config.runtime.profile === 'production' &&
          !isLoopback(host) &&
          tokens === undefined &&
          !clientCertificates
        ) {
          const recheck = validateConfig(
            { ...config, controller: { ...config.controller, host } },
            trust.inventory,
          );
          throw refused(config, recheck);
        }
        let url: string;
        try {
          url = await app.listen({ host, port });
        } catch (error) {
          throw new ControllerError(
            'LISTEN_FAILED',
            `cannot listen on ${host}:${port}: ${(error as Error).message}`,
            { actual: (error as NodeJS.ErrnoException).code },
            { cause: error },
          );
        }
        log.info({ url }, 'controller listening');
        return url;
      },
      async close() {
        try {
          await app.close();
        } finally {
          opener.close();
        }
      },
    };
  } catch (error) {
    await app.close();
    store?.close();
    throw error;
  }
}
