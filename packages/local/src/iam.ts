/**
 * Identity for the local platform: users live in the data dir (hashes in the
 * database; the generated user's password also in `credentials.json`, mode
 * 0600, so `modelmaker local` can print it on every start, beside the embedded
 * S3's key pair, so a written config profile stays valid), and tokens are
 * random strings with an expiry, kept in memory. A restart therefore invalidates
 * every token: clients get 1002 and fetch a new one, as they do on any server.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from 'modelmaker';
import {
  DEFAULT_LOCAL_EXPIRED_TOKEN_MEMORY_SECONDS,
  DEFAULT_LOCAL_TOKEN_TTL_SECONDS,
  DEFAULT_LOCAL_USERNAME,
} from './defaults.js';
import type { UserStore } from './store/users.js';

/** A username and its password. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** What the data dir keeps in {@link CREDENTIALS_FILE}. */
export interface DataDirSecrets extends Credentials {
  readonly s3AccessKeyId: string;
  readonly s3SecretAccessKey: string;
}

/** The data dir's file holding the generated user's credentials and the S3 keys (mode 0600). */
export const CREDENTIALS_FILE = 'credentials.json';

const PASSWORD_BYTES = 18;
const TOKEN_BYTES = 32;
const S3_KEY_ID_BYTES = 9;
const S3_SECRET_BYTES = 30;

/** A fresh random password: 24 URL-safe characters. */
export function randomPassword(): string {
  return randomBytes(PASSWORD_BYTES).toString('base64url');
}

/** Writes `content` to `file` with mode 0600 through a temp file and a rename, so no reader sees half a file. */
export function writePrivateFile(file: string, content: string): void {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, content, { mode: 0o600, flag: 'wx' });
  renameSync(temp, file);
}

function readSecrets(file: string): Partial<DataDirSecrets> {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const pick = (key: keyof DataDirSecrets) =>
      typeof parsed[key] === 'string' && parsed[key] !== '' ? { [key]: parsed[key] } : {};
    return {
      ...pick('username'),
      ...pick('password'),
      ...pick('s3AccessKeyId'),
      ...pick('s3SecretAccessKey'),
    };
  } catch {
    return {};
  }
}

/**
 * The data dir's own user and S3 keys: read from `credentials.json` when it is
 * there (and the user exists); what is missing is generated — user `modelmaker`
 * with a random password, a random S3 key pair — and written back (mode 0600,
 * in a 0700 dir). Also creates or updates `extraUsers`.
 */
export async function ensureSecrets(
  dataDir: string,
  users: UserStore,
  extraUsers: readonly Credentials[] = [],
): Promise<DataDirSecrets> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, CREDENTIALS_FILE);
  const stored = readSecrets(file);
  const username = stored.username ?? DEFAULT_LOCAL_USERNAME;
  const userOk = stored.password !== undefined && users.has(username);
  const secrets: DataDirSecrets = {
    username,
    password: userOk ? stored.password! : randomPassword(),
    s3AccessKeyId: stored.s3AccessKeyId ?? `MM${randomBytes(S3_KEY_ID_BYTES).toString('hex').toUpperCase()}`,
    s3SecretAccessKey: stored.s3SecretAccessKey ?? randomBytes(S3_SECRET_BYTES).toString('base64url'),
  };
  if (!userOk) await users.setPassword(secrets.username, secrets.password);
  if (
    !userOk ||
    stored.s3AccessKeyId !== secrets.s3AccessKeyId ||
    stored.s3SecretAccessKey !== secrets.s3SecretAccessKey
  ) {
    writePrivateFile(file, `${JSON.stringify(secrets, null, 2)}\n`);
  }
  for (const user of extraUsers) await users.setPassword(user.username, user.password);
  return secrets;
}

/** Options of {@link TokenIssuer}. */
export interface TokenIssuerOptions {
  /** Token lifetime in seconds. Default {@link DEFAULT_LOCAL_TOKEN_TTL_SECONDS}. */
  readonly ttlSeconds?: number;
  /** The clock (ms). */
  readonly now?: () => number;
}

/** The result of checking an `Auth-Token` header. */
export type TokenCheck =
  | { readonly ok: true; readonly username: string }
  | { readonly ok: false; readonly errorCode: number; readonly message: string };

/** Issues and checks tokens. */
export class TokenIssuer {
  private readonly tokens = new Map<string, { username: string; expiresAt: number }>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly users: UserStore,
    options: TokenIssuerOptions = {},
  ) {
    this.ttlMs = (options.ttlSeconds ?? DEFAULT_LOCAL_TOKEN_TTL_SECONDS) * 1000;
    this.now = options.now ?? Date.now;
  }

  /** A new token for valid credentials (`expiresIn` in seconds), or `undefined`. */
  async issue(username: string, password: string): Promise<{ token: string; expiresIn: number } | undefined> {
    if (!(await this.users.verify(username, password))) return undefined;
    this.prune();
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    this.tokens.set(token, { username, expiresAt: this.now() + this.ttlMs });
    return { token, expiresIn: this.ttlMs / 1000 };
  }

  /** Checks an `Auth-Token` header value: 1004 missing, 1002 unknown, 1003 expired. */
  check(token: string | undefined): TokenCheck {
    if (token === undefined || token === '') {
      return { ok: false, errorCode: ERROR_CODES.MISSING_TOKEN, message: 'missing Auth-Token header' };
    }
    const entry = this.tokens.get(token);
    if (!entry) return { ok: false, errorCode: ERROR_CODES.TOKEN_INVALID, message: 'invalid token' };
    if (entry.expiresAt <= this.now()) {
      return { ok: false, errorCode: ERROR_CODES.TOKEN_EXPIRED, message: 'token expired' };
    }
    return { ok: true, username: entry.username };
  }

  /** Forgets tokens long expired (an expired one is remembered a while to answer 1003). */
  private prune(): void {
    const forgetBefore = this.now() - DEFAULT_LOCAL_EXPIRED_TOKEN_MEMORY_SECONDS * 1000;
    for (const [token, entry] of this.tokens) if (entry.expiresAt < forgetBefore) this.tokens.delete(token);
  }
}
