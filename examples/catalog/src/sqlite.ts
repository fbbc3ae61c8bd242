import type Database from 'better-sqlite3';
import { CatalogError } from './errors.js';
import {
  columnsOf,
  type InsertResult,
  type MetadataStore,
  MIGRATIONS,
  MODULE_COLUMNS,
  type ModuleColumns,
  type ModuleRow,
  type NewModuleRow,
  rowFromColumns,
  type VerificationRecord,
} from './metadata.js';
import type { DerivedModule } from './module.js';
import { sqliteDatabase } from './sqlite-driver.js';

/** Options of {@link openSqliteMetadata}. */
export interface SqliteOptions {
  /**
   * How long a write waits for another process's write transaction, in milliseconds.
   * Defaults to `15_000`.
   */
  readonly busyTimeoutMs?: number;
}

const dbError = (message: string, error: unknown) =>
  new CatalogError(
    'STORE_IO',
    `${message}: ${error instanceof Error ? error.message : String(error)}`,
    { reason: 'DATABASE' },
    { cause: error },
  );

/**
 * The embedded metadata store: one SQLite file (`catalog.db` in the data directory) in WAL
 * mode, so readers never wait for the writer, and several processes (a server, a CLI ingest)
 * can share it. better-sqlite3 is synchronous; every call here is short.
 */
export function openSqliteMetadata(file: string, options: SqliteOptions = {}): MetadataStore {
  let db: Database.Database;
  try {
    const Sqlite = sqliteDatabase();
    db = new Sqlite(file, { timeout: options.busyTimeoutMs ?? 15_000 });
    db.pragma('journal_mode = WAL');
    // WAL with synchronous=FULL: a committed transaction survives a power loss.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
  } catch (error) {
    throw dbError(`cannot open the catalog database ${file}`, error);
  }
  const run = <T>(what: string, fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof CatalogError) throw error;
      throw dbError(what, error);
    }
  };
  const applied = (): number[] => {
    const exists = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
      .get();
    if (!exists) return [];
    return (
      db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as {
        version: number;
      }[]
    ).map((r) => Number(r.version));
  };
  const selectOne = () => db.prepare(`SELECT ${MODULE_COLUMNS} FROM modules WHERE slug = ?`);
  const bumpSeq = () =>
    Number(
      (
        db
          .prepare("UPDATE catalog_meta SET value = value + 1 WHERE key = 'seq' RETURNING value")
          .get() as {
          value: number;
        }
      ).value,
    );

  return {
    kind: 'sqlite',
    location: file,
    async migrate() {
      return run('cannot migrate the catalog database', () => {
        const done: number[] = [];
        // BEGIN IMMEDIATE: two processes starting at once migrate one after the other.
        const migrateAll = db.transaction(() => {
          db.exec(
            'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
          );
          const have = new Set(applied());
          for (const m of MIGRATIONS) {
            if (have.has(m.version)) continue;
            for (const sql of m.sql) db.exec(sql);
            db.prepare(
              'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
            ).run(m.version, m.name, new Date().toISOString());
            done.push(m.version);
          }
        });
        migrateAll.immediate();
        return done;
      });
    },
    async appliedMigrations() {
      return run('cannot read the schema version', applied);
    },
    async currentSeq() {
      return run('cannot read the change sequence', () =>
        Number(
          (
            db.prepare("SELECT value FROM catalog_meta WHERE key = 'seq'").get() as {
              value: number;
            }
          ).value,
        ),
      );
    },
    async changesSince(seq) {
      return run('cannot read modules', () =>
        (
          db
            .prepare(`SELECT ${MODULE_COLUMNS} FROM modules WHERE seq > ? ORDER BY seq`)
            .all(seq) as ModuleColumns[]
        ).map(rowFromColumns),
      );
    },
    async get(slug) {
      return run('cannot read a module', () => {
        const c = selectOne().get(slug) as ModuleColumns | undefined;
        return c ? rowFromColumns(c) : undefined;
      });
    },
    async insert(row: NewModuleRow): Promise<InsertResult> {
      return run(`cannot store ${row.slug}`, () => {
        const tx = db.transaction((): InsertResult => {
          const existing = selectOne().get(row.slug) as ModuleColumns | undefined;
          if (existing) return { inserted: false, row: rowFromColumns(existing) };
          const seq = bumpSeq();
          db.prepare(`INSERT INTO modules (${MODULE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`).run(
            ...columnsOf(row),
            seq,
          );
          return { inserted: true, row: { ...row, seq } };
        });
        return tx.immediate();
      });
    },
    async setVerification(
      slug: string,
      digest: string,
      verification: VerificationRecord,
      derived?: DerivedModule,
    ): Promise<ModuleRow | undefined> {
      return run(`cannot record the verification of ${slug}`, () => {
        const tx = db.transaction((): ModuleRow | undefined => {
          const existing = selectOne().get(slug) as ModuleColumns | undefined;
          if (!existing || existing.digest !== digest) return undefined;
          const seq = bumpSeq();
          db.prepare(
            'UPDATE modules SET verification = ?, derived = ?, seq = ? WHERE slug = ?',
          ).run(
            JSON.stringify(verification),
            derived === undefined ? existing.derived : JSON.stringify(derived),
            seq,
            slug,
          );
          return rowFromColumns({
            ...existing,
            verification: JSON.stringify(verification),
            derived: derived === undefined ? existing.derived : JSON.stringify(derived),
            seq,
          });
        });
        return tx.immediate();
      });
    },
    watch(onChange, pollMs) {
      // Another process's commit changes the sequence number; polling it is one indexed read.
      let last = -1;
      const timer = setInterval(() => {
        try {
          const seq = Number(
            (
              db.prepare("SELECT value FROM catalog_meta WHERE key = 'seq'").get() as {
                value: number;
              }
            ).value,
          );
          // The first tick always loads: a write may have landed before watching began.
          if (seq !== last) onChange();
          last = seq;
        } catch {
          // A busy or closing database: the next tick tries again.
        }
      }, pollMs);
      timer.unref();
      return () => clearInterval(timer);
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
