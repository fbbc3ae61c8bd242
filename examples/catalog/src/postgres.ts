import pg from 'pg';
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

/** The channel every write notifies (its payload is the new sequence number). */
export const NOTIFY_CHANNEL = 'flareo_catalog_changes';

/** Advisory lock key of migrations (any constant; two replicas starting at once take turns). */
const MIGRATION_LOCK = 0x666c6172;

/** The URL without its password, for messages. */
export const redactUrl = (url: string) => url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:…@');

/** `?` placeholders (as the shared SQL is written) as PostgreSQL's `$1`, `$2`… */
const numbered = (sql: string) => {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
};

/** Options of {@link openPostgresMetadata}. */
export interface PostgresOptions {
  /** Connections of the pool. Defaults to `4`. */
  readonly maxConnections?: number;
}

/**
 * Metadata in PostgreSQL (node-postgres), for several catalog replicas on one database. The
 * schema and migrations are the SQLite ones; every write also runs `pg_notify`, delivered to
 * every replica when the transaction commits. Writes serialize on the sequence row
 * (`UPDATE catalog_meta … RETURNING`), so sequence numbers follow commit order and a reader
 * that loads `seq > last` never skips a write.
 */
export function openPostgresMetadata(url: string, options: PostgresOptions = {}): MetadataStore {
  const location = redactUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 4 });
  // An idle client's error (the server restarted) must not crash the process: the next query
  // reconnects or fails with STORE_IO.
  pool.on('error', () => {});
  const dbError = (message: string, error: unknown) =>
    new CatalogError(
      'STORE_IO',
      `${message} (${location}): ${error instanceof Error ? error.message : String(error)}`,
      { reason: 'DATABASE' },
      { cause: error },
    );
  const tx = async <T>(what: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw dbError(what, error);
    }
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      if (error instanceof CatalogError) throw error;
      throw dbError(what, error);
    } finally {
      client.release();
    }
  };
  const query = async <R extends pg.QueryResultRow>(
    what: string,
    sql: string,
    values: unknown[] = [],
  ): Promise<R[]> => {
    try {
      return (await pool.query<R>(numbered(sql), values)).rows;
    } catch (error) {
      throw dbError(what, error);
    }
  };
  const bumpSeq = async (client: pg.PoolClient) => {
    const seq = Number(
      (
        await client.query<{ value: string }>(
          "UPDATE catalog_meta SET value = value + 1 WHERE key = 'seq' RETURNING value",
        )
      ).rows[0]?.value,
    );
    await client.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, String(seq)]);
    return seq;
  };
  const applied = async (client: pg.PoolClient | pg.Pool) =>
    (
      await client.query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY version',
      )
    ).rows.map((r) => Number(r.version));

  return {
    kind: 'postgres',
    location,
    async migrate() {
      return tx('cannot migrate the catalog database', async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        await client.query(
          'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
        );
        const have = new Set(await applied(client));
        const done: number[] = [];
        for (const m of MIGRATIONS) {
          if (have.has(m.version)) continue;
          for (const sql of m.sql) await client.query(sql);
          await client.query(
            'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
            [m.version, m.name, new Date().toISOString()],
          );
          done.push(m.version);
        }
        return done;
      });
    },
    async appliedMigrations() {
      try {
        return await applied(pool);
      } catch (error) {
        throw dbError('cannot read the schema version', error);
      }
    },
    async currentSeq() {
      const rows = await query<{ value: string }>(
        'cannot read the change sequence',
        "SELECT value FROM catalog_meta WHERE key = 'seq'",
      );
      return Number(rows[0]?.value ?? 0);
    },
    async changesSince(seq) {
      return (
        await query<ModuleColumns>(
          'cannot read modules',
          `SELECT ${MODULE_COLUMNS} FROM modules WHERE seq > ? ORDER BY seq`,
          [seq],
        )
      ).map(rowFromColumns);
    },
    async get(slug) {
      const rows = await query<ModuleColumns>(
        'cannot read a module',
        `SELECT ${MODULE_COLUMNS} FROM modules WHERE slug = ?`,
        [slug],
      );
      return rows[0] ? rowFromColumns(rows[0]) : undefined;
    },
    async insert(row: NewModuleRow): Promise<InsertResult> {
      return tx(`cannot store ${row.slug}`, async (client) => {
        // The sequence row first: it serializes writers, so the check below sees every
        // module committed before this transaction got its turn.
        const seq = await bumpSeq(client);
        const existing = (
          await client.query<ModuleColumns>(
            `SELECT ${MODULE_COLUMNS} FROM modules WHERE slug = $1`,
            [row.slug],
          )
        ).rows[0];
        if (existing) {
          await client.query('ROLLBACK');
          await client.query('BEGIN');
          return { inserted: false, row: rowFromColumns(existing) };
        }
        await client.query(
          `INSERT INTO modules (${MODULE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [...columnsOf(row), seq],
        );
        return { inserted: true, row: { ...row, seq } };
      });
    },
    async setVerification(
      slug: string,
      digest: string,
      verification: VerificationRecord,
      derived?: DerivedModule,
    ): Promise<ModuleRow | undefined> {
      return tx(`cannot record the verification of ${slug}`, async (client) => {
        const seq = await bumpSeq(client);
        const updated = (
          await client.query<ModuleColumns>(
            `UPDATE modules SET verification = $1, derived = COALESCE($2, derived), seq = $3
             WHERE slug = $4 AND digest = $5 RETURNING ${MODULE_COLUMNS}`,
            [
              JSON.stringify(verification),
              derived === undefined ? null : JSON.stringify(derived),
              seq,
              slug,
              digest,
            ],
          )
        ).rows[0];
        if (!updated) {
          await client.query('ROLLBACK');
          await client.query('BEGIN');
          return undefined;
        }
        return rowFromColumns(updated);
      });
    },
    watch(onChange, pollMs) {
      let stopped = false;
      let listener: pg.Client | undefined;
      // A dedicated connection LISTENs; when it drops, a new one is made on the next poll.
      const connect = async () => {
        if (stopped || listener) return;
        const client = new pg.Client({ connectionString: url });
        listener = client;
        client.on('error', () => {
          if (listener === client) listener = undefined;
          client.end().catch(() => {});
        });
        client.on('notification', () => onChange());
        try {
          await client.connect();
          await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
          if (stopped) await client.end();
          // Whatever was written while no one listened.
          else onChange();
        } catch {
          if (listener === client) listener = undefined;
          client.end().catch(() => {});
        }
      };
      void connect();
      // The poll is the fallback for a lost notification or connection.
      const timer = setInterval(
        () => {
          if (!listener) void connect();
          onChange();
        },
        Math.max(pollMs, 5000),
      );
      timer.unref();
      return () => {
        stopped = true;
        clearInterval(timer);
        const client = listener;
        listener = undefined;
        client?.end().catch(() => {});
      };
    },
    async close() {
      await pool.end();
    },
  };
}
