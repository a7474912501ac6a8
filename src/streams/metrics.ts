/**
 * A training version's metrics (performance monitor) as a stream of new points.
 * @module
 */
import {
  concat,
  defer,
  filter,
  finalize,
  map,
  merge,
  type Observable,
  observeOn,
  of,
  Subject,
  startWith,
  switchMap,
  takeWhile,
  tap,
} from 'rxjs';
import type { Timestamp } from '../codecs/common.js';
import type { PerformanceMonitor } from '../codecs/training.js';
import { freshSince, type Mark } from './internal/highWater.js';
import { untilTerminal } from './internal/untilTerminal.js';
import { type PollOptions, resolvePollOptions } from './poll.js';
import type { TrainingSource } from './source.js';

/**
 * One value of one metric. From the performance monitor: `time` and, when the
 * server sends it, `step`. From `metricsFromLogs`: the line's `time` (when it
 * has one) and `lineId`, the id of the line the value was read from.
 */
export interface MetricSample {
  readonly name: string;
  readonly value: number;
  readonly time?: Timestamp | undefined;
  readonly step?: number | undefined;
  readonly lineId?: number | undefined;
}

/** Options of {@link metrics$}: the polling engine's, and what wakes it. */
export interface MetricsOptions extends PollOptions {
  /**
   * Each emission asks for a read at once — the wait before the next poll is cut
   * short; during a read, one more follows it. Give it what signals new values, e.g.
   * new log lines for a server whose monitors read the log: the values then come with
   * their lines instead of at the poller's idle pace. Default: none.
   */
  readonly wake?: Observable<unknown> | undefined;
}

type Marks = ReadonlyMap<string, Mark>;

/**
 * Emits each new point of the version's performance monitor once, in the
 * server's order, and completes after the job ends (one last read after the
 * terminal status, so the final points are not lost).
 *
 * A point is new when its key — `step` when it has one, else `time` — is above
 * the highest key seen for that metric (or equal to it, beyond the points
 * already seen with that key). Only that high-water mark is kept per metric, so
 * memory does not grow with the job; the price is that a point arriving late
 * with a key below the mark is not emitted.
 *
 * ```
 * monitor: {loss:[1,2]}  {loss:[1,2]}  {loss:[1,2,3]}  (FINISH)  {loss:[1,2,3,4]}
 * metrics$: l1 l2                       l3                        l4|
 * ```
 *
 * With `wake`, each of its emissions starts a read at once (after the one in flight,
 * if any), and the loop carries on from there.
 *
 * Cold: each subscription polls on its own; see `trainingWatch` to share.
 */
export function metrics$(
  source: TrainingSource,
  versionId: number,
  options: MetricsOptions = {},
): Observable<MetricSample> {
  const { wake, ...pollOptions } = options;
  const read = (marks: Marks) =>
    source.performance(versionId).pipe(map((monitor) => newPoints(monitor, marks)));
  if (wake === undefined)
    return untilTerminal<Marks, MetricSample>(source, versionId, new Map(), read, pollOptions);
  return woken(source, versionId, read, pollOptions, wake);
}

/** The end of one run of the loop (it completed: the job is over and the last read done). */
const ENDED = Symbol('ended');

/**
 * `untilTerminal` restarted by `wake`: a restart cuts the wait of the running loop and
 * starts a new one from the marks reached so far (so nothing is emitted twice); a wake
 * during a read restarts right after it, so a read in flight is never thrown away.
 */
function woken(
  source: TrainingSource,
  versionId: number,
  read: (marks: Marks) => Observable<{ state: Marks; emit: MetricSample[] }>,
  options: PollOptions,
  wake: Observable<unknown>,
): Observable<MetricSample> {
  const { zeroScheduler } = resolvePollOptions(options);
  return defer(() => {
    let marks: Marks = new Map();
    let reading = false;
    let missed = false;
    const readEnded = new Subject<void>();
    const tracked = (from: Marks) =>
      defer(() => {
        reading = true;
        missed = false;
        return read(from).pipe(
          tap((step) => {
            marks = step.state;
          }),
          finalize(() => {
            reading = false;
            if (missed) readEnded.next();
          }),
        );
      });
    const restarts = merge(
      wake.pipe(
        filter(() => {
          if (reading) missed = true;
          return !reading;
        }),
      ),
      readEnded,
    ).pipe(observeOn(zeroScheduler));
    return restarts.pipe(
      startWith(undefined),
      switchMap(() =>
        concat(untilTerminal<Marks, MetricSample>(source, versionId, marks, tracked, options), of(ENDED)),
      ),
      takeWhile((value): value is MetricSample => value !== ENDED),
    );
  });
}

function newPoints(monitor: PerformanceMonitor, marks: Marks): { state: Marks; emit: MetricSample[] } {
  const next = new Map(marks);
  const emit: MetricSample[] = [];
  for (const series of monitor.metrics) {
    const { fresh, mark } = freshSince(series.points, next.get(series.name), (p) => p.step ?? p.time);
    if (mark !== undefined) next.set(series.name, mark);
    for (const p of fresh) emit.push({ name: series.name, value: p.value, time: p.time, step: p.step });
  }
  return { state: next, emit };
}
