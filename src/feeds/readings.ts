/**
 * The latest readings of a training version — status, each monitor's last value,
 * each instance's last resource sample — as a stream of snapshots: what gauges
 * (OpenTelemetry, Prometheus) report at collection time.
 * @module
 */
import {
  catchError,
  EMPTY,
  map,
  merge,
  type Observable,
  type OperatorFunction,
  scan,
  throwError,
} from 'rxjs';
import type { ResourceSample, TrainStatus } from '../codecs/training.js';
import { type HttpError, hasTag } from '../errors.js';
import type { MetricSample } from '../streams/metrics.js';
import type { TrainingWatch } from '../streams/share.js';

/** The streams of a version that readings are made from (a `trainingWatch` has them). */
export type TrainingStreams = Pick<TrainingWatch, 'versionId' | 'status$' | 'metrics$' | 'resources$'>;

/** What is known of a version at one moment. Immutable: each change makes a new snapshot. */
export interface TrainingReadings {
  readonly versionId: number;
  /** The job of the version, when its detail says (`jobId`). */
  readonly jobId?: number | undefined;
  /** The job's name, when its detail says (`name`). */
  readonly jobName?: string | undefined;
  /** The latest status, once read. */
  readonly status?: TrainStatus | undefined;
  /** True once the status is terminal. */
  readonly terminal: boolean;
  /** The last value of each monitor, by monitor name. */
  readonly metrics: ReadonlyMap<string, MetricSample>;
  /** The last resource sample of each training instance, by instance (0-based). */
  readonly resources: ReadonlyMap<number, ResourceSample>;
}

/** HTTP statuses that say a monitor endpoint is not served. */
const UNSERVED_STATUSES: ReadonlySet<number> = new Set([404, 405, 501]);

type Change =
  | {
      readonly kind: 'status';
      readonly status: TrainStatus;
      readonly terminal: boolean;
      jobId?: number;
      jobName?: string;
    }
  | { readonly kind: 'metric'; readonly sample: MetricSample }
  | { readonly kind: 'resource'; readonly sample: ResourceSample };

/**
 * A new {@link TrainingReadings} after each status change, metric value and
 * resource sample; completes when the three streams have (after the job ends).
 * A monitor the server does not serve (HTTP 404, 405, 501) ends that stream
 * only. Memory: one value per monitor and one sample per instance.
 *
 * ```
 * status$:    --T-----------F|
 * metrics$:   -----a1--a2------|
 * readings:   --r--r---r----r--|     r: { status, metrics: { a: last } , … }
 * ```
 */
export function trainingReadings(streams: TrainingStreams): Observable<TrainingReadings> {
  const initial: TrainingReadings = {
    versionId: streams.versionId,
    terminal: false,
    metrics: new Map(),
    resources: new Map(),
  };
  return merge(
    streams.status$.pipe(
      map(
        (change): Change => ({
          kind: 'status',
          status: change.status,
          terminal: change.terminal,
          jobId: change.detail.jobId,
          jobName: change.detail.name,
        }),
      ),
    ),
    streams.metrics$.pipe(
      unservedEnds(),
      map((sample): Change => ({ kind: 'metric', sample })),
    ),
    streams.resources$.pipe(
      unservedEnds(),
      map((sample): Change => ({ kind: 'resource', sample })),
    ),
  ).pipe(scan(apply, initial));
}

function apply(readings: TrainingReadings, change: Change): TrainingReadings {
  switch (change.kind) {
    case 'status':
      return {
        ...readings,
        status: change.status,
        terminal: change.terminal,
        jobId: change.jobId ?? readings.jobId,
        jobName: change.jobName ?? readings.jobName,
      };
    case 'metric':
      return { ...readings, metrics: new Map(readings.metrics).set(change.sample.name, change.sample) };
    case 'resource':
      return {
        ...readings,
        resources: new Map(readings.resources).set(change.sample.instance, change.sample),
      };
  }
}

function unservedEnds<T>(): OperatorFunction<T, T> {
  return catchError((error: unknown) =>
    hasTag(error, 'HttpError') && UNSERVED_STATUSES.has((error as HttpError).status)
      ? EMPTY
      : throwError(() => error),
  );
}
