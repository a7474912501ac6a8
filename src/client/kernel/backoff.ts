/**
 * How long to wait before attempt number n: exponential growth up to a cap, and the
 * one jitter formula of the SDK, **full jitter**, over it.
 *
 * Why full jitter (a uniform wait in `[0, ceiling)`) rather than equal jitter
 * (`ceiling/2 + random·ceiling/2`) or none: when many clients fail at once (a
 * server restart, a throttled store), waits without jitter bring them back at the
 * same instants, and the half-fixed wait of equal jitter keeps them bunched. The
 * AWS Architecture Blog's comparison ("Exponential Backoff And Jitter", 2015)
 * measured full jitter doing the least total work and finishing soonest of the
 * usual formulas, and it is the formula of the AWS SDKs' standard retry mode, whose
 * budget this kernel follows. A full-jitter wait can be 0; what bounds the load is
 * the attempt limit and the retry budget, not a minimum wait.
 * @module
 */

/** Base and cap of an exponential delay, in ms. */
export interface BackoffBounds {
  /** The delay before the first retry (the ceiling of its jitter). */
  readonly baseMs: number;
  /** The delay never grows past this. */
  readonly capMs: number;
}

/** {@link BackoffBounds} with the source of randomness of the jitter. */
export interface JitterBounds extends BackoffBounds {
  /** Numbers in [0, 1); `Math.random` unless a test or a caller injects another. */
  readonly random: () => number;
}

/**
 * The exponential delay before retry number `retry` (1 for the first):
 * `min(cap, base · 2^(retry-1))`. Deterministic; {@link fullJitterDelay} draws under it.
 * Used as is where one supervisor waits for one child (a crashed instance's restart:
 * 200, 400, 800 … ms up to the cap), where there is no crowd to spread.
 *
 * @example
 * ```ts
 * exponentialDelay(3, { baseMs: 200, capMs: 10_000 }); // 800
 * ```
 */
export function exponentialDelay(retry: number, bounds: BackoffBounds): number {
  return Math.min(bounds.capMs, bounds.baseMs * 2 ** Math.max(0, retry - 1));
}

/**
 * Full jitter: a uniformly random whole number of ms in
 * `[0, min(cap, base · 2^(retry-1)))`. `retry` is 1 for the first retry.
 *
 * @example
 * ```ts
 * fullJitterDelay(2, { baseMs: 100, capMs: 20_000, random: () => 0.5 }); // 100
 * ```
 */
export function fullJitterDelay(retry: number, bounds: JitterBounds): number {
  return Math.floor(bounds.random() * exponentialDelay(retry, bounds));
}
