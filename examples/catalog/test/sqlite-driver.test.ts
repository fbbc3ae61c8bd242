import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { sqliteDatabase, sqliteDriverFor } from '../src/sqlite-driver.js';

// The catalog loads better-sqlite3 12.x on Node 20 and 13.x on Node 22 and later (see
// src/sqlite-driver.ts). That `serve` then exits cleanly after SIGTERM is tested in
// cli.test.ts, which CI runs on Node 20, 22 and 24.

describe('sqliteDriverFor', () => {
  it.each([
    ['20.19.0', 'better-sqlite3'],
    ['20.20.2', 'better-sqlite3'],
    ['21.7.3', 'better-sqlite3'],
    ['22.0.0', 'better-sqlite3-13'],
    ['22.23.3', 'better-sqlite3-13'],
    ['24.21.0', 'better-sqlite3-13'],
    ['25.1.0', 'better-sqlite3-13'],
  ] as const)('Node %s → %s', (version, driver) => {
    expect(sqliteDriverFor(version)).toBe(driver);
  });
});

describe('sqliteDatabase', () => {
  it("is this Node's line of better-sqlite3, and works", () => {
    const require = createRequire(import.meta.url);
    const name = sqliteDriverFor(process.versions.node);
    const { version } = require(`${name}/package.json`) as { version: string };
    const major = Number(process.versions.node.split('.')[0]);
    expect(version.split('.')[0]).toBe(major >= 22 ? '13' : '12');
    const Sqlite = sqliteDatabase();
    expect(sqliteDatabase()).toBe(Sqlite);
    const db = new Sqlite(':memory:');
    try {
      db.exec('CREATE TABLE t (a INTEGER)');
      db.prepare('INSERT INTO t VALUES (?)').run(7);
      expect(db.prepare('SELECT a FROM t').get()).toEqual({ a: 7 });
    } finally {
      db.close();
    }
  });
});
