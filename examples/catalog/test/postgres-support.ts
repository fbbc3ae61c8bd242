import { randomBytes } from 'node:crypto';
import pg from 'pg';

// PostgreSQL for the storage suites: `scripts/with-postgres.sh` starts a throw-away cluster
// and exports FLAREO_TEST_POSTGRES_URL. Without it the PostgreSQL suites skip, saying why,
// unless FLAREO_REQUIRE_TOOLS=1 (CI), where a missing database fails them.

/** The server URL of the test cluster, when there is one. */
export const POSTGRES_URL = process.env.FLAREO_TEST_POSTGRES_URL || undefined;

/** Why the PostgreSQL suites do not run here, or undefined when they do. */
export const POSTGRES_MISSING =
  POSTGRES_URL === undefined
    ? 'FLAREO_TEST_POSTGRES_URL is not set: run the suite through scripts/with-postgres.sh'
    : undefined;

/** Throw when the suites must run and cannot (FLAREO_REQUIRE_TOOLS=1 without a database). */
export function requirePostgresWhenAsked(): void {
  if (POSTGRES_MISSING && process.env.FLAREO_REQUIRE_TOOLS === '1') {
    throw new Error(`FLAREO_REQUIRE_TOOLS=1 but ${POSTGRES_MISSING}`);
  }
  if (POSTGRES_MISSING) console.info(`PostgreSQL suites skipped: ${POSTGRES_MISSING}`);
}

/** A new, empty database on the test cluster; `drop` removes it. */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!POSTGRES_URL) throw new Error(POSTGRES_MISSING);
  const name = `flareo_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
