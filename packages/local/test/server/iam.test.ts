import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CREDENTIALS_FILE, ensureSecrets, TokenIssuer } from '../../src/iam.js';
import { LoginThrottledError } from '../../src/loginThrottle.js';
import { openStore, type Store } from '../../src/store/store.js';
import { UserStore } from '../../src/store/users.js';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mm-iam-'));
  store = openStore(join(dir, 'modelmaker.db'));
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('data dir users', () => {
  it('gives a fresh data dir the user modelmaker with a random password in a 0600 file, and keeps it', async () => {
    const first = await ensureSecrets(dir, store.users);
    expect(first.username).toBe('modelmaker');
    expect(first.password.length).toBeGreaterThanOrEqual(20);
    const file = join(dir, CREDENTIALS_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(first);
    expect(await store.users.verify('modelmaker', first.password)).toBe(true);
    expect(await ensureSecrets(dir, store.users)).toEqual(first);
  });

  it('adds the users it is given', async () => {
    await ensureSecrets(dir, store.users, [{ username: 'bob', password: 'pw' }]);
    expect(await store.users.verify('bob', 'pw')).toBe(true);
    expect(await store.users.verify('bob', 'wrong')).toBe(false);
    expect(await store.users.verify('nobody', 'pw')).toBe(false);
  });
});

describe('tokens', () => {
  it('refuses bad credentials, and tells missing, unknown and expired tokens apart', async () => {
    await store.users.setPassword('alice', 'pw');
    let now = 1_000_000;
    const tokens = new TokenIssuer(store.users, { ttlSeconds: 2, now: () => now });
    expect(await tokens.issue('alice', 'wrong')).toBeUndefined();
    const issued = (await tokens.issue('alice', 'pw'))!;
    expect(issued.expiresIn).toBe(2);
    expect(tokens.check(issued.token)).toEqual({ ok: true, username: 'alice' });
    expect(tokens.check(undefined)).toMatchObject({ ok: false, errorCode: 1004 });
    expect(tokens.check('made-up')).toMatchObject({ ok: false, errorCode: 1002 });
    now += 2000;
    expect(tokens.check(issued.token)).toMatchObject({ ok: false, errorCode: 1003 });
  });
});

describe('logins', () => {
  it('does the same work for an unknown user as for a wrong password (one scrypt, so the timing does not tell)', async () => {
    const derived: Array<{ password: string; salt: Buffer }> = [];
    const { scrypt } = await import('node:crypto');
    const users = new UserStore(store.db, (password, salt) => {
      derived.push({ password, salt });
      return new Promise((resolve, reject) =>
        scrypt(password, salt, 32, (error, key) => (error ? reject(error) : resolve(key))),
      );
    });
    await users.setPassword('alice', 'pw');
    derived.length = 0;
    expect(await users.verify('alice', 'wrong')).toBe(false);
    expect(await users.verify('nobody', 'wrong')).toBe(false);
    expect(await users.verify('nobody', 'pw')).toBe(false);
    expect(derived.map((d) => [d.password, d.salt.length])).toEqual([
      ['wrong', 16],
      ['wrong', 16],
      ['pw', 16],
    ]);
    expect(await users.verify('alice', 'pw')).toBe(true);
  });

  it('throttles a username after repeated failures, unknown or not, and lets it in again after the wait', async () => {
    await store.users.setPassword('alice', 'pw');
    let now = 1_000_000;
    const tokens = new TokenIssuer(store.users, {
      now: () => now,
      throttle: { freeAttemptsPerUser: 3, baseDelayMs: 1000, maxDelayMs: 8000 },
    });
    for (const username of ['alice', 'nobody']) {
      for (let i = 0; i < 3; i++) expect(await tokens.issue(username, 'guess', '10.0.0.1')).toBeUndefined();
      // Throttled now, the right password included — and an unknown user exactly like a known one.
      await expect(tokens.issue(username, 'pw', '10.0.0.2')).rejects.toBeInstanceOf(LoginThrottledError);
      await expect(tokens.issue(username, 'pw', '10.0.0.2')).rejects.toMatchObject({
        _tag: 'LoginThrottled',
        retryAfterSeconds: 1,
      });
    }
    now += 1000;
    expect(await tokens.issue('alice', 'pw', '10.0.0.2')).toMatchObject({ token: expect.any(String) });
    // A success clears the count: the next failure is free again.
    expect(await tokens.issue('alice', 'guess', '10.0.0.2')).toBeUndefined();
    expect(await tokens.issue('alice', 'pw', '10.0.0.2')).toMatchObject({ token: expect.any(String) });
    // Each further failure doubles the wait, up to the cap.
    for (let i = 0; i < 3; i++) await tokens.issue('bob', 'x');
    for (const wait of [1, 2, 4, 8, 8]) {
      await expect(tokens.issue('bob', 'x')).rejects.toMatchObject({ retryAfterSeconds: wait });
      now += wait * 1000;
      expect(await tokens.issue('bob', 'x')).toBeUndefined();
    }
  });

  it('throttles an address guessing across many usernames', async () => {
    const now = 1_000_000;
    const tokens = new TokenIssuer(store.users, {
      now: () => now,
      throttle: { freeAttemptsPerUser: 100, freeAttemptsPerAddress: 5 },
    });
    for (let i = 0; i < 5; i++) expect(await tokens.issue(`user${i}`, 'x', '10.0.0.9')).toBeUndefined();
    await expect(tokens.issue('user99', 'x', '10.0.0.9')).rejects.toBeInstanceOf(LoginThrottledError);
    expect(await tokens.issue('user99', 'x', '10.0.0.10')).toBeUndefined();
  });
});

describe('temporary S3 keys', () => {
  it('hands out one key pair per token, expiring with it, and forgets it with the token', async () => {
    await store.users.setPassword('alice', 'pw');
    let now = 1_000_000;
    const tokens = new TokenIssuer(store.users, { ttlSeconds: 60, now: () => now });
    const { token } = (await tokens.issue('alice', 'pw'))!;
    const key = tokens.s3Access(token)!;
    expect(key.accessKeyId).toMatch(/^MMT[0-9A-F]{18}$/);
    expect(key.expiresAt).toBe(1_000_000 + 60_000);
    expect(tokens.s3Access(token)).toEqual(key);
    expect(tokens.s3Key(key.accessKeyId)).toEqual({
      secretAccessKey: key.secretAccessKey,
      expiresAt: key.expiresAt,
    });
    const other = tokens.s3Access((await tokens.issue('alice', 'pw'))!.token)!;
    expect(other.accessKeyId).not.toBe(key.accessKeyId);
    expect(tokens.s3Access('made-up')).toBeUndefined();
    now += 60_000;
    expect(tokens.s3Access(token)).toBeUndefined();
    // Still known until the token is forgotten (it answers ExpiredToken, not InvalidAccessKeyId, meanwhile).
    expect(tokens.s3Key(key.accessKeyId)).toMatchObject({ expiresAt: key.expiresAt });
    now += 2 * 86_400_000;
    await tokens.issue('alice', 'pw');
    expect(tokens.s3Key(key.accessKeyId)).toBeUndefined();
  });
});
