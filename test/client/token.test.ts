import { describe, expect, it } from 'vitest';
import { type TokenGrant, TokenManager } from '../../src/client/token.js';

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
