import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { AuditLog } from './audit.js';
import type { ControllerConfig } from './config.js';
import { ControllerError } from './errors.js';
import { registerApi } from './server.js';
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

/**
 * Start-up: read the trust material once, run the config validator (WARN findings are logged
 * and written to the audit log; ERROR findings refuse the start), open the module store
 * (cleaning up interrupted installs) and register the API.
 * @throws ControllerError `TRUST_MATERIAL_INVALID`, `CONFIG_REJECTED`, `CONFIG_SCHEMA_INVALID`
 */
export async function createController(
  config: ControllerConfig,
  options: ControllerOptions = {},
): Promise<Controller> {
  const app = Fastify({ logger: options.logger ?? false });
  const log = app.log;
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
    const report = validateConfig(config, trust.inventory);
    for (const finding of report.warnings) {
      log.warn({ finding }, finding.message);
      audit.write({ event: 'config.warning', level: 'warn', ...finding });
    }
    if (report.errors.length) {
      for (const finding of report.errors) {
        log.error({ finding }, finding.message);
        audit.write({ event: 'config.rejected', level: 'error', ...finding });
      }
      throw new ControllerError(
        'CONFIG_REJECTED',
        `the configuration is refused: ${report.errors.map((f) => `${f.code} (${f.path}): ${f.message}`).join('; ')}`,
        {
          ...(config.source === undefined ? {} : { path: config.source }),
          findings: report.errors,
        },
      );
    }
    const verifier = new ModuleVerifier(config, trust, report.requirement);
    const { store, cleaned } = await ModuleStore.open(config.controller.modulesDir, options.store);
    if (cleaned.length) {
      log.warn({ cleaned }, 'removed leftovers of interrupted installs');
      audit.write({ event: 'store.cleaned', level: 'warn', entries: cleaned });
    }
    await registerApi(app, { config, trust, verifier, store, audit });
    const started = {
      profile: config.runtime.profile,
      mode: config.signing.mode,
      rekorPolicy: config.signing.rekor.policy,
      signaturesRequired: report.requirement.enforced,
      because: report.requirement.because,
      trustedKeys: trust.keyIds,
      trustedAuthorities: trust.authorities,
      rekorKeys: trust.inventory.rekor?.keys ?? 0,
    };
    audit.write({ event: 'controller.started', level: 'info', ...started });
    log.info(started, 'trust material loaded');
    return {
      app,
      config,
      trust,
      report,
      store,
      audit,
      async listen(overrides = {}) {
        const url = await app.listen({
          host: overrides.host ?? config.controller.host,
          port: overrides.port ?? config.controller.port,
        });
        log.info({ url }, 'controller listening');
        return url;
      },
      async close() {
        await app.close();
      },
    };
  } catch (error) {
    await app.close();
    throw error;
  }
}
