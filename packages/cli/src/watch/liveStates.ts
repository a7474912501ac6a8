/**
 * When the live view of `jobs watch` redraws: the state after each event, throttled,
 * plus a clock tick so the elapsed time moves while nothing happens. Time comes from
 * the scheduler given (marble-testable).
 * @module
 */
import {
  asyncScheduler,
  endWith,
  ignoreElements,
  map,
  merge,
  type Observable,
  type SchedulerLike,
  scan,
  share,
  takeUntil,
  throttleTime,
  timer,
} from 'rxjs';
import { WATCH_REDRAW_MS, WATCH_TICK_MS } from '../defaults.js';
import type { WatchEvent } from './events.js';
import { initialState, reduce, type WatchState } from './state.js';

/**
 * The frames of the live view: the state after each event, drawn at most every
 * {@link WATCH_REDRAW_MS} (the first at once, then the latest state of each window)
 * and every {@link WATCH_TICK_MS} so the elapsed time moves; the final state is always
 * emitted, and the stream completes with `events`. Unsubscribing stops the ticks and
 * unsubscribes from `events`.
 *
 * ```
 * events:     a-b-c-----------|          (ms apart; redraw 100, tick 1000)
 * liveStates: S(a)---S(c)-----S(c)…S|     first at once, then the latest per window
 * ```
 */
export function liveStates(
  events: Observable<WatchEvent>,
  versionId: number,
  scheduler: SchedulerLike = asyncScheduler,
): Observable<WatchState> {
  const shared = events.pipe(share());
  const ended = shared.pipe(ignoreElements(), endWith(true));
  const ticks = timer(0, WATCH_TICK_MS, scheduler).pipe(
    takeUntil(ended),
    map(() => undefined),
  );
  return merge(shared, ticks).pipe(
    scan(
      (state: WatchState, event: WatchEvent | undefined) =>
        event === undefined ? state : reduce(state, event),
      initialState(versionId),
    ),
    throttleTime(WATCH_REDRAW_MS, scheduler, { leading: true, trailing: true }),
  );
}
