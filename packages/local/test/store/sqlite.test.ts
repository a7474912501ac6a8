/**
 * The store's SQLite layer: the driver each runtime gets, and the helpers given to a
 * bare connection (`bun:sqlite`, `node:sqlite`) — exercised here over better-sqlite3's
 * own bare statements, so the logic is checked on every Node version: `pragma` (rows,
 * or the simple value), `transaction` committing, rolling back on a throw, and nesting
 * as savepoints (an inner failure undoes only its own part). Deno and Bun run the
 * whole platform on it in test/runtimes/localPlatform.test.ts.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { asSqliteDatabase, openSqlite, type SqliteDatabase, sqliteDriver } from '../../src/store/sqlite.js';

let db: SqliteDatabase | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
});

/** A table `t(v)` on a bare connection seen through the helpers. */
function bare(): SqliteDatabase {
  const connection = new Database(':memory:');
  db = asSqliteDatabase({
    prepare: (sql) => connection.prepare(sql),
    exec: (sql) => void connection.exec(sql),
    close: () => void connection.close(),
  });
  db.exec('CREATE TABLE t (v INTEGER NOT NULL)');
  return db;
}

const values = (d: SqliteDatabase) =>
  (d.prepare<[], { v: number }>('SELECT v FROM t ORDER BY v').all() as Array<{ v: number }>).map((r) => r.v);

describe('sqliteDriver', () => {
  it('is better-sqlite3 on Node.js, whose connection opens as is', () => {
    expect(sqliteDriver()).toBe('better-sqlite3');
    db = openSqlite(':memory:');
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.open).toBe(true);
  });
});

describe('asSqliteDatabase', () => {
  it('pragma: the rows, or the first value of the first row with simple', () => {
    const d = bare();
    d.pragma('user_version = 7');
    expect(d.pragma('user_version', { simple: true })).toBe(7);
    expect(d.pragma('user_version')).toEqual([{ user_version: 7 }]);
  });

  it('transaction: commits what the function did and returns its value; a throw rolls all of it back', () => {
    const d = bare();
    const insert = d.prepare<[number]>('INSERT INTO t (v) VALUES (?)');
    expect(
      d.transaction((a: number, b: number) => Number(insert.run(a).changes) + Number(insert.run(b).changes))(
        1,
        2,
      ),
    ).toBe(2);
    expect(() =>
      d.transaction(() => {
        insert.run(3);
        throw new Error('boom');
      })(),
    ).toThrow('boom');
    expect(values(d)).toEqual([1, 2]);
    // the connection is usable again: no transaction left open
    d.transaction(() => insert.run(4))();
    expect(values(d)).toEqual([1, 2, 4]);
  });

  it('nested transactions are savepoints: an inner failure undoes only its own part', () => {
    const d = bare();
    const insert = d.prepare<[number]>('INSERT INTO t (v) VALUES (?)');
    const inner = d.transaction((v: number) => {
      insert.run(v);
      if (v < 0) throw new Error('negative');
    });
    d.transaction(() => {
      insert.run(1);
      inner(2);
      expect(() => inner(-1)).toThrow('negative');
      inner(3);
    })();
    expect(values(d)).toEqual([1, 2, 3]);
    expect(() =>
      d.transaction(() => {
        inner(5);
        throw new Error('outer');
      })(),
    ).toThrow('outer');
    expect(values(d)).toEqual([1, 2, 3]);
  });

  it('named parameters bind without a prefix, as better-sqlite3 binds them', () => {
    const d = bare();
    d.prepare<{ v: number }>('INSERT INTO t (v) VALUES (@v)').run({ v: 9 });
    expect(values(d)).toEqual([9]);
    expect(d.open).toBe(true);
    d.close();
    expect(d.open).toBe(false);
    db = undefined;
  });
});
