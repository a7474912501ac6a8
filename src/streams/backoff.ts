/**
 * The two clocks of the polling engine, as pure functions: the adaptive interval
 * between successful polls (fast while things change, slower and slower while
 * idle) and the jittered backoff between failed ones.
 * @module
 */

/**
 * How a successful poll wants the next one to come:
 *
 * - `now`: at once (a page was cut, or the server holds requests itself); the idle interval is kept;
 * - `progress`: something changed; wait the floor and reset the idle interval to it;
 * - `idle`: nothing changed; wait the idle interval, then grow it toward the ceiling.
 */
export type Pace = 'now' | 'progress' | 'idle';

/** Bounds of the adaptive interval, in ms. */
export interface IntervalBounds {
  /** Shortest wait between two polls. */
  readonly floorMs: number;
  /** Longest wait between two polls. */
  readonly ceilingMs: number;
  /** Growth of the wait after each idle poll (≥ 1). */
  readonly factor: number;
}

/** The wait before the next poll and the idle interval to carry on with. */
export interface NextInterval {
  readonly delayMs: number;
  readonly intervalMs: number;
}

/**
 * The wait before the next poll, given the pace the last one asked for and the
 * current idle interval. With floor 1 s, ceiling 8 s, factor 2, a run of idle
 * polls waits 1, 2, 4, 8, 8, … s; one `progress` brings it back to 1 s.
 */
export function nextInterval(pace: Pace, intervalMs: number, bounds: IntervalBounds): NextInterval {
  const floor = Math.min(bounds.floorMs, bounds.ceilingMs);
  const current = Math.min(Math.max(intervalMs, floor), bounds.ceilingMs);
  switch (pace) {
    case 'now':
      return { delayMs: 0, intervalMs: current };
    case 'progress':
      return { delayMs: floor, intervalMs: floor };
    case 'idle':
      return {
        delayMs: current,
        intervalMs: Math.min(bounds.ceilingMs, current * Math.max(1, bounds.factor)),
      };
  }
}

/** Numbers of the backoff between failed polls, in ms. */
export interface RetryBounds {
  readonly baseMs: number;
  readonly capMs: number;
  /** Source of randomness in [0, 1). */
  readonly random: () => number;
}

/**
 * "Equal jitter": after the `failures`-th failure in a row (1 for the first), wait
 * `d/2 + random·d/2` where `d = min(cap, base·2^(failures-1))`. Half the wait is
 * fixed, so a crowd of clients never retries at once and never with no wait at all.
 */
export function retryDelay(failures: number, bounds: RetryBounds): number {
  const d = Math.min(bounds.capMs, bounds.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(d / 2 + bounds.random() * (d / 2));
}
