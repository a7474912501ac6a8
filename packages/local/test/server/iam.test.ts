import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CREDENTIALS_FILE, ensureSecrets, TokenIssuer } from '../../src/iam.js';
import { openStore, type Store } from '../../src/store/store.js';

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
