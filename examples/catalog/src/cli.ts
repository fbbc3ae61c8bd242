import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseRfc3339 } from '@flareo/internal/rfc3339';
import { CatalogError } from './errors.js';
import { recheckModule, registryAuthFromEnv, registrySignatureSource } from './registry.js';
import { seedCatalog } from './seed.js';
import { startCatalogServer } from './server.js';
import { CatalogStore, DATA_FILES, identityFor } from './store.js';
import { makeToken } from './tokens.js';

/** Where the process writes: replaceable in tests. */
export interface CliIo {
  /** Writes one line of results (JSON lines for `seed` and `ingest`). */
  readonly out: (line: string) => void;
  /** Writes one line of diagnostics (the URL, refusals, errors). */
  readonly err: (line: string) => void;
  /** The environment the `FLAREO_CATALOG_*` variables are read from. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

const USAGE = `Usage: flareo-catalog <command> [options]

Commands:
  serve   [--port N] [--host H] [--data-dir DIR] [--database URL] [--seed] [--public-url URL]
          [--log-level L] [--reverify-interval SECONDS]
          Serve the catalog (API under /api/v1, web page at /). --seed mints the sample
          catalog first when the data directory is empty. Modules are served from the
          database at once; those verified longer ago than the interval (default 86400), or
          against another trust root or policy, are verified again in the background.
  token   --name NAME [--scope publish|admin]
          Make a bearer token for POST /api/v1/modules: prints the token once, and the entry
          (its SHA-256, never the token) to add to catalog.json "tokens".
  seed    [--data-dir DIR] [--now ISO-8601]
          Mint the sample catalog (test CA, test Rekor log, five modules) into an empty data directory.
  ingest  [--data-dir DIR] [--from-registry [--allow-http]] MODULE_DIR...
          Verify module directories and store those that verify; refused ones are reported
          with their error code and nothing of them is stored. --from-registry takes the
          signature from the registry of the module's image (module.json image@digest): a
          Sigstore bundle referrer must verify; signature.sigstore.json is then ignored.
  recheck [--data-dir DIR] [--allow-http] [SLUG...]
          Fetch the image signatures of stored modules (default: all) from their registry
          again and print one JSON line per module with every signature found. Exits 0 when
          every module still has a verified signature, 1 otherwise.

--allow-http speaks plain HTTP to the registry; only loopback registries are accepted.

--database postgres://… keeps the metadata in PostgreSQL (several replicas); the default
is the embedded SQLite database catalog.db in the data directory.

Environment: FLAREO_CATALOG_DATA_DIR, FLAREO_CATALOG_DATABASE, FLAREO_CATALOG_PORT,
FLAREO_CATALOG_HOST, FLAREO_CATALOG_PUBLIC_URL, FLAREO_CATALOG_LOG_LEVEL,
FLAREO_CATALOG_REVERIFY_INTERVAL. Flags win over the environment.
Registry credentials: FLAREO_REGISTRY_USERNAME and FLAREO_REGISTRY_PASSWORD, or
FLAREO_REGISTRY_TOKEN (default anonymous).
Default data directory: $XDG_DATA_HOME/flareo-catalog (~/.local/share/flareo-catalog).`;

const options = {
  port: { type: 'string' },
  host: { type: 'string' },
  'data-dir': { type: 'string' },
  seed: { type: 'boolean' },
  'public-url': { type: 'string' },
  'log-level': { type: 'string' },
  now: { type: 'string' },
  'from-registry': { type: 'boolean' },
  'allow-http': { type: 'boolean' },
  database: { type: 'string' },
  'reverify-interval': { type: 'string' },
  name: { type: 'string' },
  scope: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function defaultDataDir(env: CliIo['env']): string {
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'flareo-catalog');
}

async function initialised(dataDir: string): Promise<boolean> {
  try {
    await access(join(dataDir, DATA_FILES.config));
    return true;
  } catch {
    return false;
  }
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new CatalogError(
      'ARGUMENT_INVALID',
      `--port must be an integer 0–65535, got ${JSON.stringify(value)}`,
      {
        expected: '0–65535',
        actual: value,
      },
    );
  }
  return port;
}

/** Registry options of `ingest --from-registry` and `recheck`. */
function registryOptions(allowHttp: boolean | undefined, env: CliIo['env']) {
  const auth = registryAuthFromEnv(env);
  return { ...(allowHttp ? { plainHttp: true } : {}), ...(auth ? { auth } : {}) };
}

/** `--reverify-interval`: whole seconds, 60 to 31536000 (a year). */
function parseReverifyInterval(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || seconds < 60 || seconds > 31_536_000) {
    throw new CatalogError(
      'ARGUMENT_INVALID',
      `--reverify-interval must be whole seconds 60–31536000, got ${JSON.stringify(value)}`,
      { expected: '60–31536000', actual: value },
    );
  }
  return seconds * 1000;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** A started `serve`: resolves when the server has closed. */
export interface ServeHandle {
  /** `http://host:port` of the listening socket. */
  readonly url: string;
  /** Settles once the server has closed. */
  readonly closed: Promise<void>;
  /** Close gracefully (requests in flight finish); safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Run one command. Returns the exit code (`serve` returns once listening, with a handle
 * to stop it). Errors are printed as one JSON line with their code.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
): Promise<{ code: number; serve?: ServeHandle }> {
  let parsed: ReturnType<
    typeof parseArgs<{ options: typeof options; allowPositionals: true; args: string[] }>
  >;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return { code: 2 };
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    io.out(USAGE);
    return { code: command === undefined && !values.help ? 2 : 0 };
  }
  const env = io.env;
  const dataDir = resolve(values['data-dir'] ?? env.FLAREO_CATALOG_DATA_DIR ?? defaultDataDir(env));
  try {
    const reverifyIntervalMs = parseReverifyInterval(
      values['reverify-interval'] ?? env.FLAREO_CATALOG_REVERIFY_INTERVAL,
    );
    const database = values.database ?? (env.FLAREO_CATALOG_DATABASE || undefined);
    const storeOptions = {
      ...(database === undefined ? {} : { database }),
      ...(reverifyIntervalMs === undefined ? {} : { reverifyIntervalMs }),
    };
    switch (command) {
      case 'seed': {
        if (rest.length > 0)
          throw new CatalogError(
            'ARGUMENT_INVALID',
            `seed takes no arguments, got ${rest.join(' ')}`,
          );
        if (await initialised(dataDir)) {
          throw new CatalogError(
            'ARGUMENT_INVALID',
            `${dataDir} already holds a catalog; seed an empty directory`,
            { actual: dataDir },
          );
        }
        const nowMs = values.now === undefined ? undefined : parseRfc3339(values.now);
        const now = nowMs === undefined ? undefined : new Date(nowMs);
        if (values.now !== undefined && now === undefined) {
          throw new CatalogError(
            'ARGUMENT_INVALID',
            `--now must be an RFC 3339 date-time that exists in the calendar, got ${JSON.stringify(values.now)}`,
            { actual: values.now },
          );
        }
        const result = await seedCatalog(dataDir, {
          ...(now ? { now } : {}),
          ...(database === undefined ? {} : { database }),
        });
        io.out(JSON.stringify({ seeded: dataDir, modules: result.ingested }));
        return { code: 0 };
      }
      case 'ingest': {
        if (rest.length === 0)
          throw new CatalogError('ARGUMENT_INVALID', 'ingest needs at least one module directory');
        if (values['allow-http'] && !values['from-registry']) {
          throw new CatalogError('ARGUMENT_INVALID', '--allow-http needs --from-registry', {
            expected: '--from-registry',
          });
        }
        const fromRegistry = values['from-registry']
          ? registrySignatureSource(registryOptions(values['allow-http'], env))
          : undefined;
        const store = await CatalogStore.open(dataDir, {
          ...storeOptions,
          onQuarantine: (slug, e) =>
            io.err(JSON.stringify({ quarantined: slug, code: e.code, message: e.message })),
          ...(fromRegistry ? { signatureSource: fromRegistry } : {}),
        });
        let refused = 0;
        for (const dir of rest) {
          try {
            const entry = await store.ingest(resolve(dir));
            const a = store.assessment(entry.module.slug);
            io.out(
              JSON.stringify({
                ingested: entry.module.slug,
                digest: entry.module.manifest.digest,
                score: a.score.score,
                verdict: a.decision.result.verdict,
                warnings: entry.module.warnings,
              }),
            );
          } catch (error) {
            if (!(error instanceof CatalogError)) throw error;
            refused++;
            io.out(
              JSON.stringify({
                refused: dir,
                code: error.code,
                ...(error.detail.reason ? { reason: error.detail.reason } : {}),
                message: error.message,
              }),
            );
          }
        }
        await store.close();
        return { code: refused === 0 ? 0 : 1 };
      }
      case 'recheck': {
        if (values['from-registry']) {
          throw new CatalogError('ARGUMENT_INVALID', 'recheck always reads the registry', {
            actual: '--from-registry',
          });
        }
        const options = registryOptions(values['allow-http'], env);
        const store = await CatalogStore.open(dataDir, {
          ...storeOptions,
          onQuarantine: (slug, e) =>
            io.err(JSON.stringify({ quarantined: slug, code: e.code, message: e.message })),
        });
        const slugs = rest.length > 0 ? rest : store.list().map((e) => e.slug);
        let failed = 0;
        for (const slug of slugs) {
          let entry: ReturnType<CatalogStore['get']>;
          try {
            entry = store.get(slug);
          } catch (error) {
            if (!(error instanceof CatalogError)) throw error;
            failed++;
            io.out(
              JSON.stringify({ slug, verified: false, code: error.code, message: error.message }),
            );
            continue;
          }
          const report = await recheckModule(
            entry.module,
            {
              trustRoot: store.trustRoot,
              verifierOptions: store.verifierOptions,
              identity: identityFor(store.config, slug),
            },
            options,
          );
          if (!report.verified) failed++;
          const { error, ...fields } = report;
          io.out(JSON.stringify(error ? { ...fields, ...error } : fields));
        }
        await store.close();
        return { code: failed === 0 ? 0 : 1 };
      }
      case 'token': {
        if (rest.length > 0)
          throw new CatalogError(
            'ARGUMENT_INVALID',
            `token takes no arguments, got ${rest.join(' ')}`,
          );
        const name = values.name;
        if (!name || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
          throw new CatalogError(
            'ARGUMENT_INVALID',
            'token needs --name (letters, digits, . _ -)',
            {
              expected: '--name NAME',
              actual: name ?? null,
            },
          );
        }
        const scope = values.scope ?? 'publish';
        if (scope !== 'publish' && scope !== 'admin') {
          throw new CatalogError('ARGUMENT_INVALID', '--scope must be publish or admin', {
            expected: ['publish', 'admin'],
            actual: scope,
          });
        }
        const made = makeToken(name, [scope]);
        io.out(JSON.stringify({ token: made.token, entry: made.entry }));
        io.err(
          'Add "entry" to the "tokens" array of catalog.json and restart; the token is shown only now.',
        );
        return { code: 0 };
      }
      case 'serve': {
        if (rest.length > 0)
          throw new CatalogError(
            'ARGUMENT_INVALID',
            `serve takes no arguments, got ${rest.join(' ')}`,
          );
        const port = parsePort(values.port ?? env.FLAREO_CATALOG_PORT ?? '8080');
        const host = values.host ?? env.FLAREO_CATALOG_HOST ?? '127.0.0.1';
        const level = values['log-level'] ?? env.FLAREO_CATALOG_LOG_LEVEL ?? 'info';
        if (!LOG_LEVELS.includes(level)) {
          throw new CatalogError(
            'ARGUMENT_INVALID',
            `--log-level must be one of ${LOG_LEVELS.join(', ')}`,
            { expected: LOG_LEVELS, actual: level },
          );
        }
        const publicUrl = values['public-url'] ?? env.FLAREO_CATALOG_PUBLIC_URL;
        if (!(await initialised(dataDir))) {
          if (!values.seed) {
            throw new CatalogError(
              'CONFIG_INVALID',
              `${dataDir} holds no catalog (no catalog.json): run \`flareo-catalog seed\` or \`serve --seed\` for the sample catalog, or create catalog.json and trusted_root.json`,
              { file: join(dataDir, DATA_FILES.config) },
            );
          }
          const result = await seedCatalog(dataDir, database === undefined ? {} : { database });
          io.err(`Seeded the sample catalog (${result.ingested.length} modules) into ${dataDir}`);
        }
        const store = await CatalogStore.open(dataDir, {
          ...storeOptions,
          onQuarantine: (slug, e) =>
            io.err(
              JSON.stringify({
                level: 40,
                msg: 'module not served: it no longer verifies',
                slug,
                code: e.code,
                error: e.message,
              }),
            ),
        });
        const running = await startCatalogServer({
          store,
          host,
          port,
          logger: { level },
          ...(publicUrl ? { publicUrl } : {}),
        });
        const stopBackground = store.startBackground({
          onReverified: (slug, record) =>
            running.app.log.info({ slug, verification: record }, 'module verified again'),
          onError: (error) => running.app.log.error({ err: error }, 'background work failed'),
        });
        io.err(
          `Flareo catalog listening on ${running.url} (${store.size} modules, data in ${dataDir})`,
        );
        let resolveClosed: () => void = () => {};
        const closed = new Promise<void>((r) => {
          resolveClosed = r;
        });
        let stopping: Promise<void> | undefined;
        const stop = () => {
          stopping ??= stopBackground()
            .then(() => running.close())
            .then(() => store.close())
            .then(resolveClosed);
          return stopping;
        };
        return { code: 0, serve: { url: running.url, closed, stop } };
      }
      default:
        io.err(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
        return { code: 2 };
    }
  } catch (error) {
    if (error instanceof CatalogError) {
      io.err(JSON.stringify({ error: error.toJSON() }));
      return { code: error.code === 'ARGUMENT_INVALID' ? 2 : 1 };
    }
    throw error;
  }
}
