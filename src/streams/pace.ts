/**
 * The pace of the polling engine between successful polls, as a pure function: fast
 * while things change, slower and slower while idle. (The waits between failed polls
 * are the I/O kernel's: see `retryWithPolicy`.)
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
