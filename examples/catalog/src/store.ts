import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  type BundleVerifier,
  createVerifier,
  type IdentityPolicy,
  type VerifierOptions,
} from '@flareo/bundle-verify';
import { type CompiledPolicy, compilePolicy, type PolicyConfig, PolicyError } from '@flareo/policy';
import { parseTrustedRoot, type TrustRoot } from '@flareo/trust-root';
import { mergeVex, type VexDocument } from '@flareo/vex';
import { type Assessment, assessModule } from './assess.js';
import { assertSlug, CatalogError } from './errors.js';
import { acquireWriteLock, DEFAULT_LOCK_STALE_MS, processAlive, type WriteLock } from './lock.js';
import {
  bundleFileSignatureSource,
  readModuleDir,
  type SignatureSource,
  type VerifiedModule,
  type VerifyContext,
  verifyModule,
} from './module.js';
import { assertSchema, catalogConfigSchema } from './schemas.js';

/** `catalog.json`: what the catalog trusts and how it judges. */
export interface CatalogConfig {
  /** Display name of the catalog. */
  readonly name: string;
  /**
   * The identity every module must be signed by. `{slug}` in the regexp is replaced by the
   * module's slug, so one module's workflow cannot sign another module.
   */
  readonly identity: { readonly subjectAlternativeNameRegexp: string; readonly issuer: string };
  /** SLSA trusted-builder table: anchored regexps of builder ids and the level they earn. */
  readonly trustedBuilders: readonly { readonly idPattern: string; readonly level: 1 | 2 | 3 }[];
  /** Rekor evidence required of every signature. Defaults to `'require-any'`. */
  readonly rekorPolicy?: 'require-set' | 'require-inclusion-proof' | 'require-any';
  /** `@flareo/policy` config (`data.flareo.config`). Defaults to the package defaults. */
  readonly policy?: PolicyConfig;
  /**
   * Refuse a module whose contact file, SBOM, Trivy report or any VEX document is not signed
   * as an in-toto attestation (see `parts.ts`). Absent means false, so catalogs made before
   * the setting keep working; {@link initDataDir} writes `true` unless told otherwise.
   */
  readonly requireSignedParts?: boolean;
}

/** Paths inside a data directory. */
export const DATA_FILES = Object.freeze({
  config: 'catalog.json',
  trustedRoot: 'trusted_root.json',
  modules: 'modules',
  staging: '.staging',
  /** The write lock (a directory, see `lock.ts`). */
  lock: '.lock',
  /** Written into each stored module directory, last, before the rename. */
  record: 'ingest.json',
});

/** Options of {@link CatalogStore.open}. */
export interface StoreOptions {
  /** The clock for scores (freshness). Defaults to `() => new Date()`. */
  readonly now?: () => Date;
  /** How long a computed score and verdict are reused, in milliseconds. Defaults to `60_000`. */
  readonly assessmentTtlMs?: number;
  /** Where signatures come from at ingest. Defaults to the module directory's `signature.sigstore.json`. */
  readonly signatureSource?: SignatureSource;
  /** Base URL used in the merged VEX documents' `@id`. Defaults to `http://127.0.0.1:8080`. */
  readonly publicUrl?: string;
  /** Called for modules on disk that no longer verify at start (they are not served). */
  readonly onQuarantine?: (slug: string, error: CatalogError) => void;
  /**
   * Lease of the data directory's write lock in milliseconds (at least 2000): a lock held by
   * a process that died is taken over after this long. Defaults to `10_000`.
   */
  readonly lockStaleMs?: number;
}

/** One module as the catalog serves it. */
export interface CatalogEntry {
  readonly module: VerifiedModule;
  /** When the module was ingested. */
  readonly ingestedAt: string;
}

/** The merged OpenVEX document of a module as served. */
export interface ServedVex {
  readonly document: VexDocument;
  /** The exact response body. */
  readonly body: string;
  /** Strong ETag: the quoted SHA-256 of {@link body}. */
  readonly etag: string;
}

async function readJsonFile(path: string, what: string): Promise<unknown> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (error) {
    throw new CatalogError(
      'CONFIG_INVALID',
      `${what} is missing: ${path}`,
      { file: path },
      { cause: error },
    );
  }
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new CatalogError(
      'CONFIG_INVALID',
      `${what} is not JSON: ${path}`,
      { file: path },
      { cause: error },
    );
  }
}

/** Write a file and fsync it. */
async function writeDurable(path: string, data: Uint8Array | string): Promise<void> {
  const handle = await open(path, 'w', 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsync a directory so that a rename or a new entry in it is durable. */
async function syncDir(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Write a file atomically: a temporary file in the same directory, fsynced, renamed. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeDurable(tmp, data);
  await rename(tmp, path);
  await syncDir(dirname(path));
}

const ioError = (message: string, error: unknown, slug?: string) =>
  new CatalogError(
    'STORE_IO',
    `${message}: ${error instanceof Error ? error.message : String(error)}`,
    slug ? { slug } : {},
    { cause: error },
  );

/**
 * The embedded store: a data directory with one directory per module, no server and no
 * native addon. An ingest takes the data directory's write lock, writes the module into its
 * own `.staging/<slug>.<pid>.<random>`, fsyncs every file, renames it into `modules/<slug>` in
 * one step and only then releases the lock, so a crash leaves either the whole module or
 * nothing, whatever other processes run on the same directory. At open, staging directories
 * left by dead processes are removed (under the lock, and never one whose owner is alive) and
 * the index is rebuilt from disk by verifying every stored module again (a module that no
 * longer verifies is not served).
 */
export class CatalogStore {
  readonly dataDir: string;
  readonly config: CatalogConfig;
  /** The `trusted_root.json` the catalog verifies against, as read. */
  readonly trustedRootText: string;
  /** The parsed trust root every signature is verified against. */
  readonly trustRoot: TrustRoot;
  /** The verifier options (Rekor policy) of the catalog's verifiers. */
  readonly verifierOptions: VerifierOptions;
  readonly #policy: CompiledPolicy;
  readonly #context: VerifyContext;
  readonly #options: StoreOptions;
  readonly #entries = new Map<string, CatalogEntry>();
  readonly #assessments = new Map<string, { at: number; value: Assessment }>();
  readonly #vex = new Map<string, ServedVex>();
  readonly #quarantined = new Map<string, CatalogError>();
  #publicUrl: string;
  #ingesting = new Set<string>();

  private constructor(
    dataDir: string,
    config: CatalogConfig,
    trustedRootText: string,
    trust: { trustRoot: TrustRoot; verifierOptions: VerifierOptions; verifier: BundleVerifier },
    policy: CompiledPolicy,
    options: StoreOptions,
  ) {
    const { trustRoot, verifierOptions, verifier } = trust;
    this.dataDir = dataDir;
    this.config = config;
    this.trustedRootText = trustedRootText;
    this.trustRoot = trustRoot;
    this.verifierOptions = verifierOptions;
    this.#policy = policy;
    this.#options = options;
    this.#publicUrl = (options.publicUrl ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
    const trustedBuilders = config.trustedBuilders.map((b) => ({
      idPattern: new RegExp(b.idPattern),
      level: b.level,
    }));
    this.#context = {
      verifier,
      identityFor: (slug) => identityFor(config, slug),
      trustedBuilders,
      trustRoot,
      verifierOptions,
      requireSignedParts: config.requireSignedParts ?? false,
      ...(options.signatureSource ? { signatureSource: options.signatureSource } : {}),
    };
  }

  /** Open a data directory (it must hold `catalog.json` and `trusted_root.json`). */
  static async open(dataDir: string, options: StoreOptions = {}): Promise<CatalogStore> {
    const config = (await readJsonFile(
      join(dataDir, DATA_FILES.config),
      'catalog.json',
    )) as CatalogConfig;
    assertSchema(catalogConfigSchema, config, 'CONFIG_INVALID', { file: DATA_FILES.config });
    for (const [i, b] of config.trustedBuilders.entries()) {
      try {
        new RegExp(b.idPattern);
      } catch (error) {
        throw new CatalogError(
          'CONFIG_INVALID',
          `catalog.json: trustedBuilders[${i}].idPattern is not a regular expression`,
          { file: DATA_FILES.config, actual: b.idPattern },
          { cause: error },
        );
      }
    }
    let policy: CompiledPolicy;
    try {
      policy = compilePolicy(config.policy ?? {});
    } catch (error) {
      throw new CatalogError(
        'CONFIG_INVALID',
        `catalog.json: policy: ${(error as Error).message}`,
        {
          file: DATA_FILES.config,
          ...(error instanceof PolicyError
            ? { reason: error.code, issues: error.detail.fields ?? [] }
            : {}),
        },
        { cause: error },
      );
    }
    const trustedRootJson = await readJsonFile(
      join(dataDir, DATA_FILES.trustedRoot),
      'trusted_root.json',
    );
    const verifierOptions: VerifierOptions = {
      rekor: { policy: config.rekorPolicy ?? 'require-any' },
    };
    let verifier: BundleVerifier;
    let trustRoot: TrustRoot;
    try {
      trustRoot = parseTrustedRoot(trustedRootJson as object);
      verifier = createVerifier(trustRoot, verifierOptions);
    } catch (error) {
      throw new CatalogError(
        'CONFIG_INVALID',
        `trusted_root.json: ${(error as Error).message}`,
        {
          file: DATA_FILES.trustedRoot,
          ...(typeof (error as { code?: unknown }).code === 'string'
            ? { reason: (error as { code: string }).code }
            : {}),
        },
        { cause: error },
      );
    }
    const store = new CatalogStore(
      dataDir,
      config,
      JSON.stringify(trustedRootJson, null, 2),
      { trustRoot, verifierOptions, verifier },
      policy,
      options,
    );
    await store.#prepare();
    await store.reload();
    return store;
  }

  async #prepare(): Promise<void> {
    try {
      await mkdir(join(this.dataDir, DATA_FILES.modules), { recursive: true });
      await mkdir(join(this.dataDir, DATA_FILES.staging), { recursive: true });
    } catch (error) {
      throw ioError('cannot prepare the data directory', error);
    }
    // Leftovers of crashed ingests are removed only while holding the write lock (an ingest
    // holds it from its first staged byte to its rename), and a directory whose owner is still
    // alive on this host is kept even then. When another process holds the lock, the cleanup
    // waits for a later start: leftovers are never served, they only take space.
    const lock = await this.#lock(0);
    if (!lock) return;
    try {
      const staging = join(this.dataDir, DATA_FILES.staging);
      for (const name of await readdir(staging)) {
        const owner = STAGING_NAME.exec(name)?.[1];
        if (owner !== undefined && processAlive(Number(owner))) continue;
        await rm(join(staging, name), { recursive: true, force: true });
      }
    } catch (error) {
      throw ioError('cannot clean the staging directory', error);
    } finally {
      await lock.release();
    }
  }

  /** The write lock; `waitMs` 0 tries once. */
  #lock(waitMs: number): Promise<WriteLock | undefined> {
    return acquireWriteLock(this.dataDir, join(this.dataDir, DATA_FILES.lock), {
      staleMs: this.#lockStaleMs,
      waitMs,
    });
  }

  get #lockStaleMs(): number {
    return this.#options.lockStaleMs ?? DEFAULT_LOCK_STALE_MS;
  }

  /** Rebuild the index from disk (at open, and on demand, e.g. on SIGHUP). */
  async reload(): Promise<void> {
    const dir = join(this.dataDir, DATA_FILES.modules);
    let names: string[];
    try {
      names = (await readdir(dir)).sort();
    } catch (error) {
      throw ioError('cannot list stored modules', error);
    }
    const entries = new Map<string, CatalogEntry>();
    this.#quarantined.clear();
    for (const name of names) {
      try {
        assertSlug(name);
        const path = join(dir, name);
        const record = (await readJsonFile(join(path, DATA_FILES.record), 'ingest.json')) as {
          ingestedAt?: unknown;
        };
        const module = await verifyModule(await readModuleDir(path), {
          ...this.#context,
          signatureSource: bundleFileSignatureSource,
        });
        if (module.slug !== name) {
          throw new CatalogError(
            'MODULE_FILE_INVALID',
            `stored directory ${name} holds module ${module.slug}`,
            { slug: name, expected: name, actual: module.slug },
          );
        }
        entries.set(name, {
          module,
          ingestedAt: typeof record.ingestedAt === 'string' ? record.ingestedAt : '',
        });
      } catch (error) {
        const e =
          error instanceof CatalogError ? error : ioError(`cannot load ${name}`, error, name);
        this.#quarantined.set(name, e);
        this.#options.onQuarantine?.(name, e);
      }
    }
    this.#entries.clear();
    for (const [k, v] of entries) this.#entries.set(k, v);
    this.#assessments.clear();
    this.#vex.clear();
  }

  /** Modules on disk that did not verify at the last load, with why. */
  get quarantined(): ReadonlyMap<string, CatalogError> {
    return this.#quarantined;
  }

  /** The base URL used in served documents. */
  get publicUrl(): string {
    return this.#publicUrl;
  }

  /** Set the base URL (e.g. once the server knows its port); served VEX is rebuilt. */
  setPublicUrl(url: string): void {
    this.#publicUrl = url.replace(/\/+$/, '');
    this.#vex.clear();
  }

  /** Every module, by slug. */
  list(): CatalogEntry[] {
    return [...this.#entries.values()];
  }

  /** Number of modules served. */
  get size(): number {
    return this.#entries.size;
  }

  /** One module; throws `SLUG_INVALID` or `MODULE_NOT_FOUND`. */
  get(slug: string): CatalogEntry {
    assertSlug(slug);
    const entry = this.#entries.get(slug);
    if (!entry) throw new CatalogError('MODULE_NOT_FOUND', `no module ${slug}`, { slug });
    return entry;
  }

  /** Score and verdict of a module, computed at most once per `assessmentTtlMs`. */
  assessment(slug: string): Assessment {
    const entry = this.get(slug);
    const now = (this.#options.now ?? (() => new Date()))();
    const cached = this.#assessments.get(slug);
    const ttl = this.#options.assessmentTtlMs ?? 60_000;
    if (cached && Math.abs(now.getTime() - cached.at) < ttl) return cached.value;
    const value = assessModule(entry.module, this.#policy, now);
    this.#assessments.set(slug, { at: now.getTime(), value });
    return value;
  }

  /** The merged OpenVEX document of a module, with its body and strong ETag (cached). */
  vex(slug: string): ServedVex {
    const entry = this.get(slug);
    const cached = this.#vex.get(slug);
    if (cached) return cached;
    const { document } = mergeVex(entry.module.vex.documents, {
      id: `${this.#publicUrl}/api/v1/modules/${slug}/vex`,
      author: this.config.name,
    });
    const body = JSON.stringify(document, null, 2);
    const etag = `"sha256-${hashHex(body)}"`;
    const served = { document, body, etag };
    this.#vex.set(slug, served);
    return served;
  }

  /**
   * Verify a module directory and store it atomically. Throws a `CatalogError` (and stores
   * nothing) when any part fails to verify or the slug is taken.
   */
  async ingest(sourceDir: string): Promise<CatalogEntry> {
    const module = await verifyModule(await readModuleDir(sourceDir), this.#context);
    const slug = module.slug;
    const target = join(this.dataDir, DATA_FILES.modules, slug);
    if (this.#entries.has(slug) || this.#ingesting.has(slug)) {
      throw new CatalogError('MODULE_EXISTS', `module ${slug} is already in the catalog`, { slug });
    }
    // Claimed before the first await, so two ingests of one slug in this process cannot
    // both proceed; across processes the write lock below decides.
    this.#ingesting.add(slug);
    let lock: WriteLock | undefined;
    let staging: string | undefined;
    try {
      // Wait for a busy lock a little longer than a dead holder's lease.
      lock = await this.#lock(2 * this.#lockStaleMs + 5_000);
      if (!lock) throw ioError('cannot take the write lock', new Error('busy'), slug);
      if (await exists(target)) {
        throw new CatalogError('MODULE_EXISTS', `module ${slug} is already in the catalog`, {
          slug,
        });
      }
      // Named after this process, so that a start-up in another process can tell it is alive.
      staging = join(
        this.dataDir,
        DATA_FILES.staging,
        `${slug}.${process.pid}.${randomBytes(6).toString('hex')}`,
      );
      const ingestedAt = new Date().toISOString();
      try {
        const dirs = new Set([staging, join(staging, 'vex')]);
        for (const rel of module.files.keys()) dirs.add(dirname(join(staging, rel)));
        for (const dir of dirs) await mkdir(dir, { recursive: true });
        for (const [rel, bytes] of module.files) await writeDurable(join(staging, rel), bytes);
        await writeDurable(
          join(staging, DATA_FILES.record),
          `${JSON.stringify({ slug, ingestedAt, digest: module.manifest.digest }, null, 2)}\n`,
        );
        // Deepest first, so each directory's entry in its parent is synced after its content.
        for (const dir of [...dirs].sort((a, b) => b.length - a.length)) await syncDir(dir);
      } catch (error) {
        throw ioError(`cannot stage ${slug}`, error, slug);
      }
      // A lock lost to a lease overrun means another writer may be in the directory now.
      lock.assertHeld();
      try {
        await rename(staging, target);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST') {
          throw new CatalogError(
            'MODULE_EXISTS',
            `module ${slug} is already in the catalog`,
            { slug },
            { cause: error },
          );
        }
        throw ioError(`cannot store ${slug}`, error, slug);
      }
      try {
        await syncDir(join(this.dataDir, DATA_FILES.modules));
      } catch (error) {
        throw ioError(`cannot store ${slug}`, error, slug);
      }
      const entry = { module, ingestedAt };
      this.#entries.set(slug, entry);
      return entry;
    } finally {
      try {
        if (staging) await rm(staging, { recursive: true, force: true });
      } finally {
        this.#ingesting.delete(slug);
        await lock?.release();
      }
    }
  }
}

/** `<slug>.<pid>.<random>`: the owner's pid is the second part. */
const STAGING_NAME = /^[a-z0-9-]+\.(\d+)\.[0-9a-f]+$/;

const hashHex = (text: string) => createHash('sha256').update(text).digest('hex');

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The identity policy of one module: the config's regexp with `{slug}` filled in. */
export function identityFor(config: CatalogConfig, slug: string): IdentityPolicy {
  return {
    subjectAlternativeName: {
      regexp: config.identity.subjectAlternativeNameRegexp.replaceAll('{slug}', slug),
    },
    issuer: config.identity.issuer,
  };
}

/**
 * Create a data directory: `catalog.json` and `trusted_root.json`, written atomically.
 * `requireSignedParts` defaults to true here (new catalogs).
 */
export async function initDataDir(
  dataDir: string,
  init: { config: CatalogConfig; trustedRoot: unknown },
): Promise<void> {
  assertSchema(catalogConfigSchema, init.config, 'CONFIG_INVALID', { file: DATA_FILES.config });
  // New catalogs require signed parts unless the config says otherwise.
  const config = { ...init.config, requireSignedParts: init.config.requireSignedParts ?? true };
  try {
    await mkdir(join(dataDir, DATA_FILES.modules), { recursive: true });
    await writeFileAtomic(join(dataDir, DATA_FILES.config), `${JSON.stringify(config, null, 2)}\n`);
    await writeFileAtomic(
      join(dataDir, DATA_FILES.trustedRoot),
      `${JSON.stringify(init.trustedRoot, null, 2)}\n`,
    );
  } catch (error) {
    throw ioError(`cannot initialise ${dataDir}`, error);
  }
}
