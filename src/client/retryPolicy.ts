/**
 * When and how long to wait before trying a call again, modelled on the AWS SDK v3
 * "standard" retry mode: at most {@link DEFAULT_MAX_ATTEMPTS} attempts, full-jitter
 * exponential backoff, `Retry-After` honoured up to a cap, and a token-bucket
 * {@link RetryBudget} shared by a session so that a failing server cannot turn
 * 1,000 calls into 3,000.
 *
 * Retries happen here and nowhere else (ky's own retry is off).
 * @module
 */
import {
  asyncScheduler,
  defer,
  type MonoTypeOperatorFunction,
  retry,
  type SchedulerLike,
  tap,
  throwError,
  timer,
} from 'rxjs';
import {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_RETRY_AFTER_CAP_MS,
  DEFAULT_RETRY_BASE_MS,
  DEFAULT_RETRY_BUDGET_CAPACITY,
  DEFAULT_RETRY_CAP_MS,
  DEFAULT_RETRY_COST,
  DEFAULT_RETRY_SUCCESS_REFUND,
  DEFAULT_TIMEOUT_RETRY_COST,
} from '../defaults.js';
import { hasTag, isTransient } from '../errors.js';

/** Numbers of the retry policy; each falls back to its named default. */
export interface RetryPolicy {
  /** Attempts per call, the first included. Default {@link DEFAULT_MAX_ATTEMPTS}. */
  readonly maxAttempts: number;
  /** Backoff base in ms. Default {@link DEFAULT_RETRY_BASE_MS}. */
  readonly baseMs: number;
  /** Backoff cap in ms. Default {@link DEFAULT_RETRY_CAP_MS}. */
  readonly capMs: number;
  /** Longest `Retry-After` obeyed, in ms; a longer one ends the retries. Default {@link DEFAULT_RETRY_AFTER_CAP_MS}. */
  readonly retryAfterCapMs: number;
  /** Source of randomness in [0, 1) for the jitter. Default `Math.random`. */
  readonly random: () => number;
}

/** The policy with every default filled in, overridden by `overrides` (not mutated). */
export function retryPolicy(
  overrides: { readonly [K in keyof RetryPolicy]?: RetryPolicy[K] | undefined } = {},
): RetryPolicy {
  return {
    maxAttempts: overrides.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    baseMs: overrides.baseMs ?? DEFAULT_RETRY_BASE_MS,
    capMs: overrides.capMs ?? DEFAULT_RETRY_CAP_MS,
    retryAfterCapMs: overrides.retryAfterCapMs ?? DEFAULT_RETRY_AFTER_CAP_MS,
    random: overrides.random ?? Math.random,
  };
}

/**
 * Full jitter: a uniformly random wait in `[0, min(cap, base · 2^(retry-1)))`.
 * `retry` is 1 for the first retry.
 */
export function fullJitterDelay(
  retry: number,
  policy: Pick<RetryPolicy, 'baseMs' | 'capMs' | 'random'>,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(policy.random() * ceiling);
}

/**
 * A `Retry-After` header as a wait in ms: delay-seconds (`"2"`, `"1.5"`) or an HTTP
 * date (relative to `nowMs`, never negative). `undefined` when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Costs and capacity of a {@link RetryBudget}. */
export interface RetryBudgetOptions {
  /** Default {@link DEFAULT_RETRY_BUDGET_CAPACITY}. */
  readonly capacity?: number | undefined;
  /** Default {@link DEFAULT_RETRY_COST}. */
  readonly retryCost?: number | undefined;
  /** Default {@link DEFAULT_TIMEOUT_RETRY_COST}. */
  readonly timeoutRetryCost?: number | undefined;
  /** Default {@link DEFAULT_RETRY_SUCCESS_REFUND}. */
  readonly successRefund?: number | undefined;
}

/**
 * A token bucket shared by every call of a session. Each retry takes
 * `retryCost` tokens (`timeoutRetryCost` after a timeout); when the bucket cannot
 * pay, the call fails with its last error instead of retrying. A call that succeeds
 * gives back what its last retry cost, or `successRefund` if it needed none.
 */
export class RetryBudget {
  readonly capacity: number;
  readonly retryCost: number;
  readonly timeoutRetryCost: number;
  readonly successRefund: number;
  #tokens: number;

  constructor(options: RetryBudgetOptions = {}) {
    this.capacity = options.capacity ?? DEFAULT_RETRY_BUDGET_CAPACITY;
    this.retryCost = options.retryCost ?? DEFAULT_RETRY_COST;
    this.timeoutRetryCost = options.timeoutRetryCost ?? DEFAULT_TIMEOUT_RETRY_COST;
    this.successRefund = options.successRefund ?? DEFAULT_RETRY_SUCCESS_REFUND;
    this.#tokens = this.capacity;
  }

  /** Tokens left. */
  get available(): number {
    return this.#tokens;
  }

  /** The cost of retrying after `error`. */
  costOf(error: unknown): number {
    return hasTag(error, 'TimeoutError') ? this.timeoutRetryCost : this.retryCost;
  }

  /** Takes `cost` tokens if there are that many; false (and takes nothing) otherwise. */
  tryAcquire(cost: number): boolean {
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }

  /** Gives `amount` tokens back, up to the capacity. */
  release(amount: number): void {
    this.#tokens = Math.min(this.capacity, this.#tokens + amount);
  }
}

/**
 * Whether an error may be retried at all.
 *
 * Idempotent calls (GET, PUT, DELETE, and POSTs declared idempotent such as `stop`)
 * retry on every {@link isTransient} error. A non-idempotent call (a POST that
 * creates a job, a model or a service) is retried only when the request cannot
 * have reached the server: a `NetworkError` with reason `connect` (connection
 * refused, DNS failure, host unreachable — no byte was sent). After the request
 * may have been sent — a reset or closed connection, a per-attempt timeout, a
 * 5xx from a proxy — the server may have created the resource, and sending the
 * POST again could create it twice; the error is surfaced and the caller decides
 * (the create flows recover through the name-conflict codes 102009/101009).
 */
export function isRetryable(error: unknown, idempotent: boolean): boolean {
  if (idempotent) return isTransient(error);
  return hasTag(error, 'NetworkError') && error.reason === 'connect';
}

/** One retry about to happen, for logging. */
export interface RetryEvent {
  readonly error: unknown;
  /** The attempt that will run next (2 for the first retry). */
  readonly nextAttempt: number;
  readonly waitMs: number;
}

/** Why retrying stopped early (for logging), besides "not retryable" and "attempts used up". */
export type RetryGiveUp = 'budget' | 'retry-after-cap' | 'deadline';

/** Everything {@link retryWithPolicy} needs besides the policy. */
export interface RetryContext {
  readonly policy: RetryPolicy;
  readonly budget: RetryBudget;
  readonly idempotent: boolean;
  /** Drives the waits; `asyncScheduler` by default, a `TestScheduler` in tests. */
  readonly scheduler?: SchedulerLike | undefined;
  /** Errors never to retry here whatever they are (e.g. already retried by an inner pipeline). */
  readonly isFinal?: ((error: unknown) => boolean) | undefined;
  /** The server's `Retry-After` for an error, in ms, when it sent one. */
  readonly retryAfterOf?: ((error: unknown) => number | undefined) | undefined;
  /** Absolute time (scheduler clock) after which waiting is pointless. */
  readonly deadlineAt?: (() => number | undefined) | undefined;
  readonly onRetry?: ((event: RetryEvent) => void) | undefined;
  readonly onGiveUp?: ((reason: RetryGiveUp, error: unknown) => void) | undefined;
}

/**
 * Resubscribes to the source (one attempt per subscription) while the policy allows,
 * waiting through `timer` on the given scheduler. The last error is rethrown as is.
 *
 * ```
 * source:  --#           (503)   --#   (503)   --a|
 * result:  --- wait ------------ --- wait ---- --a|
 * ```
 */
export function retryWithPolicy<T>(context: RetryContext): MonoTypeOperatorFunction<T> {
  const { policy, budget, idempotent } = context;
  const scheduler = context.scheduler ?? asyncScheduler;
  return (source) =>
    defer(() => {
      let lastCost: number | undefined;
      return source.pipe(
        retry({
          count: Math.max(0, policy.maxAttempts - 1),
          delay: (error: unknown, retryCount: number) => {
            if (context.isFinal?.(error) === true || !isRetryable(error, idempotent)) {
              return throwError(() => error);
            }
            const retryAfter = context.retryAfterOf?.(error);
            if (retryAfter !== undefined && retryAfter > policy.retryAfterCapMs) {
              context.onGiveUp?.('retry-after-cap', error);
              return throwError(() => error);
            }
            const waitMs = retryAfter ?? fullJitterDelay(retryCount, policy);
            const deadline = context.deadlineAt?.();
            if (deadline !== undefined && scheduler.now() + waitMs >= deadline) {
              context.onGiveUp?.('deadline', error);
              return throwError(() => error);
            }
            const cost = budget.costOf(error);
            if (!budget.tryAcquire(cost)) {
              context.onGiveUp?.('budget', error);
              return throwError(() => error);
            }
            lastCost = cost;
            context.onRetry?.({ error, nextAttempt: retryCount + 1, waitMs });
            return timer(waitMs, scheduler);
          },
        }),
        tap({ next: () => budget.release(lastCost ?? budget.successRefund) }),
      );
    });
}
