/**
 * Platform users: a username and a salted scrypt hash of the password. Verifying
 * runs scrypt on the thread pool, so a login never blocks the event loop, and runs it
 * for an unknown username too (against a throwaway hash), so the answer takes as long
 * whether the user exists or not and its timing does not tell.
 * @module
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { Db } from './database.js';

const SALT_BYTES = 16;
const KEY_BYTES = 32;

/** Derives a password's hash: scrypt with the given salt. */
export type Derive = (password: string, salt: Buffer) => Promise<Buffer>;

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** The users table. */
export class UserStore {
  private readonly selectOne;
  private readonly upsert;
  private readonly countAll;
  /** What an unknown user's password is checked against: a hash of nothing anyone knows. */
  private readonly decoy = { salt: randomBytes(SALT_BYTES), hash: randomBytes(KEY_BYTES) };

  constructor(
    db: Db,
    private readonly deriveKey: Derive = derive,
  ) {
    this.selectOne = db.prepare<[string], { salt: string; hash: string }>(
      'SELECT salt, hash FROM users WHERE username = ?',
    );
    this.upsert = db.prepare<[string, string, string, number]>(
      `INSERT INTO users (username, salt, hash, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (username) DO UPDATE SET salt = excluded.salt, hash = excluded.hash`,
    );
    this.countAll = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM users');
  }

  /** Creates the user, or sets a new password for an existing one. */
  async setPassword(username: string, password: string, now = Date.now()): Promise<void> {
    const salt = randomBytes(SALT_BYTES);
    const hash = await this.deriveKey(password, salt);
    this.upsert.run(username, salt.toString('base64'), hash.toString('base64'), now);
  }

  /**
   * True when `username` exists and `password` is its password. The same work is done
   * either way — one scrypt, one constant-time comparison — so an unknown user answers
   * no faster than a wrong password.
   */
  async verify(username: string, password: string): Promise<boolean> {
    const row = this.selectOne.get(username);
    const salt = row ? Buffer.from(row.salt, 'base64') : this.decoy.salt;
    const expected = row ? Buffer.from(row.hash, 'base64') : this.decoy.hash;
    const actual = await this.deriveKey(password, salt);
    const same = actual.length === expected.length && timingSafeEqual(actual, expected);
    return row !== undefined && same;
  }

  /** True when the user exists. */
  has(username: string): boolean {
    return this.selectOne.get(username) !== undefined;
  }

  /** Number of users. */
  count(): number {
    return this.countAll.get()!.n;
  }
}
