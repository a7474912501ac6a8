/**
 * The retry engine of the SDK, used by the transport (platform calls), the polling
 * engine (streams) and storage (S3 requests): one operator that resubscribes to a
 * source after a failure worth another attempt, waiting the server's `Retry-After`
 * or a full-jitter backoff on a scheduler, within an attempt limit, an optional
 * outage limit, an optional deadline and an optional shared {@link RetryBudget}.
 * @module
 */
import {
  asyncScheduler,
  defer,
  type MonoTypeOperatorFunction,
  type Observable,
  retry,
  type SchedulerLike,
  tap,
  throwError,
  timer,
} from 'rxjs';
import { isModelMakerError } from '../../errors.js';
import { fullJitterDelay } from './backoff.js';
import type { RetryBudget } from './budget.js';
import type { RetryPolicy } from './policy.js';
import { isTransient } from './transient.js';

/** One retry about to happen, for logging or a "reconnecting…" display. */
export interface RetryEvent {
  readonly error: unknown;
  /** Failed attempts in a row, this one included (1 after the first failure). */
  readonly failures: number;
  /** The attempt that will run next (2 for the first retry). */
  readonly nextAttempt: number;
  /** The wait before it, in ms. */
  readonly waitMs: number;
}

/**
 * Why retrying stopped early (for logging), besides "not retryable" and "attempts
 * used up": the budget could not pay, `Retry-After` asked for more than the cap, the
 * wait would end past the deadline, or failures have lasted the outage limit.
 */
export type RetryGiveUp = 'budget' | 'retry-after-cap' | 'deadline' | 'outage';

/** Everything {@link retryWithPolicy} needs besides the source. */
export interface RetryContext {
  /** Attempts, backoff, `Retry-After` cap, randomness. */
  readonly policy: RetryPolicy;
  /** Which errors may be retried. Default {@link isTransient}. */
  readonly retryable?: ((error: unknown) => boolean) | undefined;
  /** Shared retry budget: each retry pays for itself, a success refunds. Default: none (unmetered). */
  readonly budget?: RetryBudget | undefined;
  /** Drives the waits and the clock; `asyncScheduler` by default, a `TestScheduler` in tests. */
  readonly scheduler?: SchedulerLike | undefined;
  /** Give up once failures in a row have lasted this long (scheduler clock, from the first one), in ms. */
  readonly maxOutageMs?: number | undefined;
  /** Absolute time (scheduler clock) after which waiting is pointless. */
  readonly deadlineAt?: (() => number | undefined) | undefined;
  readonly onRetry?: ((event: RetryEvent) => void) | undefined;
  readonly onGiveUp?: ((reason: RetryGiveUp, error: unknown) => void) | undefined;
}

/** The wait an error carries from the server's `Retry-After` (see `ErrorFields.retryAfterMs`). */
export function retryAfterOf(error: unknown): number | undefined {
  return isModelMakerError(error) ? error.retryAfterMs : undefined;
}

/**
 * Resubscribes to the source (one attempt per subscription) while the context
 * allows, waiting through `timer` on its scheduler; the last error is rethrown as
 * is (its `_tag` intact). On each failure, in order:
 *
 * 1. not `retryable`, or `maxAttempts` attempts made → rethrow;
 * 2. failing for `maxOutageMs` since the first failure → give up (`outage`);
 * 3. the error's `retryAfterMs` above `retryAfterCapMs` → give up (`retry-after-cap`);
 * 4. wait = `retryAfterMs`, else {@link fullJitterDelay} of the failure count;
 * 5. now + wait at or past the deadline → give up (`deadline`);
 * 6. the budget cannot pay → give up (`budget`);
 * 7. `onRetry`, wait, resubscribe.
 *
 * A value refunds the budget what the last retry cost (or `successRefund`).
 * Unsubscribing during a wait cancels the timer; nothing is resubscribed.
 *
 * ```
 * source:  --#           (503)   --#   (503)   --a|
 * result:  --- wait ------------ --- wait ---- --a|
 * ```
 *
 * @example
 * ```ts
 * request$.pipe(retryWithPolicy({ policy: retryPolicy({ maxAttempts: 5 }), budget: session.retryBudget }))
 * ```
 */
export function retryWithPolicy<T>(context: RetryContext): MonoTypeOperatorFunction<T> {
  const { policy, budget } = context;
  const retryable = context.retryable ?? isTransient;
  const scheduler = context.scheduler ?? asyncScheduler;
  return (source) =>
    defer(() => {
      let lastCost: number | undefined;
      let failingSince = 0;
      const giveUp = (reason: RetryGiveUp, error: unknown): Observable<never> => {
        context.onGiveUp?.(reason, error);
        return throwError(() => error);
      };
      const afterFailure = (error: unknown, failures: number): Observable<unknown> => {
        if (!retryable(error) || failures >= policy.maxAttempts) return throwError(() => error);
        const now = scheduler.now();
        if (failures === 1) failingSince = now;
        if (context.maxOutageMs !== undefined && now - failingSince >= context.maxOutageMs) {
          return giveUp('outage', error);
        }
        const retryAfter = retryAfterOf(error);
        if (retryAfter !== undefined && retryAfter > policy.retryAfterCapMs) {
          return giveUp('retry-after-cap', error);
        }
        const waitMs = retryAfter ?? fullJitterDelay(failures, policy);
        const deadline = context.deadlineAt?.();
        if (deadline !== undefined && now + waitMs >= deadline) return giveUp('deadline', error);
        if (budget !== undefined) {
          const cost = budget.costOf(error);
          if (!budget.tryAcquire(cost)) return giveUp('budget', error);
          lastCost = cost;
        }
        context.onRetry?.({ error, failures, nextAttempt: failures + 1, waitMs });
        return timer(waitMs, scheduler);
      };
      const pipeline = source.pipe(retry({ delay: afterFailure }));
      return budget === undefined
        ? pipeline
        : pipeline.pipe(tap({ next: () => budget.release(lastCost ?? budget.successRefund) }));
    });
}
