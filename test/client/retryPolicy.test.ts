import { defer, type Observable, of, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  fullJitterDelay,
  isRetryable,
  parseRetryAfter,
  RetryBudget,
  retryPolicy,
  retryWithPolicy,
} from '../../src/client/retryPolicy.js';
import { ApiError, HttpError, NetworkError, TimeoutError, ValidationError } from '../../src/errors.js';

const unavailable = new HttpError(503, 'busy');

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

describe('fullJitterDelay', () => {
  it('draws in [0, min(cap, base·2^(retry-1)))', () => {
    const policy = { baseMs: 100, capMs: 20_000 };
    expect(fullJitterDelay(1, { ...policy, random: () => 0.999 })).toBe(99);
    expect(fullJitterDelay(3, { ...policy, random: () => 0.5 })).toBe(200);
    expect(fullJitterDelay(20, { ...policy, random: () => 0.5 })).toBe(10_000);
    expect(fullJitterDelay(5, { ...policy, random: () => 0 })).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates', () => {
    const now = Date.parse('2024-01-01T00:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Mon, 01 Jan 2024 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Sun, 31 Dec 2023 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('isRetryable', () => {
  it('retries transient errors of idempotent calls only', () => {
    expect(isRetryable(unavailable, true)).toBe(true);
    expect(isRetryable(new HttpError(404, ''), true)).toBe(false);
    expect(isRetryable(new ApiError(5000, '', 502), true)).toBe(true);
    expect(isRetryable(new ApiError(4000, '', 200), true)).toBe(false);
    expect(isRetryable(new TimeoutError(1, { reason: 'attempt' }), true)).toBe(true);
    expect(isRetryable(new TimeoutError(1, { reason: 'deadline' }), true)).toBe(false);
    expect(isRetryable(new ValidationError([]), true)).toBe(false);
  });

  it('retries a non-idempotent call only when nothing can have been sent', () => {
    expect(isRetryable(new NetworkError('refused', { reason: 'connect' }), false)).toBe(true);
    expect(isRetryable(new NetworkError('reset', { reason: 'reset' }), false)).toBe(false);
    expect(isRetryable(new NetworkError('failed', { reason: 'unknown' }), false)).toBe(false);
    expect(isRetryable(unavailable, false)).toBe(false);
    expect(isRetryable(new TimeoutError(1, { reason: 'attempt' }), false)).toBe(false);
  });
});

describe('RetryBudget', () => {
  it('pays retries until empty and refills up to capacity', () => {
    const budget = new RetryBudget({ capacity: 12, retryCost: 5, timeoutRetryCost: 10 });
    expect(budget.costOf(unavailable)).toBe(5);
    expect(budget.costOf(new TimeoutError(1))).toBe(10);
    expect(budget.tryAcquire(5)).toBe(true);
    expect(budget.tryAcquire(5)).toBe(true);
    expect(budget.tryAcquire(5)).toBe(false);
    expect(budget.available).toBe(2);
    budget.release(100);
    expect(budget.available).toBe(12);
  });
});

describe('retryWithPolicy', () => {
  it('waits the jittered backoff on the scheduler between attempts', () => {
    scheduler().run(({ expectObservable }) => {
      const source = flaky([unavailable, unavailable]);
      const policy = retryPolicy({ baseMs: 100, random: () => 0.5 });
      // Waits of 50 ms (retry 1) and 100 ms (retry 2).
      expectObservable(
        source.pipe(retryWithPolicy({ policy, budget: new RetryBudget(), idempotent: true })),
      ).toBe('150ms (a|)', { a: 'ok' });
    });
  });

  it('waits what Retry-After says instead of the backoff', () => {
    scheduler().run(({ expectObservable }) => {
      const source = flaky([unavailable]);
      const result = source.pipe(
        retryWithPolicy({
          policy: retryPolicy({ random: () => 0 }),
          budget: new RetryBudget(),
          idempotent: true,
          retryAfterOf: (e) => (e === unavailable ? 2000 : undefined),
        }),
      );
      expectObservable(result).toBe('2000ms (a|)', { a: 'ok' });
    });
  });

  it('stops after maxAttempts and rethrows the last error', () => {
    scheduler().run(({ expectObservable }) => {
      const source = flaky([unavailable, unavailable, unavailable, unavailable]);
      const result = source.pipe(
        retryWithPolicy({
          policy: retryPolicy({ random: () => 0 }),
          budget: new RetryBudget(),
          idempotent: true,
        }),
      );
      expectObservable(result).toBe('#', undefined, unavailable);
    });
  });

  it('does not retry what is not retryable, nor errors marked final, nor past the deadline', () => {
    scheduler().run(({ expectObservable }) => {
      const notFound = new HttpError(404, '');
      const base = {
        policy: retryPolicy({ random: () => 0.5 }),
        budget: new RetryBudget(),
        idempotent: true,
      };
      expectObservable(flaky([notFound]).pipe(retryWithPolicy(base))).toBe('#', undefined, notFound);
      expectObservable(flaky([unavailable]).pipe(retryWithPolicy({ ...base, isFinal: () => true }))).toBe(
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

  it('gives up when the budget cannot pay, and reports why', () => {
    const reasons: string[] = [];
    scheduler().run(({ expectObservable }) => {
      const budget = new RetryBudget({ capacity: 4 });
      const result = flaky([unavailable]).pipe(
        retryWithPolicy({
          policy: retryPolicy({ random: () => 0 }),
          budget,
          idempotent: true,
          onGiveUp: (why) => reasons.push(why),
        }),
      );
      expectObservable(result).toBe('#', undefined, unavailable);
    });
    expect(reasons).toEqual(['budget']);
  });

  it('resubscribes to the source once per attempt', () => {
    scheduler().run(({ flush }) => {
      const source = flaky([unavailable, unavailable]);
      source
        .pipe(
          retryWithPolicy({
            policy: retryPolicy({ random: () => 0 }),
            budget: new RetryBudget(),
            idempotent: true,
          }),
        )
        .subscribe();
      flush();
      expect(source.subscriptions).toBe(3);
    });
  });
});
