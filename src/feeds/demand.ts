/**
 * Backpressure for the SDK's polled streams: a consumer's demand, which a feed
 * bridge sets and a source waits for before it sends its next request.
 * @module
 */
import { BehaviorSubject, filter, map, type Observable, switchMap, take } from 'rxjs';
import type { TrainingSource } from '../streams/source.js';

/**
 * Whether a consumer wants more values. A feed bridge (`toAsyncIterable`,
 * `toReadableStream`) given a `Demand` pauses it when its buffer reaches the
 * high-water mark and resumes it as the consumer reads; a source wrapped with
 * {@link withDemand} holds each request while it is paused. So a slow reader
 * slows the polling itself: nothing piles up behind it.
 */
export interface Demand {
  /** True while the consumer wants more (the initial state). */
  readonly wanted: boolean;
  /** Emits once and completes as soon as the consumer wants more (at once if it does now). */
  whenWanted(): Observable<void>;
  /** The consumer is full: held requests wait. */
  pause(): void;
  /** The consumer has room again: held requests go. */
  resume(): void;
}

/**
 * A new {@link Demand}, wanting values until paused.
 *
 * @example
 * ```ts
 * const demand = createDemand();
 * const source = withDemand(sourceFromSession(session), demand);
 * for await (const event of toAsyncIterable(logs$(source, versionId), { demand })) {
 *   await slowWork(event); // the next page is asked only when the buffer has room
 * }
 * ```
 */
export function createDemand(): Demand {
  const wanted = new BehaviorSubject(true);
  const gate = wanted.pipe(
    filter(Boolean),
    take(1),
    map((): void => undefined),
  );
  return {
    get wanted() {
      return wanted.value;
    },
    whenWanted: () => gate,
    pause: () => {
      if (wanted.value) wanted.next(false);
    },
    resume: () => {
      if (!wanted.value) wanted.next(true);
    },
  };
}

/**
 * `source`, with each read held until `demand` wants values: the request is sent
 * (subscribed) only then. A read already sent when the demand pauses completes
 * and delivers its answer (at most one page beyond the high-water mark).
 * Unsubscribing a held read sends nothing. Every stream built on the returned
 * source (`logs$`, `metrics$`, `status$`, `resources$`, `trainingWatch`) follows
 * the consumer's pace.
 *
 * A held log read counts toward the long-poll detection of `logs$` as time the
 * server held it; at worst that sends one request early after a pause.
 */
export function withDemand(source: TrainingSource, demand: Demand): TrainingSource {
  const held = <T>(read: () => Observable<T>): Observable<T> => demand.whenWanted().pipe(switchMap(read));
  return {
    version: (versionId) => held(() => source.version(versionId)),
    logPage: (versionId, request) => held(() => source.logPage(versionId, request)),
    performance: (versionId) => held(() => source.performance(versionId)),
    resources: (versionId) => held(() => source.resources(versionId)),
  };
}
