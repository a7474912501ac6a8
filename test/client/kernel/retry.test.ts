import { defer, type Observable, of, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { RetryBudget } from '../../../src/client/kernel/budget.js';
import { retryPolicy } from '../../../src/client/kernel/policy.js';
import { type RetryEvent, retryWithPolicy } from '../../../src/client/kernel/retry.js';
import { isRetryable } from '../../../src/client/kernel/transient.js';
import { HttpError, NetworkError } from '../../../src/errors.js';

const unavailable = new HttpError(503, 'busy');
const idempotent = (error: unknown) => isRetryable(error, true);

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** A source that fails with `errors` in turn, then emits `value`; counts subscriptions. */
function flaky(errors: unknown[], value = 'ok'): Observable<string> & { subscriptions: number } {
  let subscriptions = 0;
  const source = defer(() => {
    const error = errors[subscriptions];
    subscriptions += 1;
    return error === undefined ? of(value) : throwError(() => error);
  });
  return Object.defineProperty(source, 'subscriptions', {
    get: () => subscriptions,
  }) as Observable<string> & {
    subscriptions: number;
  };
}

describe('retryWithPolicy', () => {
  it('waits the jittered backoff on the scheduler between attempts', () => {
    scheduler().run(({ expectObservable }) => {
      const source = flaky([unavailable, unavailable]);
      const policy = retryPolicy({ baseMs: 100, random: () => 0.5 });
      // Waits of 50 ms (retry 1) and 100 ms (retry 2).
      expectObservable(source.pipe(retryWithPolicy({ policy, budget: new RetryBudget() }))).toBe(
        '150ms (a|)',
        { a: 'ok' },
      );
    });
  });

  it("waits what the error's Retry-After says instead of the backoff", () => {
    scheduler().run(({ expectObservable }) => {
      const throttled = new HttpError(429, 'slow down', { retryAfterMs: 2000 });
      const result = flaky([throttled]).pipe(
        retryWithPolicy({ policy: retryPolicy({ random: () => 0 }), budget: new RetryBudget() }),
      );
      expectObservable(result).toBe('2000ms (a|)', { a: 'ok' });
    });
  });

  it('gives up at once when Retry-After asks for longer than the cap, and says why', () => {
    const reasons: string[] = [];
    scheduler().run(({ expectObservable }) => {
      const throttled = new HttpError(503, 'down', { retryAfterMs: 3_600_000 });
      const result = flaky([throttled]).pipe(
        retryWithPolicy({ policy: retryPolicy(), onGiveUp: (why) => reasons.push(why) }),
      );
      expectObservable(result).toBe('#', undefined, throttled);
    });
    expect(reasons).toEqual(['retry-after-cap']);
  });

  it('stops after maxAttempts and rethrows the last error', () => {
    scheduler().run(({ expectObservable }) => {
      const source = flaky([unavailable, unavailable, unavailable, unavailable]);
      const result = source.pipe(
        retryWithPolicy({ policy: retryPolicy({ random: () => 0 }), budget: new RetryBudget() }),
      );
      expectObservable(result).toBe('#', undefined, unavailable);
    });
  });

  it('does not retry what is not retryable, nor past the deadline', () => {
    scheduler().run(({ expectObservable }) => {
      const notFound = new HttpError(404, '');
      const base = { policy: retryPolicy({ random: () => 0.5 }), budget: new RetryBudget() };
      expectObservable(flaky([notFound]).pipe(retryWithPolicy(base))).toBe('#', undefined, notFound);
      expectObservable(flaky([unavailable]).pipe(retryWithPolicy({ ...base, retryable: () => false }))).toBe(
        '#',
        undefined,
        unavailable,
      );
      expectObservable(flaky([unavailable]).pipe(retryWithPolicy({ ...base, deadlineAt: () => 10 }))).toBe(
        '#',
        undefined,
        unavailable,
      );
    });
  });

  it('retries what `retryable` accepts: a reset after a non-idempotent send is not', () => {
    scheduler().run(({ expectObservable }) => {
      const reset = new NetworkError('reset', { reason: 'reset' });
      const refused = new NetworkError('refused', { reason: 'connect' });
      const once = (error: unknown) => isRetryable(error, false);
      const policy = retryPolicy({ random: () => 0 });
      expectObservable(flaky([reset]).pipe(retryWithPolicy({ policy, retryable: once }))).toBe(
        '#',
        undefined,
        reset,
      );
      expectObservable(flaky([refused]).pipe(retryWithPolicy({ policy, retryable: once }))).toBe('(a|)', {
        a: 'ok',
      });
    });
  });

  it('gives up when the budget cannot pay, and reports why', () => {
    const reasons: string[] = [];
    scheduler().run(({ expectObservable }) => {
      const budget = new RetryBudget({ capacity: 4 });
      const result = flaky([unavailable]).pipe(
        retryWithPolicy({
          policy: retryPolicy({ random: () => 0 }),
          retryable: idempotent,
          budget,
          onGiveUp: (why) => reasons.push(why),
        }),
      );
      expectObservable(result).toBe('#', undefined, unavailable);
    });
    expect(reasons).toEqual(['budget']);
  });

  it('pays each retry from the budget and refunds it on success; with no budget nothing is metered', () => {
    const budget = new RetryBudget({ capacity: 20, retryCost: 5, successRefund: 1 });
    const seen: number[] = [];
    scheduler().run(({ expectObservable, flush }) => {
      const result = flaky([unavailable, unavailable]).pipe(
        retryWithPolicy({
          policy: retryPolicy({ random: () => 0 }),
          budget,
          onRetry: () => seen.push(budget.available),
        }),
      );
      expectObservable(result).toBe('(a|)', { a: 'ok' });
      flush();
      // 20 → 15 → 10, then the success gives back what the last retry cost.
      expect(seen).toEqual([15, 10]);
      expect(budget.available).toBe(15);
    });
    scheduler().run(({ expectObservable }) => {
      const result = flaky(Array.from({ length: 9 }, () => unavailable)).pipe(
        retryWithPolicy({ policy: retryPolicy({ maxAttempts: 10, random: () => 0 }) }),
      );
      expectObservable(result).toBe('(a|)', { a: 'ok' });
    });
  });

  it('gives up once failures have lasted maxOutageMs since the first, however few', () => {
    const reasons: string[] = [];
    scheduler().run(({ cold, expectObservable }) => {
      const last = new HttpError(503, 'still down');
      const answers = [
        cold('-#', undefined, unavailable),
        cold('-#', undefined, unavailable),
        cold('-#', undefined, last),
      ];
      const result = defer(() => answers.shift()!).pipe(
        retryWithPolicy({
          policy: retryPolicy({ maxAttempts: 100, baseMs: 20, random: () => 0.5 }),
          maxOutageMs: 25,
          onGiveUp: (why) => reasons.push(why),
        }),
      );
      // fail at 1 (outage starts) → wait 10 → fail at 12 (11 ms) → wait 20 → fail at 33 (32 ms ≥ 25)
      expectObservable(result).toBe('33ms #', undefined, last);
    });
    expect(reasons).toEqual(['outage']);
  });

  it('tells onRetry about each retry before waiting: failures so far, next attempt, wait', () => {
    const events: RetryEvent[] = [];
    scheduler().run(({ expectObservable }) => {
      const result = flaky([unavailable, unavailable]).pipe(
        retryWithPolicy({
          policy: retryPolicy({ baseMs: 100, random: () => 0.5 }),
          onRetry: (event) => events.push(event),
        }),
      );
      expectObservable(result).toBe('150ms (a|)', { a: 'ok' });
    });
    expect(events).toEqual([
      { error: unavailable, failures: 1, nextAttempt: 2, waitMs: 50 },
      { error: unavailable, failures: 2, nextAttempt: 3, waitMs: 100 },
    ]);
  });

  it('resubscribes to the source once per attempt', () => {
    scheduler().run(({ flush }) => {
      const source = flaky([unavailable, unavailable]);
      source
        .pipe(retryWithPolicy({ policy: retryPolicy({ random: () => 0 }), budget: new RetryBudget() }))
        .subscribe();
      flush();
      expect(source.subscriptions).toBe(3);
    });
  });

  it('unsubscribing during a wait cancels the timer: nothing is resubscribed', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', undefined, unavailable);
      const result = source.pipe(
        retryWithPolicy({ policy: retryPolicy({ baseMs: 100, random: () => 0.5 }) }),
      );
      expectObservable(result, '20ms !').toBe('');
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });
});
