/**
 * A training version's metrics (performance monitor) as a stream of new points.
 * @module
 */
import { map, type Observable } from 'rxjs';
import type { Timestamp } from '../codecs/common.js';
import type { PerformanceMonitor } from '../codecs/training.js';
import { freshSince, type Mark } from './internal/highWater.js';
import { untilTerminal } from './internal/untilTerminal.js';
import type { PollOptions } from './poll.js';
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

/** Options of {@link metrics$}: the polling engine's. */
export type MetricsOptions = PollOptions;

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
 * Cold: each subscription polls on its own; see `trainingWatch` to share.
 */
export function metrics$(
  source: TrainingSource,
  versionId: number,
  options: MetricsOptions = {},
): Observable<MetricSample> {
  return untilTerminal<Marks, MetricSample>(
    source,
    versionId,
    new Map(),
    (marks) => source.performance(versionId).pipe(map((monitor) => newPoints(monitor, marks))),
    options,
  );
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
