/**
 * One poller per (source, version) however many subscribers watch it.
 * @module
 */

import { defer, finalize, type Observable, ReplaySubject, share } from 'rxjs';
import type { ResourceSample } from '../codecs/training.js';
import { coordinate } from './internal/coordinated.js';
import { type LogEvent, logs$ } from './logs.js';
import { type MetricSample, metrics$ } from './metrics.js';
import type { PollOptions } from './poll.js';
import { resources$ } from './resources.js';
import type { TrainingSource } from './source.js';
import type { StatusChange } from './status.js';

/** Options of {@link trainingWatch}: the polling engine's, plus the log page size and long-poll wait. */
export interface TrainingWatchOptions extends PollOptions {
  /** See `LogsOptions.limit`. */
  readonly limit?: number | undefined;
  /** See `LogsOptions.waitSeconds`. */
  readonly waitSeconds?: number | undefined;
}

/**
 * The streams of one training version, each shared: however many subscribers,
 * one poller per stream, started by the first subscriber and stopped when the
 * last one leaves (`share({ resetOnRefCountZero: true })`).
 *
 * - `status$` replays the latest change to a late subscriber (a
 *   `ReplaySubject(1)` connector), so it learns the current status at once.
 * - `logs$`, `metrics$`, `resources$`: the first subscriber starts the poller
 *   (the log from id 0: every line); while it runs, a later subscriber sees
 *   what comes after it joins. For a log from the start (or from an id) of its
 *   own, call `logs$(source, versionId, { from })` directly.
 * - After the version ends, each stream stays completed: a new subscriber gets
 *   the completion (and `status$` the terminal status first).
 * - The streams read through one coordinated source: every status read (the
 *   log's and the monitors' included) feeds `status$`, so `TRAINING` comes no
 *   later than the first line the program printed; and each log page with lines
 *   wakes `metrics$`, so values come with their lines rather than at the
 *   poller's idle pace.
 */
export interface TrainingWatch {
  readonly versionId: number;
  readonly status$: Observable<StatusChange>;
  readonly logs$: Observable<LogEvent>;
  readonly metrics$: Observable<MetricSample>;
  readonly resources$: Observable<ResourceSample>;
}

interface Entry {
  readonly watch: TrainingWatch;
  refs: number;
}

const watches = new WeakMap<TrainingSource, Map<number, Entry>>();

/**
 * The shared {@link TrainingWatch} of `versionId` on `source`: calls with the
 * same source object and version id return the same watch while any of its
 * streams has a subscriber, so five `trainingWatch(s, 7).logs$` subscribers
 * cause one request per poll tick, not five. The `options` of the call that
 * creates the watch apply; the watch is forgotten (and a later call makes a
 * new one with its own options) once no stream of it has a subscriber.
 * The cache holds sources weakly.
 *
 * @example
 * ```ts
 * const watch = trainingWatch(source, versionId);
 * watch.logs$.pipe(lines()).subscribe(print);
 * watch.status$.subscribe(showStatus); // same pollers for every other subscriber too
 * ```
 */
export function trainingWatch(
  source: TrainingSource,
  versionId: number,
  options: TrainingWatchOptions = {},
): TrainingWatch {
  let byVersion = watches.get(source);
  if (byVersion === undefined) {
    byVersion = new Map();
    watches.set(source, byVersion);
  }
  const found = byVersion.get(versionId);
  if (found !== undefined) return found.watch;

  const versions = byVersion;
  const counted = <T>(stream: Observable<T>): Observable<T> =>
    defer(() => {
      entry.refs++;
      // a watch kept by its holder past a forget comes back into the cache
      if (!versions.has(versionId)) versions.set(versionId, entry);
      return stream.pipe(
        finalize(() => {
          entry.refs--;
          if (entry.refs === 0 && versions.get(versionId) === entry) versions.delete(versionId);
        }),
      );
    });
  const shared = <T>(stream: Observable<T>): Observable<T> =>
    counted(stream.pipe(share({ resetOnError: true, resetOnComplete: false, resetOnRefCountZero: true })));

  const coordinated = coordinate(source, versionId, options);
  const entry: Entry = {
    refs: 0,
    watch: {
      versionId,
      status$: counted(
        coordinated.status$.pipe(
          share({
            connector: () => new ReplaySubject<StatusChange>(1),
            resetOnError: true,
            resetOnComplete: false,
            resetOnRefCountZero: true,
          }),
        ),
      ),
      logs$: shared(logs$(coordinated.source, versionId, options)),
      metrics$: shared(metrics$(coordinated.source, versionId, { ...options, wake: coordinated.activity$ })),
      resources$: shared(resources$(coordinated.source, versionId, options)),
    },
  };
  byVersion.set(versionId, entry);
  return entry.watch;
}
