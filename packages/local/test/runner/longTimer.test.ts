import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { longTimer, MAX_TIMER_DELAY_MS } from '../../src/runner/longTimer.js';

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('longTimer: a delay longer than a JavaScript timer keeps', () => {
  it('fires once, after the whole delay, for delays beyond 2^31 − 1 ms (in steps)', () => {
    const long = 2 * MAX_TIMER_DELAY_MS + 5;
    scheduler().run(({ expectObservable }) => {
      expectObservable(longTimer(long)).toBe(`${long}ms (a|)`, { a: 0 });
      expectObservable(longTimer(MAX_TIMER_DELAY_MS)).toBe(`${MAX_TIMER_DELAY_MS}ms (a|)`, { a: 0 });
      expectObservable(longTimer(3)).toBe('3ms (a|)', { a: 0 });
      expectObservable(longTimer(0)).toBe('(a|)', { a: 0 });
    });
  });

  it('unsubscribed between two steps, it never fires', () => {
    scheduler().run(({ expectObservable }) => {
      expectObservable(longTimer(3 * MAX_TIMER_DELAY_MS), `^ ${MAX_TIMER_DELAY_MS + 10}ms !`).toBe('');
    });
  });

  it('with the real clock: 2,147,484 s does not fire at once (a plain timer of it fires after 1 ms)', async () => {
    let fired = false;
    const subscription = longTimer(2_147_484 * 1000).subscribe(() => {
      fired = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    subscription.unsubscribe();
    expect(fired).toBe(false);
  });
});
