import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

// better-sqlite3, in the line that runs on this Node. 12.x (`better-sqlite3`) is the last line
// that runs on Node 20 (13.x crashes there), but on Node 24 it aborts the process at exit:
// statements garbage-collected while Node tears its environment down call back into an
// environment that is gone ("Assertion failed: (env) != nullptr" in
// RemoveEnvironmentCleanupHook), so `serve` ends with SIGABRT instead of 0. 13.x
// (`better-sqlite3-13`, an npm alias) fixes that and needs Node 22 or later; it ships its
// prebuilt Node-API binary, so nothing is compiled for it. Both are dependencies; the one this
// Node cannot run is never loaded. Their API is the same for everything the catalog uses.

/** The package to load on a Node of this version (`process.versions.node`). */
export function sqliteDriverFor(nodeVersion: string): 'better-sqlite3' | 'better-sqlite3-13' {
  const major = Number(nodeVersion.split('.')[0]);
  return major >= 22 ? 'better-sqlite3-13' : 'better-sqlite3';
}

let loaded: typeof BetterSqlite3 | undefined;

/** The better-sqlite3 `Database` class for this process's Node, loaded on first use. */
export function sqliteDatabase(): typeof BetterSqlite3 {
  loaded ??= createRequire(import.meta.url)(
    sqliteDriverFor(process.versions.node),
  ) as typeof BetterSqlite3;
  return loaded;
}
