/**
 * The I/O kernel: what every request of the SDK, the local platform and the CLI
 * goes through, whatever it talks to (the platform's REST API, a long poll, S3).
 *
 * - **Retry**: one engine ({@link retryWithPolicy}), one jitter formula (full jitter,
 *   {@link fullJitterDelay}), the shared {@link RetryBudget}, `Retry-After` read from the
 *   error's `retryAfterMs` ({@link parseRetryAfter}), an injectable `random` and scheduler.
 * - **Transient**: one predicate, {@link isTransient} (and {@link isRetryable} for
 *   requests that are not idempotent).
 * - **Abort**: {@link onAbort}, {@link anySignal}, and the bridges {@link untilAborted}
 *   (promise), {@link fromAbortable} and {@link abortWith} (Observable), all removing
 *   their listeners; {@link SharedFlight}, one piece of work shared by its waiters and
 *   aborted when the last one leaves (the login, the S3 credentials).
 *
 * Below `client` and `streams`: it imports only rxjs and the package's errors and defaults.
 * @module
 */
export { abortWith, fromAbortable, untilAborted } from './abortable.js';
export { type BackoffBounds, exponentialDelay, fullJitterDelay, type JitterBounds } from './backoff.js';
export { RetryBudget, type RetryBudgetOptions } from './budget.js';
export { type RetryPolicy, retryPolicy } from './policy.js';
export {
  type RetryContext,
  type RetryEvent,
  type RetryGiveUp,
  retryAfterOf,
  retryWithPolicy,
} from './retry.js';
export { parseRetryAfter } from './retryAfter.js';
export { SharedFlight } from './sharedFlight.js';
export { anySignal, anySignalByListeners, type LinkedSignal, onAbort } from './signals.js';
export { isRetryable, isTransient, TRANSIENT_REASONS, TRANSIENT_STATUSES } from './transient.js';
