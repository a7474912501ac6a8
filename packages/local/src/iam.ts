/**
 * Identity for the local platform: users live in the data dir (hashes in the
 * database; the generated user's password also in `credentials.json`, mode
 * 0600, so `modelmaker local` can print it on every start, beside the embedded
 * S3's key pair, so a written config profile stays valid), and tokens are
 * random strings with an expiry, kept in memory. A restart therefore invalidates
 * every token: clients get 1002 and fetch a new one, as they do on any server.
 * Logins are throttled (see `loginThrottle.ts`). `auth-access` hands out temporary
 * S3 keys, one pair per token, expiring with it: the embedded S3 accepts them
 * until then (`ExpiredToken` after), and clients fetch new ones with a new token.
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
import { type LoginAttempt, LoginThrottle, type LoginThrottleOptions } from './loginThrottle.js';
import type { KnownKey } from './s3/sigv4.js';
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
  /** How failed logins are throttled. */
  readonly throttle?: LoginThrottleOptions;
}

/** A temporary S3 key pair handed out with a token. */
export interface TemporaryS3Key {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** When it stops working: the token's expiry (ms since the epoch). */
  readonly expiresAt: number;
}

/** Prefix of temporary access key ids (AWS's own temporary keys start `ASIA`). */
const TEMPORARY_KEY_PREFIX = 'MMT';

interface TokenEntry {
  readonly username: string;
  readonly expiresAt: number;
  s3?: TemporaryS3Key;
}

/** The result of checking an `Auth-Token` header. */
export type TokenCheck =
  | { readonly ok: true; readonly username: string }
  | { readonly ok: false; readonly errorCode: number; readonly message: string };

/** Issues and checks tokens. */
export class TokenIssuer {
  private readonly tokens = new Map<string, TokenEntry>();
  /** Temporary S3 keys by access key id, with the token entry they belong to. */
  private readonly s3Keys = new Map<string, TokenEntry>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly throttle: LoginThrottle;

  constructor(
    private readonly users: UserStore,
    options: TokenIssuerOptions = {},
  ) {
    this.ttlMs = (options.ttlSeconds ?? DEFAULT_LOCAL_TOKEN_TTL_SECONDS) * 1000;
    this.now = options.now ?? Date.now;
    this.throttle = new LoginThrottle({ now: this.now, ...options.throttle });
  }

  /**
   * A new token for valid credentials (`expiresIn` in seconds), or `undefined`.
   * `address` is the client's, for the throttle.
   *
   * @throws LoginThrottledError when too many logins failed for this user or address lately.
   */
  async issue(
    username: string,
    password: string,
    address?: string,
  ): Promise<{ token: string; expiresIn: number } | undefined> {
    const attempt: LoginAttempt = { username, address };
    this.throttle.check(attempt);
    if (!(await this.users.verify(username, password))) {
      this.throttle.failed(attempt);
      return undefined;
    }
    this.throttle.succeeded(attempt);
    this.prune();
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    this.tokens.set(token, { username, expiresAt: this.now() + this.ttlMs });
    return { token, expiresIn: this.ttlMs / 1000 };
  }

  /**
   * The temporary S3 key pair of a valid token (made on first ask, the same after),
   * expiring with the token; `undefined` for a token that is not valid.
   */
  s3Access(token: string | undefined): TemporaryS3Key | undefined {
    if (token === undefined) return undefined;
    const entry = this.tokens.get(token);
    if (!entry || entry.expiresAt <= this.now()) return undefined;
    if (!entry.s3) {
      entry.s3 = {
        accessKeyId: `${TEMPORARY_KEY_PREFIX}${randomBytes(S3_KEY_ID_BYTES).toString('hex').toUpperCase()}`,
        secretAccessKey: randomBytes(S3_SECRET_BYTES).toString('base64url'),
        expiresAt: entry.expiresAt,
      };
      this.s3Keys.set(entry.s3.accessKeyId, entry);
    }
    return entry.s3;
  }

  /** The secret and expiry of a temporary S3 key this issuer handed out (for the embedded S3's guard). */
  s3Key(accessKeyId: string): KnownKey | undefined {
    const key = this.s3Keys.get(accessKeyId)?.s3;
    return key && { secretAccessKey: key.secretAccessKey, expiresAt: key.expiresAt };
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
    for (const [token, entry] of this.tokens) {
      if (entry.expiresAt >= forgetBefore) continue;
      this.tokens.delete(token);
      if (entry.s3) this.s3Keys.delete(entry.s3.accessKeyId);
    }
  }
}
