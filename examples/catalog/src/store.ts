import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename } from 'node:fs/promises';
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
import { BlobStore, sha256Hex } from './blobs.js';
import { assertSlug, CatalogError, isSlug } from './errors.js';
import type { MetadataStore, ModuleRow, VerificationRecord } from './metadata.js';
import {
  bundleFileSignatureSource,
  type DerivedModule,
  deriveModule,
  type ModuleSource,
  readModuleDir,
  restoreModule,
  type SignatureSource,
  type VerifiedModule,
  type VerifyContext,
  verifyModule,
} from './module.js';
import { assertSchema, catalogConfigSchema } from './schemas.js';
import { openSqliteMetadata } from './sqlite.js';
import type { TokenEntry } from './tokens.js';

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
  /**
   * Bearer tokens allowed to publish over HTTP (`POST /api/v1/modules`), each stored as the
   * SHA-256 (hex) of the token, never the token (`flareo-catalog token` makes one). Absent or
   * empty: publishing over HTTP is refused to everyone.
   */
  readonly tokens?: readonly TokenEntry[];
}

/** Paths inside a data directory. */
export const DATA_FILES = Object.freeze({
  config: 'catalog.json',
  trustedRoot: 'trusted_root.json',
  /** The embedded SQLite database (metadata), with its `-wal` and `-shm` files. */
  database: 'catalog.db',
  /** Module files, content-addressed (`blobs/sha256/ab/ab12…`). */
  blobs: 'blobs',
  /**
   * Module directories of a catalog made before the database: imported into it at open
   * (see {@link CatalogStore.open}), never written.
   */
  modules: 'modules',
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
  /**
   * Called for a stored module that is not served: its files were altered on disk, or a
   * re-verification refused it.
   */
  readonly onQuarantine?: (slug: string, error: CatalogError) => void;
  /**
   * Where the metadata is: a `postgres://` (or `postgresql://`) URL for PostgreSQL (several
   * replicas on one database; the module files stay under the data directory, which the
   * replicas share). Defaults to the embedded SQLite database `catalog.db` in the data directory.
   */
  readonly database?: string;
  /**
   * A module verified longer ago than this is verified again in the background, in
   * milliseconds. Defaults to {@link DEFAULT_REVERIFY_INTERVAL_MS} (a day).
   */
  readonly reverifyIntervalMs?: number;
  /**
   * How often a serving store looks for writes of other processes (SQLite), or polls besides
   * LISTEN/NOTIFY (PostgreSQL, at least every 5 s), in milliseconds. Defaults to `1000`.
   */
  readonly watchIntervalMs?: number;
  /**
   * How many modules are kept read in memory (least recently used go first; a module is read
   * from its stored files again when needed). Defaults to `512`.
   */
  readonly moduleCacheSize?: number;
}

/** One module as the catalog serves it. */
export interface CatalogEntry {
  readonly slug: string;
  /**
   * The module. Read from the stored files on first use (each file's digest checked) and kept
   * in a bounded cache ({@link StoreOptions.moduleCacheSize}); a stored file altered on disk
   * throws `STORE_IO` (`reason` `BLOB_CORRUPT`) here, and {@link CatalogStore.get} then stops
   * serving the module.
   */
  readonly module: VerifiedModule;
  /** When the module was ingested. */
  readonly ingestedAt: string;
  /** What was verified, against which trust root and policy, and when. */
  readonly verification: VerificationRecord;
  /** `sha256:` over the stored files (what a repeated publish is compared with). */
  readonly contentDigest: string;
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

/** Default of {@link StoreOptions.reverifyIntervalMs}: a day. */
export const DEFAULT_REVERIFY_INTERVAL_MS = 24 * 60 * 60 * 1000;

/** The checks a verification record lists, in the order `verifyModule` runs them. */
const CHECKS = Object.freeze(['signature', 'provenance', 'sbom', 'vex', 'scan', 'parts']);

/** `sha256:` over the stored files (path and blob digest of each): what idempotency compares. */
function contentDigestOf(files: Readonly<Record<string, string>>): string {
  const lines = Object.keys(files)
    .sort()
    .map((rel) => `${rel}\u0000${files[rel]}\n`)
    .join('');
  return `sha256:${sha256Hex(lines)}`;
}

/** What {@link CatalogStore.publish} did. */
export interface PublishResult {
  /** False when the same module (the same files) was in the catalog already. */
  readonly created: boolean;
  readonly entry: CatalogEntry;
}

/**
 * The catalog's store: metadata in a database (embedded SQLite `catalog.db` in the data
 * directory by default, PostgreSQL when {@link StoreOptions.database} is a `postgres://`
 * URL), module files as content-addressed blobs under `blobs/`. An ingest verifies the module,
 * writes its blobs (fsync, rename) and then commits one metadata transaction, so a crash at any
 * point leaves the whole module or nothing visible. A start serves what the database holds
 * without verifying it again: each module carries its verification record, and modules whose
 * record names another trust root or policy, or is older than the re-verification interval,
 * are verified again in the background ({@link startBackground}).
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
  /** `sha256:` of {@link trustedRootText}: what verification records name. */
  readonly trustRootDigest: string;
  /** `sha256:` of the settings that decide verification and verdicts (see {@link policyHashOf}). */
  readonly policyHash: string;
  /** Where the metadata is. */
  readonly metadata: MetadataStore;
  readonly #blobs: BlobStore;
  readonly #policy: CompiledPolicy;
  readonly #context: VerifyContext;
  readonly #options: StoreOptions;
  readonly #entries = new Map<string, CatalogEntry>();
  /** The rows of the served modules (what a module is read from). */
  readonly #rows = new Map<string, ModuleRow>();
  /** Modules read from their files, least recently used first. */
  readonly #modules = new Map<string, VerifiedModule>();
  /** Records of modules a re-verification refused (not served). */
  readonly #failed = new Map<string, VerificationRecord>();
  #sorted: CatalogEntry[] | undefined;
  readonly #seqs = new Map<string, number>();
  readonly #assessments = new Map<string, { at: number; value: Assessment }>();
  readonly #vex = new Map<string, ServedVex>();
  readonly #quarantined = new Map<string, CatalogError>();
  readonly #queues = new Map<string, Promise<unknown>>();
  #publicUrl: string;
  #seq = 0;
  #refreshing: Promise<void> | undefined;
  #refreshAgain = false;

  private constructor(
    dataDir: string,
    config: CatalogConfig,
    trustedRootText: string,
    trust: { trustRoot: TrustRoot; verifierOptions: VerifierOptions; verifier: BundleVerifier },
    policy: CompiledPolicy,
    metadata: MetadataStore,
    options: StoreOptions,
  ) {
    const { trustRoot, verifierOptions, verifier } = trust;
    this.dataDir = dataDir;
    this.config = config;
    this.trustedRootText = trustedRootText;
    this.trustRoot = trustRoot;
    this.verifierOptions = verifierOptions;
    this.trustRootDigest = `sha256:${sha256Hex(trustedRootText)}`;
    this.policyHash = policyHashOf(config);
    this.metadata = metadata;
    this.#blobs = new BlobStore(join(dataDir, DATA_FILES.blobs));
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

  /**
   * Open a data directory (it must hold `catalog.json` and `trusted_root.json`): open the
   * database and apply its pending migrations, import module directories of a catalog made
   * before the database, and load every module from the database (no verification).
   */
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
    const metadata = await openMetadata(dataDir, options.database);
    try {
      await metadata.migrate();
      const store = new CatalogStore(
        dataDir,
        config,
        JSON.stringify(trustedRootJson, null, 2),
        { trustRoot, verifierOptions, verifier },
        policy,
        metadata,
        options,
      );
      try {
        await store.#blobs.prepare();
      } catch (error) {
        throw ioError('cannot prepare the blob directory', error);
      }
      await store.reload();
      await store.#importDirectories();
      return store;
    } catch (error) {
      await metadata.close();
      throw error;
    }
  }

  /**
   * A data directory of a catalog made before the database holds `modules/<slug>/`
   * directories: each one not in the database yet is verified and ingested once (the
   * directories are left as they are; the database is what is served from then on).
   */
  async #importDirectories(): Promise<void> {
    const dir = join(this.dataDir, DATA_FILES.modules);
    let names: string[];
    try {
      names = (await readdir(dir)).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (this.#entries.has(name) || this.#quarantined.has(name) || !isSlug(name)) continue;
      try {
        const entry = await this.#ingestSource(await readModuleDir(join(dir, name)), {
          signatureSource: bundleFileSignatureSource,
          idempotent: true,
        });
        if (entry.entry.module.slug !== name) {
          this.#options.onQuarantine?.(
            name,
            new CatalogError(
              'MODULE_FILE_INVALID',
              `stored directory ${name} holds module ${entry.entry.module.slug}`,
              {
                slug: name,
                expected: name,
                actual: entry.entry.module.slug,
              },
            ),
          );
        }
      } catch (error) {
        const e =
          error instanceof CatalogError ? error : ioError(`cannot import ${name}`, error, name);
        this.#quarantined.set(name, e);
        this.#options.onQuarantine?.(name, e);
      }
    }
  }

  /** Rebuild the index from the database (at open, and on demand). Nothing is verified. */
  async reload(): Promise<void> {
    const rows = await this.metadata.changesSince(0);
    this.#entries.clear();
    this.#rows.clear();
    this.#modules.clear();
    this.#failed.clear();
    this.#sorted = undefined;
    this.#seqs.clear();
    this.#quarantined.clear();
    this.#assessments.clear();
    this.#vex.clear();
    this.#seq = 0;
    this.#apply(rows);
  }

  /** Load what other processes (or replicas) wrote since the last load. */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      try {
        do {
          this.#refreshAgain = false;
          this.#apply(await this.metadata.changesSince(this.#seq));
        } while (this.#refreshAgain);
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  /** Put rows read from the database into the index (no file is read here). */
  #apply(rows: readonly ModuleRow[]): void {
    for (const row of rows) {
      this.#seq = Math.max(this.#seq, row.seq);
      if ((this.#seqs.get(row.slug) ?? 0) >= row.seq) continue;
      this.#seqs.set(row.slug, row.seq);
      this.#assessments.delete(row.slug);
      this.#vex.delete(row.slug);
      this.#sorted = undefined;
      if (row.verification.outcome !== 'verified') {
        this.#forget(row.slug);
        this.#failed.set(row.slug, row.verification);
        const e = new CatalogError(
          (row.verification.error?.code as CatalogError['code'] | undefined) ?? 'STORE_IO',
          row.verification.error?.message ?? `${row.slug} no longer verifies`,
          { slug: row.slug },
        );
        this.#quarantined.set(row.slug, e);
        this.#options.onQuarantine?.(row.slug, e);
        continue;
      }
      const previous = this.#rows.get(row.slug);
      const sameFiles =
        previous !== undefined &&
        previous.digest === row.digest &&
        contentDigestOf(previous.files) === contentDigestOf(row.files);
      if (!sameFiles) this.#modules.delete(row.slug);
      this.#failed.delete(row.slug);
      this.#quarantined.delete(row.slug);
      this.#rows.set(row.slug, row);
      this.#entries.set(row.slug, this.#entryOf(row));
    }
  }

  #forget(slug: string): void {
    this.#entries.delete(slug);
    this.#rows.delete(slug);
    this.#modules.delete(slug);
    this.#sorted = undefined;
  }

  /** The served entry of a row; its module is read on first use. */
  #entryOf(row: ModuleRow, module?: VerifiedModule): CatalogEntry {
    if (module) this.#remember(row.slug, module);
    const read = () => this.#moduleOf(row);
    return {
      slug: row.slug,
      ingestedAt: row.ingestedAt,
      verification: row.verification,
      contentDigest: contentDigestOf(row.files),
      get module() {
        return read();
      },
    };
  }

  #remember(slug: string, module: VerifiedModule): void {
    this.#modules.delete(slug);
    this.#modules.set(slug, module);
    const max = Math.max(1, this.#options.moduleCacheSize ?? 512);
    while (this.#modules.size > max) {
      const oldest = this.#modules.keys().next().value as string;
      this.#modules.delete(oldest);
    }
  }

  #moduleOf(row: ModuleRow): VerifiedModule {
    const cached = this.#modules.get(row.slug);
    if (cached) {
      this.#remember(row.slug, cached);
      return cached;
    }
    const files = new Map<string, Uint8Array>();
    for (const [rel, hex] of Object.entries(row.files)) {
      files.set(rel, this.#blobs.read(hex, { slug: row.slug, file: rel }));
    }
    let module: VerifiedModule;
    try {
      module = restoreModule(row.slug, files, row.derived);
    } catch (error) {
      throw error instanceof CatalogError
        ? error
        : ioError(`cannot read ${row.slug}`, error, row.slug);
    }
    this.#remember(row.slug, module);
    return module;
  }

  /** Modules in the database that are not served, with why (altered blobs, failed re-verification). */
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

  /** Every served module, by slug (their files are read only when `module` is used). */
  list(): CatalogEntry[] {
    this.#sorted ??= [...this.#entries.keys()]
      .sort()
      .map((slug) => this.#entries.get(slug) as CatalogEntry);
    return this.#sorted;
  }

  /** Number of modules served. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * One module, read; throws `SLUG_INVALID` or `MODULE_NOT_FOUND`. A module whose stored files
   * were altered on disk is not served from then on (quarantined, `STORE_IO` `BLOB_CORRUPT`).
   */
  get(slug: string): CatalogEntry {
    assertSlug(slug);
    const entry = this.#entries.get(slug);
    if (!entry) throw new CatalogError('MODULE_NOT_FOUND', `no module ${slug}`, { slug });
    try {
      void entry.module;
    } catch (error) {
      const e = error instanceof CatalogError ? error : ioError(`cannot read ${slug}`, error, slug);
      this.#forget(slug);
      this.#quarantined.set(slug, e);
      this.#options.onQuarantine?.(slug, e);
      throw new CatalogError('MODULE_NOT_FOUND', `no module ${slug}`, { slug }, { cause: e });
    }
    return entry;
  }

  /** True when a module's verification record names the current trust root and policy. */
  isCurrent(entry: CatalogEntry): boolean {
    return (
      entry.verification.trustRootDigest === this.trustRootDigest &&
      entry.verification.policyHash === this.policyHash
    );
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
    const etag = `"sha256-${sha256Hex(body)}"`;
    const served = { document, body, etag };
    this.#vex.set(slug, served);
    return served;
  }

  /**
   * Verify a module directory and store it atomically. Throws a `CatalogError` (and stores
   * nothing) when any part fails to verify or the slug is taken (`MODULE_EXISTS`, also when
   * the same module is stored already).
   */
  async ingest(sourceDir: string): Promise<CatalogEntry> {
    return (await this.#ingestSource(await readModuleDir(sourceDir), { idempotent: false })).entry;
  }

  /**
   * Verify a module (its files, e.g. from an uploaded archive) and store it atomically, as
   * {@link ingest} does, except that publishing exactly the stored module again is not an
   * error: `created` is then false. Another module under a stored slug is `MODULE_EXISTS`.
   */
  publish(source: ModuleSource): Promise<PublishResult> {
    return this.#ingestSource(source, { idempotent: true });
  }

  async #ingestSource(
    source: ModuleSource,
    how: { idempotent: boolean; signatureSource?: SignatureSource },
  ): Promise<PublishResult> {
    const module = await verifyModule(
      source,
      how.signatureSource
        ? { ...this.#context, signatureSource: how.signatureSource }
        : this.#context,
    );
    const slug = module.slug;
    // Writes of one slug in this process run one after the other; across processes and
    // replicas the database transaction decides (exactly one insert of a slug wins).
    return this.#serialized(slug, async () => {
      const files: Record<string, string> = {};
      try {
        for (const [rel, bytes] of [...module.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
          files[rel] = await this.#blobs.put(bytes);
        }
      } catch (error) {
        throw ioError(`cannot store the files of ${slug}`, error, slug);
      }
      const contentDigest = contentDigestOf(files);
      const ingestedAt = new Date().toISOString();
      const verification = this.#record(
        new Date(),
        how.signatureSource?.name ??
          this.#context.signatureSource?.name ??
          bundleFileSignatureSource.name,
      );
      const result = await this.metadata.insert({
        slug,
        digest: module.manifest.digest,
        ingestedAt,
        files,
        derived: deriveModule(module),
        verification,
      });
      if (!result.inserted) {
        const same = contentDigestOf(result.row.files) === contentDigest;
        if (how.idempotent && same) {
          this.#apply([result.row]);
          const entry = this.#entries.get(slug);
          if (entry) return { created: false, entry };
        }
        throw new CatalogError('MODULE_EXISTS', `module ${slug} is already in the catalog`, {
          slug,
          ...(same ? {} : { expected: contentDigestOf(result.row.files), actual: contentDigest }),
        });
      }
      this.#seqs.set(slug, result.row.seq);
      this.#seq = Math.max(this.#seq, result.row.seq);
      const entry = this.#entryOf(result.row, module);
      this.#rows.set(slug, result.row);
      this.#entries.set(slug, entry);
      this.#sorted = undefined;
      this.#failed.delete(slug);
      this.#quarantined.delete(slug);
      this.#assessments.delete(slug);
      this.#vex.delete(slug);
      return { created: true, entry };
    });
  }

  #serialized<T>(slug: string, fn: () => Promise<T>): Promise<T> {
    const before = this.#queues.get(slug) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const tail = run.catch(() => {});
    this.#queues.set(slug, tail);
    void tail.then(() => {
      if (this.#queues.get(slug) === tail) this.#queues.delete(slug);
    });
    return run;
  }

  #record(at: Date, signatureSource: string, error?: CatalogError): VerificationRecord {
    return {
      verifiedAt: at.toISOString(),
      trustRootDigest: this.trustRootDigest,
      policyHash: this.policyHash,
      checks: error ? [] : CHECKS,
      signatureSource,
      outcome: error ? 'failed' : 'verified',
      ...(error ? { error: { code: error.code, message: error.message } } : {}),
    };
  }

  /**
   * Slugs whose verification is due at `now`: their record names another trust root or policy,
   * or is older than the re-verification interval. Modules refused by an earlier
   * re-verification are due again when the trust root or policy changes.
   */
  async dueForReverification(now = new Date()): Promise<string[]> {
    const interval = this.#options.reverifyIntervalMs ?? DEFAULT_REVERIFY_INTERVAL_MS;
    const stale = (v: VerificationRecord) =>
      v.trustRootDigest !== this.trustRootDigest || v.policyHash !== this.policyHash;
    const due: string[] = [];
    for (const [slug, row] of this.#rows) {
      const v = row.verification;
      if (stale(v) || now.getTime() - Date.parse(v.verifiedAt) >= interval) due.push(slug);
    }
    for (const [slug, v] of this.#failed) if (stale(v)) due.push(slug);
    return due.sort();
  }

  /**
   * Verify one stored module again from its stored files (the signature as stored) and record
   * the outcome. A module that no longer verifies is recorded as failed and is no longer
   * served, by this process or any other on the same database. Returns the new record.
   */
  async reverify(slug: string): Promise<VerificationRecord | undefined> {
    assertSlug(slug);
    return this.#serialized(slug, async () => {
      const row = await this.metadata.get(slug);
      if (!row) throw new CatalogError('MODULE_NOT_FOUND', `no module ${slug}`, { slug });
      let record: VerificationRecord;
      let derived: DerivedModule | undefined;
      try {
        const files = new Map<string, Uint8Array>();
        for (const [rel, hex] of Object.entries(row.files)) {
          files.set(rel, this.#blobs.read(hex, { slug, file: rel }));
        }
        const module = await verifyModule(
          { files },
          { ...this.#context, signatureSource: bundleFileSignatureSource },
        );
        if (module.slug !== slug || module.manifest.digest !== row.digest) {
          throw new CatalogError(
            'MODULE_FILE_INVALID',
            `stored module ${slug} holds ${module.slug}`,
            {
              slug,
              expected: slug,
              actual: module.slug,
            },
          );
        }
        derived = deriveModule(module);
        record = this.#record(new Date(), row.verification.signatureSource);
      } catch (error) {
        const e =
          error instanceof CatalogError ? error : ioError(`cannot verify ${slug}`, error, slug);
        record = this.#record(new Date(), row.verification.signatureSource, e);
      }
      const written = await this.metadata.setVerification(slug, row.digest, record, derived);
      if (written) {
        // The derived data may differ (e.g. a new trusted-builder table): read it again.
        this.#modules.delete(slug);
        this.#rows.delete(slug);
        this.#apply([written]);
      }
      return written?.verification;
    });
  }

  /**
   * Start the background work of a serving catalog: load what other processes write (SQLite:
   * polls every `watchIntervalMs`; PostgreSQL: LISTEN/NOTIFY), and re-verify modules that
   * are due ({@link dueForReverification}) now and every `reverifyCheckMs`, one at a time.
   * Serving never waits for either. Returns a function that stops both.
   */
  startBackground(
    hooks: {
      onReverified?: (slug: string, record: VerificationRecord | undefined) => void;
      onError?: (error: unknown) => void;
    } = {},
  ): () => Promise<void> {
    let stopped = false;
    const onError = hooks.onError ?? (() => {});
    const unwatch = this.metadata.watch(() => {
      if (!stopped) this.refresh().catch(onError);
    }, this.#options.watchIntervalMs ?? 1000);
    let running: Promise<void> | undefined;
    const pass = () => {
      running ??= (async () => {
        try {
          for (const slug of await this.dueForReverification()) {
            if (stopped) return;
            // Let requests in between two verifications.
            await new Promise((r) => setImmediate(r));
            hooks.onReverified?.(slug, await this.reverify(slug));
          }
        } catch (error) {
          onError(error);
        } finally {
          running = undefined;
        }
      })();
    };
    const checkEvery = Math.min(
      this.#options.reverifyIntervalMs ?? DEFAULT_REVERIFY_INTERVAL_MS,
      60 * 60 * 1000,
    );
    const timer = setInterval(pass, checkEvery);
    timer.unref();
    setImmediate(pass);
    return async () => {
      stopped = true;
      clearInterval(timer);
      unwatch();
      await running;
    };
  }

  /** Close the database. */
  async close(): Promise<void> {
    await this.metadata.close();
  }
}

/**
 * `sha256:` of the settings of `catalog.json` that decide whether a module verifies and how
 * it is judged (identity, trusted builders, Rekor policy, policy config, signed parts): a
 * module verified under other settings is verified again in the background.
 */
export function policyHashOf(config: CatalogConfig): string {
  return `sha256:${sha256Hex(
    JSON.stringify({
      identity: config.identity,
      trustedBuilders: config.trustedBuilders,
      rekorPolicy: config.rekorPolicy ?? 'require-any',
      policy: config.policy ?? {},
      requireSignedParts: config.requireSignedParts ?? false,
    }),
  )}`;
}

/** Whether `database` names a PostgreSQL database. */
export const isPostgresUrl = (database: string | undefined): database is string =>
  database !== undefined && /^postgres(?:ql)?:\/\//.test(database);

async function openMetadata(dataDir: string, database: string | undefined): Promise<MetadataStore> {
  if (isPostgresUrl(database)) {
    const { openPostgresMetadata } = await import('./postgres.js');
    return openPostgresMetadata(database);
  }
  if (database !== undefined) {
    throw new CatalogError(
      'ARGUMENT_INVALID',
      'the database must be a postgres:// URL (leave it out for the embedded SQLite database)',
      { expected: 'postgres://…', actual: (database as string).replace(/\/\/[^@/]*@/, '//…@') },
    );
  }
  return openSqliteMetadata(join(dataDir, DATA_FILES.database));
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
    await mkdir(dataDir, { recursive: true });
    await writeFileAtomic(join(dataDir, DATA_FILES.config), `${JSON.stringify(config, null, 2)}\n`);
    await writeFileAtomic(
      join(dataDir, DATA_FILES.trustedRoot),
      `${JSON.stringify(init.trustedRoot, null, 2)}\n`,
    );
  } catch (error) {
    throw ioError(`cannot initialise ${dataDir}`, error);
  }
}
