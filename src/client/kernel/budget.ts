/**
 * The retry budget: a token bucket shared by the calls of a session, modelled on
 * the AWS SDK v3 "standard" retry mode, so that a failing server cannot turn
 * 1,000 calls into 3,000.
 * @module
 */
import {
  DEFAULT_RETRY_BUDGET_CAPACITY,
  DEFAULT_RETRY_COST,
  DEFAULT_RETRY_SUCCESS_REFUND,
  DEFAULT_TIMEOUT_RETRY_COST,
} from '../../defaults.js';
import { hasTag } from '../../errors.js';

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
 *
 * @example
 * ```ts
 * const shared = new RetryBudget({ capacity: 100 });
 * const a = new Session({ retryBudget: shared }), b = new Session({ retryBudget: shared });
 * ```
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
