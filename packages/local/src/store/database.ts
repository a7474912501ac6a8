/**
 * Opens the platform's SQLite file: WAL journal (readers never wait for the
 * writer), foreign keys on, owner-only file mode, schema migrated.
 * @module
 */
import { chmodSync } from 'node:fs';
import { DEFAULT_SQLITE_BUSY_TIMEOUT_MS } from '../defaults.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { openSqlite, type SqliteDatabase } from './sqlite.js';

/** A connection (better-sqlite3, or the runtime's own SQLite seen through its API: see `sqlite.ts`). */
export type Db = SqliteDatabase;

/** The data dir's database file name. */
export const DATABASE_FILE = 'modelmaker.db';

/** Thrown when a data dir was written by a newer build whose schema this one does not know. */
export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError';
}

/**
 * Opens (creating when missing) the database at `file` and migrates it. `:memory:`
 * works for tests. The file is made readable by its owner only: it holds password hashes.
 *
 * @throws SchemaTooNewError when the file's schema is newer than this build's.
 */
export function openDatabase(file: string): Db {
  const db = openSqlite(file);
  try {
    if (file !== ':memory:') chmodSync(file, 0o600);
    db.pragma('journal_mode = WAL');
    // NORMAL under WAL loses at most the last transactions on power loss, never corrupts.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${DEFAULT_SQLITE_BUSY_TIMEOUT_MS}`);
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new SchemaTooNewError(
      `database schema ${current} is newer than this build's (${SCHEMA_VERSION}); upgrade modelmaker`,
    );
  }
  db.transaction(() => {
    for (let version = current; version < SCHEMA_VERSION; version++) {
      db.exec(MIGRATIONS[version]!);
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}
