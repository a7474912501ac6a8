import { describe, expect, it } from 'vitest';
import { type TokenGrant, TokenManager } from '../../src/client/token.js';
import { AuthError } from '../../src/errors.js';

/** A token source whose fetches resolve when the test says, counting them. */
function controlledSource() {
  const pending: Array<{ resolve: (g: TokenGrant) => void; reject: (e: unknown) => void }> = [];
  let fetches = 0;
  return {
    fetch: () =>
      new Promise<TokenGrant>((resolve, reject) => {
        fetches += 1;
        pending.push({ resolve, reject });
      }),
    answer(grant: TokenGrant) {
      pending.shift()?.resolve(grant);
    },
    fail(error: unknown) {
      pending.shift()?.reject(error);
    },
    get fetches() {
      return fetches;
    },
  };
}

describe('TokenManager', () => {
  it('fetches once for concurrent callers and then serves the cached token', async () => {
    const source = controlledSource();
    const tokens = new TokenManager(source.fetch);
    const all = Promise.all([tokens.get(), tokens.get(), tokens.get()]);
    source.answer({ token: 'a' });
    expect(await all).toEqual(['a', 'a', 'a']);
    expect(await tokens.get()).toBe('a');
    expect(source.fetches).toBe(1);
  });

  it('renews once when many callers report the same refused token', async () => {
    const source = controlledSource();
    const tokens = new TokenManager(source.fetch);
    const first = tokens.get();
    source.answer({ token: 'a' });
    await first;
    const renewals = Promise.all([tokens.renew('a'), tokens.renew('a'), tokens.renew('a')]);
    source.answer({ token: 'b' });
    expect(await renewals).toEqual(['b', 'b', 'b']);
    // A caller that reports the old token late gets the new one without a fetch.
    expect(await tokens.renew('a')).toBe('b');
    expect(source.fetches).toBe(2);
  });

  it('passes a failed fetch to every waiting caller and does not cache it', async () => {
    const source = controlledSource();
    const tokens = new TokenManager(source.fetch);
    const both = Promise.allSettled([tokens.get(), tokens.get()]);
    source.fail(new Error('down'));
    expect((await both).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const retry = tokens.get();
    source.answer({ token: 'c' });
    expect(await retry).toBe('c');
    expect(source.fetches).toBe(2);
  });

  it('renews ahead of a known expiry, by the margin or half the lifetime if shorter', async () => {
    const source = controlledSource();
    let now = 0;
    const seen: string[] = [];
    const tokens = new TokenManager(source.fetch, {
      now: () => now,
      refreshMarginMs: 60_000,
      onToken: (g) => seen.push(g.token),
    });
    const first = tokens.get();
    source.answer({ token: 'a', expiresIn: 300 });
    await first;
    now = 239_999;
    expect(await tokens.get()).toBe('a');
    now = 240_000;
    const second = tokens.get();
    source.answer({ token: 'b', expiresIn: 60 });
    expect(await second).toBe('b');
    now += 29_999;
    expect(await tokens.get()).toBe('b');
    now += 1;
    const third = tokens.get();
    source.answer({ token: 'c' });
    expect(await third).toBe('c');
    now += 10 ** 9;
    expect(await tokens.get()).toBe('c');
    expect(seen).toEqual(['a', 'b', 'c']);
  });
});

describe('TokenManager against a refusing or careless server', () => {
  it('backs off after a fresh token is refused: no login until the wait is over, then the wait doubles', async () => {
    const source = controlledSource();
    let now = 0;
    const tokens = new TokenManager(source.fetch, { now: () => now, refusalBackoffMs: 1_000 });
    const first = tokens.get();
    source.answer({ token: 'a' });
    await first;
    tokens.reject('a', new Error('refused'));
    tokens.reject('a', new Error('refused again by another caller'));
    now = 999;
    await expect(tokens.get()).rejects.toMatchObject({ _tag: 'AuthError', reason: 'backoff' });
    await expect(tokens.renew('a')).rejects.toMatchObject({ _tag: 'AuthError', reason: 'backoff' });
    expect(source.fetches).toBe(1);
    now = 1_000;
    const second = tokens.get();
    source.answer({ token: 'b' });
    expect(await second).toBe('b');
    // Refused again during the streak: a refusal itself, no login; the wait is now 2 s.
    await expect(tokens.renew('b', undefined, new Error('refused'))).rejects.toMatchObject({
      reason: 'backoff',
      message: expect.stringContaining('2000 ms'),
    });
    expect(source.fetches).toBe(2);
    now = 3_000;
    const third = tokens.get();
    source.answer({ token: 'c' });
    expect(await third).toBe('c');
    // Accepted: the streak is over, a later refusal renews at once as before.
    tokens.accepted('c');
    const renewed = tokens.renew('c');
    source.answer({ token: 'd' });
    expect(await renewed).toBe('d');
  });

  it('backs off after bad credentials (AuthError reason credentials) without asking again', async () => {
    const source = controlledSource();
    let now = 0;
    const tokens = new TokenManager(source.fetch, { now: () => now });
    const first = tokens.get();
    source.fail(new AuthError('bad password', { reason: 'credentials' }));
    await expect(first).rejects.toMatchObject({ reason: 'credentials' });
    now = 500;
    await expect(tokens.get()).rejects.toMatchObject({ reason: 'backoff' });
    expect(source.fetches).toBe(1);
  });

  it('clamps a too-short expiresIn to the minimum lifetime and says so', async () => {
    const source = controlledSource();
    let now = 0;
    const clamped: number[] = [];
    const tokens = new TokenManager(source.fetch, {
      now: () => now,
      minLifetimeMs: 10_000,
      onClamped: (expiresIn) => clamped.push(expiresIn),
    });
    const first = tokens.get();
    source.answer({ token: 'a', expiresIn: 1e-9 });
    await first;
    now = 4_999;
    expect(await tokens.get()).toBe('a');
    expect(source.fetches).toBe(1);
    now = 5_000;
    const second = tokens.get();
    source.answer({ token: 'b', expiresIn: 1e-9 });
    expect(await second).toBe('b');
    expect(clamped).toEqual([1e-9, 1e-9]);
  });

  it('aborts the login once every caller waiting for it has left', async () => {
    const signals: AbortSignal[] = [];
    const tokens = new TokenManager(
      (signal) =>
        new Promise<TokenGrant>(() => {
          signals.push(signal);
        }),
    );
    const a = new AbortController();
    const b = new AbortController();
    const first = tokens.get(a.signal);
    const second = tokens.get(b.signal);
    a.abort(new Error('a left'));
    await expect(first).rejects.toThrow('a left');
    expect(signals[0]!.aborted).toBe(false);
    b.abort(new Error('b left'));
    await expect(second).rejects.toThrow('b left');
    expect(signals[0]!.aborted).toBe(true);
  });
});
