/**
 * The numbers of a retry policy: attempts, the backoff's base and cap, the longest
 * `Retry-After` obeyed, and the jitter's source of randomness.
 * @module
 */
import {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_RETRY_AFTER_CAP_MS,
  DEFAULT_RETRY_BASE_MS,
  DEFAULT_RETRY_CAP_MS,
} from '../../defaults.js';
import type { JitterBounds } from './backoff.js';

/** Numbers of a retry policy; {@link retryPolicy} fills each with its named default. */
export interface RetryPolicy extends JitterBounds {
  /** Attempts, the first included (1: no retry). Default {@link DEFAULT_MAX_ATTEMPTS}. */
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

/**
 * The policy with every default filled in, overridden by `overrides` (not mutated;
 * `undefined` values take the default).
 *
 * @example
 * ```ts
 * retryPolicy({ maxAttempts: 5, random: () => 0.5 }); // deterministic waits in a test
 * ```
 */
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
