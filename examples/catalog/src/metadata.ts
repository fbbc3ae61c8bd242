import type { DerivedModule } from './module.js';

// The catalog's metadata storage: one small interface, two implementations (embedded SQLite
// in `sqlite.ts`, PostgreSQL in `postgres.ts`) sharing one schema and one list of versioned
// migrations. The bytes of a module (its files) are not in the database: they are blobs,
// content-addressed on disk (`blobs.ts`), written before the transaction that references them.

/** What was verified about a module, against what, and when. */
export interface VerificationRecord {
  /** When the module was last verified (RFC 3339). */
  readonly verifiedAt: string;
  /** `sha256:` of the `trusted_root.json` the module was verified against. */
  readonly trustRootDigest: string;
  /** `sha256:` of the catalog settings that decide verification and verdicts (see `store.ts`). */
  readonly policyHash: string;
  /** The checks that passed, in order (signature, provenance, sbom, vex, scan, parts). */
  readonly checks: readonly string[];
  /** Where the signature came from at that verification (`bundle-file`, `registry`). */
  readonly signatureSource: string;
  /** `verified`, or `failed` when a re-verification refused it (the module is then not served). */
  readonly outcome: 'verified' | 'failed';
  /** Why a re-verification failed. */
  readonly error?: { readonly code: string; readonly message: string };
}

/** One module as the metadata store keeps it. */
export interface ModuleRow {
  readonly slug: string;
  /** The artifact digest of the module (`module.json` `digest`). */
  readonly digest: string;
  /** When the module was ingested (RFC 3339). */
  readonly ingestedAt: string;
  /** The stored files: relative path → `sha256` hex of the blob. */
  readonly files: Readonly<Record<string, string>>;
  /** What verification computed (see {@link DerivedModule}). */
  readonly derived: DerivedModule;
  readonly verification: VerificationRecord;
  /** The change sequence number of the last write to this row. */
  readonly seq: number;
}

/** A row to insert (the store assigns {@link ModuleRow.seq}). */
export type NewModuleRow = Omit<ModuleRow, 'seq'>;

/** What {@link MetadataStore.insert} did. */
export interface InsertResult {
  /** False when a module with the slug was there already ({@link row} is that module). */
  readonly inserted: boolean;
  readonly row: ModuleRow;
}

/**
 * Where the catalog keeps its metadata. Every write is one transaction; every write bumps a
 * catalog-wide sequence number, so a reader that remembers the last number it saw can load
 * exactly what changed since ({@link changesSince}).
 */
export interface MetadataStore {
  /** `sqlite` or `postgres`. */
  readonly kind: 'sqlite' | 'postgres';
  /** Where the data is, for messages (never a password). */
  readonly location: string;
  /** Apply the migrations not applied yet, each in its own transaction; returns their versions. */
  migrate(): Promise<number[]>;
  /** The schema versions applied, ascending. */
  appliedMigrations(): Promise<number[]>;
  /** The highest sequence number written so far (0 for an empty catalog). */
  currentSeq(): Promise<number>;
  /** Every module written after `seq` (all of them for 0), by ascending sequence number. */
  changesSince(seq: number): Promise<ModuleRow[]>;
  /** One module. */
  get(slug: string): Promise<ModuleRow | undefined>;
  /**
   * Insert a module in one transaction, unless a module with its slug exists (then nothing is
   * written and that module is returned). Concurrent inserts of one slug: exactly one wins.
   */
  insert(row: NewModuleRow): Promise<InsertResult>;
  /**
   * Replace a module's verification record, provided the module still has `digest` (a
   * record about other bytes is never written over a newer module). Returns the row written.
   */
  setVerification(
    slug: string,
    digest: string,
    verification: VerificationRecord,
    derived?: DerivedModule,
  ): Promise<ModuleRow | undefined>;
  /**
   * Call `onChange` soon after another process commits a write. SQLite polls the sequence
   * number; PostgreSQL uses LISTEN/NOTIFY (and polls too, in case a notification is lost).
   * Returns a function that stops watching.
   */
  watch(onChange: () => void, pollMs: number): () => void;
  close(): Promise<void>;
}

/**
 * The schema, one entry per version, applied in order at start. The same SQL runs on SQLite
 * and PostgreSQL (types and statements both accept); a migration, once released, never changes.
 */
export const MIGRATIONS: readonly {
  readonly version: number;
  readonly name: string;
  readonly sql: readonly string[];
}[] = Object.freeze([
  {
    version: 1,
    name: 'modules and the change sequence',
    sql: [
      `CREATE TABLE catalog_meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL)`,
      `INSERT INTO catalog_meta (key, value) VALUES ('seq', 0)`,
      `CREATE TABLE modules (
          slug TEXT PRIMARY KEY,
          digest TEXT NOT NULL,
          ingested_at TEXT NOT NULL,
          files TEXT NOT NULL,
          derived TEXT NOT NULL,
          verification TEXT NOT NULL,
          seq BIGINT NOT NULL
        )`,
      `CREATE INDEX modules_seq ON modules (seq)`,
    ],
  },
]);

/** Columns of `modules` in the order {@link rowFromColumns} reads them. */
export const MODULE_COLUMNS = 'slug, digest, ingested_at, files, derived, verification, seq';

/** A `modules` row as the driver returns it. */
export interface ModuleColumns {
  slug: string;
  digest: string;
  ingested_at: string;
  files: string;
  derived: string;
  verification: string;
  seq: number | string | bigint;
}

/**
 * A row as the store uses it. `derived` (several kilobytes a module) is parsed when first
 * read, so that a start-up over many modules parses only what it needs to serve.
 */
export function rowFromColumns(c: ModuleColumns): ModuleRow {
  let derived: DerivedModule | undefined;
  return {
    slug: c.slug,
    digest: c.digest,
    ingestedAt: c.ingested_at,
    files: JSON.parse(c.files),
    get derived() {
      derived ??= JSON.parse(c.derived) as DerivedModule;
      return derived;
    },
    verification: JSON.parse(c.verification),
    seq: Number(c.seq),
  };
}

/** The values of an insert, in {@link MODULE_COLUMNS} order without `seq`. */
export function columnsOf(row: NewModuleRow): string[] {
  return [
    row.slug,
    row.digest,
    row.ingestedAt,
    JSON.stringify(row.files),
    JSON.stringify(row.derived),
    JSON.stringify(row.verification),
  ];
}
