/**
 * The SQLite connection of the store, on whichever runtime runs the platform: the
 * better-sqlite3 package on Node.js, `bun:sqlite` on Bun, `node:sqlite` on Deno. Each is
 * seen through the small part of better-sqlite3's API the store uses: `prepare` (a
 * statement's `run`, `get`, `all`, with positional or named parameters), `exec`,
 * `pragma`, `transaction` (nesting as savepoints), `close`.
 * @module
 */
import { createRequire } from 'node:module';

/** What `run` reports. */
export interface RunResult {
  readonly changes: number | bigint;
  readonly lastInsertRowid: number | bigint;
}

/** A prepared statement. Parameters: positional values, or one object of named ones. */
export interface SqliteStatement<Params extends unknown[] = unknown[], Row = unknown> {
  run(...params: Params): RunResult;
  get(...params: Params): Row | undefined;
  all(...params: Params): Row[];
}

/** A connection: the part of better-sqlite3's `Database` the store uses. */
export interface SqliteDatabase {
  prepare<Params extends unknown[] | object = unknown[], Row = unknown>(
    sql: string,
  ): SqliteStatement<Params extends unknown[] ? Params : [Params], Row>;
  exec(sql: string): void;
  /** `PRAGMA <text>`: the rows, or with `simple` the first column of the first row. */
  pragma(text: string, options?: { readonly simple?: boolean }): unknown;
  /** `fn` wrapped in a transaction (a savepoint when one is open): committed when it returns, rolled back when it throws. */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  /** False once closed. */
  readonly open: boolean;
  close(): void;
}

/** Which SQLite the running runtime offers. */
export type SqliteDriver = 'better-sqlite3' | 'bun:sqlite' | 'node:sqlite';

const requireHere = createRequire(import.meta.url);

/** The driver for this runtime: `bun:sqlite` on Bun, `node:sqlite` on Deno, else better-sqlite3. */
export function sqliteDriver(): SqliteDriver {
  const versions = globalThis.process?.versions as Record<string, string | undefined> | undefined;
  if (versions?.bun !== undefined) return 'bun:sqlite';
  if (versions?.deno !== undefined || 'Deno' in globalThis) return 'node:sqlite';
  return 'better-sqlite3';
}

/** A connection without better-sqlite3's `transaction` and `pragma` helpers (`bun:sqlite`, `node:sqlite`). */
export interface BareDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  close(): void;
}

/**
 * A bare connection with better-sqlite3's helpers: `pragma`, and `transaction` —
 * `BEGIN`…`COMMIT`, `ROLLBACK` when the function throws, and inside an open transaction
 * a savepoint released or rolled back to, so a nested failure undoes only its own part.
 */
export function asSqliteDatabase(db: BareDatabase): SqliteDatabase {
  let depth = 0;
  let open = true;
  return {
    get open() {
      return open;
    },
    prepare: <Params extends unknown[] | object = unknown[], Row = unknown>(sql: string) =>
      db.prepare(sql) as SqliteStatement<Params extends unknown[] ? Params : [Params], Row>,
    exec: (sql) => db.exec(sql),
    close: () => {
      open = false;
      db.close();
    },
    pragma(text, options) {
      const statement = db.prepare(`PRAGMA ${text}`);
      let rows: Array<Record<string, unknown>>;
      try {
        rows = statement.all() as Array<Record<string, unknown>>;
      } catch {
        // a driver that runs a pragma returning no rows only with `run` (better-sqlite3);
        // a real failure fails `run` too
        statement.run();
        rows = [];
      }
      if (!options?.simple) return rows;
      const first = rows[0];
      return first === undefined ? undefined : Object.values(first)[0];
    },
    transaction<A extends unknown[], R>(fn: (...args: A) => R) {
      return (...args: A): R => {
        const name = `t${depth}`;
        db.exec(depth === 0 ? 'BEGIN' : `SAVEPOINT ${name}`);
        depth++;
        try {
          const result = fn(...args);
          depth--;
          db.exec(depth === 0 ? 'COMMIT' : `RELEASE ${name}`);
          return result;
        } catch (error) {
          depth--;
          db.exec(depth === 0 ? 'ROLLBACK' : `ROLLBACK TO ${name}; RELEASE ${name}`);
          throw error;
        }
      };
    },
  };
}

/** Opens `file` (`:memory:` for a throwaway database) with this runtime's driver. */
export function openSqlite(file: string): SqliteDatabase {
  switch (sqliteDriver()) {
    case 'bun:sqlite': {
      const { Database } = requireHere('bun:sqlite') as {
        Database: new (file: string, options: { strict: boolean; create: boolean }) => BareDatabase;
      };
      // strict: named parameters bind without their `$`/`@`/`:` prefix, as in better-sqlite3
      return asSqliteDatabase(new Database(file, { strict: true, create: true }));
    }
    case 'node:sqlite': {
      const { DatabaseSync } = requireHere('node:sqlite') as {
        DatabaseSync: new (file: string) => BareDatabase;
      };
      return asSqliteDatabase(new DatabaseSync(file));
    }
    default: {
      const Database = requireHere('better-sqlite3') as new (file: string) => SqliteDatabase;
      return new Database(file);
    }
  }
}
