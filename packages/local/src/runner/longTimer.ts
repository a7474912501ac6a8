/**
 * A timer for delays longer than JavaScript timers keep. `setTimeout` (and so RxJS's
 * `timer` on the async scheduler) holds at most {@link MAX_TIMER_DELAY_MS}: a longer
 * delay is turned into 1 ms with a `TimeoutOverflowWarning`, so a `maxRuntime` of
 * 2,147,484 s (≈ 24.9 days) or more ended a run at once. {@link longTimer} waits in
 * steps of at most that long, each measured from the scheduler's clock, so it fires
 * once, after the whole delay, however long.
 * @module
 */
import { asyncScheduler, concatMap, defer, type Observable, type SchedulerLike, timer } from 'rxjs';

/** Longest delay a JavaScript timer keeps: 2^31 − 1 ms (≈ 24.8 days). */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * Emits `0` once `delayMs` have passed on `scheduler`'s clock, then completes —
 * for any delay (see the module doc). Unsubscribing cancels the pending step.
 *
 * @example
 * ```ts
 * // 30 days: three steps of at most ~24.8 days each would be two here.
 * longTimer(30 * 24 * 3600 * 1000).subscribe(() => console.log('a month later'));
 * ```
 */
export function longTimer(delayMs: number, scheduler: SchedulerLike = asyncScheduler): Observable<0> {
  return defer(() => {
    const due = scheduler.now() + Math.max(0, delayMs);
    const step = (): Observable<0> => {
      const left = Math.max(0, due - scheduler.now());
      return left <= MAX_TIMER_DELAY_MS
        ? timer(left, scheduler)
        : timer(MAX_TIMER_DELAY_MS, scheduler).pipe(concatMap(step));
    };
    return step();
  });
}
