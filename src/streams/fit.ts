/**
 * `fit`: the seed's `Estimator.fit` as an Observable — upload a local code directory,
 * create the training job (or a new version of it), then follow it to its end as one
 * feed of tagged events.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  catchError,
  concat,
  connect,
  defer,
  EMPTY,
  filter,
  map,
  merge,
  Observable,
  type OperatorFunction,
  of,
  switchMap,
  tap,
  throwError,
} from 'rxjs';
import type { Session } from '../client/session.js';
import type { TransferEvent } from '../client/storage/events.js';
import type { UploadOptions } from '../client/storage/upload.js';
import { createTrainJob, getTrainVersion, listTrain, stopTrain } from '../client/training.js';
import { type TrainParams, toTrainCreate } from '../codecs/params/train.js';
import { TRAIN_WIRE_NAMES } from '../codecs/params/wireNames.js';
import type {
  LogLine,
  ResourceSample,
  TrainCreate,
  TrainStatus,
  TrainVersionDetail,
} from '../codecs/training.js';
import { DEFAULT_FIT_FAILURE_LOG_LINES } from '../defaults.js';
import { type HttpError, hasTag, ValidationError } from '../errors.js';
import { TrainingFailed } from './failures.js';
import { uploadCode } from './internal/codeUpload.js';
import { coordinate } from './internal/coordinated.js';
import { trainPreflight } from './internal/preflight.js';
import { RingBuffer } from './internal/ringBuffer.js';
import { seedTermsOnError } from './internal/seedTerms.js';
import { type LogGapEvent, type LogLineEvent, logs$ } from './logs.js';
import { type MetricSample, metrics$ } from './metrics.js';
import { metricsFromLogs } from './metricsFromLogs.js';
import type { PollOptions } from './poll.js';
import { resources$ } from './resources.js';
import { sourceFromSession } from './sessionSource.js';

/** A finished training version: what it was created with and its final detail. */
export interface TrainedJob {
  readonly jobId: number;
  readonly versionId: number;
  /** The body the version was created with (`codeUrl` set to where a local `codeDir` went). */
  readonly body: TrainCreate;
  /** The version's detail read with its final status (`FINISH`). */
  readonly detail: TrainVersionDetail;
}

/** Progress of the upload of a local `codeDir`, before the job is created. */
export interface FitUploadEvent {
  readonly type: 'upload';
  readonly event: TransferEvent;
}

/** The version exists (created now, or found by `attach`): from here on it runs on the platform. */
export interface FitCreatedEvent {
  readonly type: 'created';
  readonly jobId: number;
  readonly versionId: number;
  /** True when the version was not created but attached to (`attach` option). */
  readonly attached: boolean;
}

/** The version's status changed (each distinct status once; the last one is terminal). */
export interface FitStatusEvent {
  readonly type: 'status';
  readonly status: TrainStatus;
  readonly detail: TrainVersionDetail;
}

/**
 * A log line, once, in order: the same event `logs$` emits, `{ type: 'line', line }`
 * (and the CLI's NDJSON prints). Lines of the program come after the `TRAINING` status.
 */
export type FitLineEvent = LogLineEvent;

/**
 * @deprecated Renamed {@link FitLineEvent}; the event's `type` is `'line'` (it was
 * `'log'`), the shape of every log line event of the SDK and the CLI.
 */
export type FitLogEvent = FitLineEvent;

/** Log lines `from`..`to` are missing on the server: reported, never skipped silently. */
export type FitGapEvent = LogGapEvent;

/** A new metric value. */
export interface FitMetricEvent {
  readonly type: 'metric';
  readonly sample: MetricSample;
}

/** A new resource sample (cpu, memory, gpu of one instance). */
export interface FitResourceEvent {
  readonly type: 'resource';
  readonly sample: ResourceSample;
}

/** The version finished (`FINISH`) and every followed stream is drained: the last event. */
export interface FitCompletedEvent {
  readonly type: 'completed';
  readonly job: TrainedJob;
}

/** What {@link fit} emits. Switch on `type`. */
export type FitEvent =
  | FitUploadEvent
  | FitCreatedEvent
  | FitStatusEvent
  | FitLineEvent
  | FitGapEvent
  | FitMetricEvent
  | FitResourceEvent
  | FitCompletedEvent;

/** Options of {@link fit}, beside the polling engine's (which tune every followed stream). */
export interface FitOptions extends PollOptions {
  /**
   * Follow the job to its end (the seed's `wait`). Default true. False submits and
   * completes: `upload*` (a local `codeDir` only), then `created` — the last event, so
   * `await lastValueFrom(fit(…, { wait: false }))` is the created event.
   */
  readonly wait?: boolean | undefined;
  /** Include the log lines (the seed's `logs`). Default true. */
  readonly logs?: boolean | undefined;
  /**
   * Include metric values, for a job with `monitors` (without, there is nothing to
   * poll). Default true, which reads the performance monitor (`'monitor'`); `'logs'`
   * reads them from the log lines with the job's `monitors` instead (the log is then
   * followed even with `logs: false`), for a server without a performance monitor.
   * A monitor the server does not serve (404, an unknown shape) is dropped with a warning.
   */
  readonly metrics?: boolean | 'monitor' | 'logs' | undefined;
  /** Include resource samples. Default false (one per instance per second on the local platform). */
  readonly resources?: boolean | undefined;
  /**
   * Stop the version (`POST /v1/train/{versionId}/stop`, sent and not awaited) when the
   * subscriber leaves before it ended. Default false: leaving a watch does not kill a job.
   */
  readonly stopOnUnsubscribe?: boolean | undefined;
  /** Follow this existing version instead of creating one (it must belong to the job named `jobName`). */
  readonly attach?: number | undefined;
  /** First log id to deliver. Default 0 (every line). */
  readonly from?: number | undefined;
  /** Log page size, see `LogsOptions.limit`. */
  readonly limit?: number | undefined;
  /** Log long-poll wait in s, see `LogsOptions.waitSeconds`. */
  readonly waitSeconds?: number | undefined;
  /** Last log lines a `TrainingFailed` carries. Default {@link DEFAULT_FIT_FAILURE_LOG_LINES} (20). */
  readonly failureLogLines?: number | undefined;
  /** Options of the upload of a local `codeDir` (ignore patterns, concurrency…). */
  readonly upload?: UploadOptions | undefined;
  /**
   * Check before uploading and submitting what can be checked from here (default
   * true): `bootFile` is a file of a local `codeDir` that the upload takes along, the
   * bucket of `outputPath` exists, something is at `inputs`. A problem fails the feed
   * with a `ValidationError` naming the parameter before anything is uploaded or
   * created. The S3 checks (at most three requests) are best effort: a store that
   * refuses or does not answer in 5 s lets the job go on. False skips them.
   */
  readonly preflight?: boolean | undefined;
}

/** What `fit` needs of a session: the calls, the S3 access and default bucket (code upload), the logger. */
export type FitSession = Pick<Session, 'call' | 's3Access' | 'bucket' | 'logger'>;

/** What the subscription knows of the version, for `stopOnUnsubscribe`. */
interface Watch {
  versionId: number | undefined;
  /** The version reached a terminal status, or the feed ended: nothing to stop. */
  settled: boolean;
}

/**
 * Trains: validates `params` (a `ValidationError` before any request), checks what
 * can be checked from here (`preflight`: the boot file is in a local `codeDir`, the
 * output bucket exists, something is at `inputs` — a `ValidationError` naming the
 * parameter before anything is uploaded), uploads a
 * local `codeDir` into `s3://<bucket>/<timestamp>/<dirname>/` (its transfer events
 * appear as `upload` events), creates the job — or, when a job of that name exists
 * (errorCode 102009), a new version of it — and follows the version to its end:
 *
 * ```
 * upload* created status(DOWNLOAD_DATA) line* status(TRAINING) line* metric* … status(FINISH) completed|
 * ```
 *
 * The streams are merged as they come, with three promises: the `TRAINING` status
 * comes no later than the first line the program printed (a log page with lines, read
 * while the status is still before `TRAINING`, waits for one status read); metric
 * values come with the lines they were read from (each log page with lines wakes the
 * performance monitor's poller); and the terminal `status` comes after every line,
 * metric and resource sample, right before `completed` (carrying the
 * {@link TrainedJob}). A version that ends in `STARTING_FAIL`, `TRAINING_FAIL` or
 * `STOPPED` emits that status and then errors the feed with `TrainingFailed` (status,
 * reason, exit code, the program's own error and the last `failureLogLines` log
 * lines). Pipe `trained()` for the finished job alone.
 *
 * **`wait: false`** submits and stops following: the feed is `upload* created|` (the
 * upload events only with a local `codeDir`). Take the created event with
 * `lastValueFrom`, not `firstValueFrom`, which would return the first upload event.
 *
 * **One job per subscription.** The Observable is cold: nothing happens until it is
 * subscribed, and *each subscription creates a version*. To watch the logs and compose
 * on the same job, share one subscription — and subscribe every consumer before the
 * feed ends, since a `share()` whose source has completed starts over (a new job) for
 * a late subscriber:
 *
 * ```ts
 * const run$ = fit(session, params).pipe(share());
 * run$.pipe(filter((e) => e.type === 'line')).subscribe((e) => console.log(e.line.content));
 * const predictor = await lastValueFrom(run$.pipe(trained(), switchMap(toModel(session, { modelVersion: '1.0.0' })),
 *   switchMap(toService(session, { serviceName: 'iris', serviceModels: [{ weight: 100, resourceId: 3, instanceCount: 1 }] })),
 *   deployed()));
 * ```
 *
 * Unsubscribing stops every request (uploads and polls are aborted); the job goes on
 * running unless `stopOnUnsubscribe` is set. A job whose create request was aborted in
 * flight may still have been created: it is not stopped, its id being unknown.
 *
 * Fails with `ValidationError` (also when the platform refuses the body as invalid: its
 * wire field names are told as the parameters they came from, `frameworkId` as
 * `framework`, its `ApiError` the cause — see `codecs/params/wireNames.ts`),
 * `StorageError` (code upload), `TrainingFailed`, and the errors of the calls and polls
 * (`ApiError`, `HttpError`, `NetworkError`, `TimeoutError`, `AuthError`, `DecodeError`).
 *
 * @example
 * ```ts
 * fit(session, { jobName: 'iris', frameworkType: 'PRESET_ALGORITHM', algorithm: 500001, inputs: 's3://mm/iris.csv',
 *   outputPath: 's3://mm/out/', trainInstanceType: 1, trainInstanceCount: 1, volumeSize: 1 })
 *   .subscribe((e) => e.type === 'line' && console.log(e.line.content));
 * ```
 */
export function fit(
  session: FitSession,
  params: TrainParams,
  options: FitOptions = {},
): Observable<FitEvent> {
  return new Observable<FitEvent>((subscriber) => {
    const watch: Watch = { versionId: undefined, settled: false };
    const subscription = feed(session, params, options, watch).subscribe({
      next: (event) => subscriber.next(event),
      error: (error: unknown) => {
        watch.settled = true;
        subscriber.error(error);
      },
      complete: () => {
        watch.settled = true;
        subscriber.complete();
      },
    });
    return () => {
      subscription.unsubscribe();
      const versionId = watch.versionId;
      if (options.stopOnUnsubscribe === true && !watch.settled && versionId !== undefined) {
        session.logger.info(`stopping training version ${versionId} (stopOnUnsubscribe)`);
        stopTrain(session, versionId).subscribe({
          error: (error: unknown) =>
            session.logger.warn(`could not stop training version ${versionId}: ${String(error)}`),
        });
      }
    };
  });
}

function feed(
  session: FitSession,
  params: TrainParams,
  options: FitOptions,
  watch: Watch,
): Observable<FitEvent> {
  return defer(() => {
    const request = toTrainCreate(params);
    if (E.isLeft(request)) return throwError(() => request.left);
    const { body, localCodeDir } = request.right;
    // compiled now, so a bad expression fails before anything is created
    const monitors = body.monitors ?? [];
    const metricsFrom =
      options.metrics === false || monitors.length === 0
        ? 'none'
        : options.metrics === 'logs'
          ? 'logs'
          : 'monitor';
    const fromLogs = metricsFrom === 'logs' ? metricsFromLogs(monitors) : undefined;

    const started = (jobId: number, versionId: number, used: TrainCreate, attached: boolean) => {
      watch.versionId = versionId;
      const created: FitCreatedEvent = { type: 'created', jobId, versionId, attached };
      if (options.wait === false) return of<FitEvent>(created);
      return concat(
        of<FitEvent>(created),
        follow(
          session,
          { jobId, versionId, body: used },
          options,
          watch,
          fromLogs,
          metricsFrom === 'monitor',
        ),
      );
    };

    if (options.attach !== undefined) {
      const versionId = options.attach;
      return getTrainVersion(session, versionId).pipe(
        switchMap((detail) => {
          if (detail.name !== undefined && detail.name !== body.name) {
            throw new ValidationError([
              {
                field: 'attach',
                message: `training version ${versionId} belongs to job ${JSON.stringify(detail.name)}, not ${JSON.stringify(body.name)}`,
              },
            ]);
          }
          const used =
            localCodeDir !== undefined && detail.codeUrl !== undefined
              ? { ...body, codeUrl: detail.codeUrl }
              : body;
          const jobId$ =
            detail.jobId !== undefined ? of(detail.jobId) : jobIdByName(session, body.name, versionId);
          return jobId$.pipe(switchMap((jobId) => started(jobId, versionId, used, true)));
        }),
      );
    }

    const create = (used: TrainCreate): Observable<FitEvent> =>
      createTrainJob(session, used).pipe(
        seedTermsOnError(TRAIN_WIRE_NAMES),
        switchMap(({ id, versionId }) => {
          session.logger.info(`training job ${used.name} (${id}): version ${versionId} created`);
          return started(id, versionId, used, false);
        }),
      );
    const checked$: Observable<FitEvent> =
      options.preflight === false
        ? EMPTY
        : trainPreflight(
            session,
            { body, localCodeDir },
            { ignore: options.upload?.ignore, scheduler: options.scheduler },
          );
    if (localCodeDir === undefined) return concat(checked$, create(body));
    return concat(
      checked$,
      uploadCode(session, localCodeDir, { upload: options.upload, scheduler: options.scheduler }).pipe(
        switchMap((step) =>
          step.type === 'upload'
            ? of<FitEvent>({ type: 'upload', event: step.event })
            : create({ ...body, codeUrl: step.uri }),
        ),
      ),
    );
  });
}

/** The id of the job named `name` (a server whose version detail does not say). */
function jobIdByName(session: FitSession, name: string, versionId: number): Observable<number> {
  return listTrain(session).pipe(
    map((list) => {
      const job = list.trainTasks.find((candidate) => candidate.name === name);
      if (job === undefined) {
        throw new ValidationError([
          {
            field: 'attach',
            message: `no training job named ${JSON.stringify(name)} to attach version ${versionId} of`,
          },
        ]);
      }
      return job.id;
    }),
  );
}

/** HTTP statuses that say a monitor endpoint is not served. */
const UNSERVED_STATUSES: ReadonlySet<number> = new Set([404, 405, 501]);

/** A monitor the server does not serve (or serves in a shape we cannot read) ends that stream only. */
function optional<T>(session: FitSession, what: string, versionId: number): OperatorFunction<T, T> {
  return catchError((error: unknown) => {
    const unserved =
      hasTag(error, 'DecodeError') ||
      (hasTag(error, 'HttpError') && UNSERVED_STATUSES.has((error as HttpError).status));
    if (!unserved) return throwError(() => error);
    session.logger.warn(
      `the ${what} of training version ${versionId} is not available, going on without it`,
      {
        error: String(error),
      },
    );
    return EMPTY;
  });
}

/**
 * Follows a created version: its streams merged as they come, through one
 * {@link coordinate}d source (the status never lags the log, metrics are read as
 * lines come); then the terminal status, then `completed` or `TrainingFailed`.
 */
function follow(
  session: FitSession,
  job: { readonly jobId: number; readonly versionId: number; readonly body: TrainCreate },
  options: FitOptions,
  watch: Watch,
  fromLogs: OperatorFunction<LogLine, MetricSample> | undefined,
  monitor: boolean,
): Observable<FitEvent> {
  return defer(() => {
    const { jobId, versionId, body } = job;
    const { source, status$, activity$ } = coordinate(sourceFromSession(session), versionId, options);
    const tail = new RingBuffer<LogLine>(options.failureLogLines ?? DEFAULT_FIT_FAILURE_LOG_LINES);
    let final: TrainVersionDetail | undefined;

    // the terminal status is held back until every other stream is drained (below)
    const statuses = status$.pipe(
      filter((change) => {
        if (!change.terminal) return true;
        final = change.detail;
        watch.settled = true;
        return false;
      }),
      map((change): FitEvent => ({ type: 'status', status: change.status, detail: change.detail })),
    );

    const wantLogs = options.logs !== false;
    const logs =
      !wantLogs && fromLogs === undefined
        ? EMPTY
        : logs$(source, versionId, options).pipe(
            tap((event) => {
              if (event.type === 'line') tail.push(event.line);
            }),
            connect((events) =>
              merge(
                wantLogs ? events : EMPTY,
                fromLogs === undefined
                  ? EMPTY
                  : events.pipe(
                      filter((event): event is LogLineEvent => event.type === 'line'),
                      map((event) => event.line),
                      fromLogs,
                      map((sample): FitEvent => ({ type: 'metric', sample })),
                    ),
              ),
            ),
          );

    const metrics = monitor
      ? metrics$(source, versionId, { ...options, wake: activity$ }).pipe(
          map((sample): FitEvent => ({ type: 'metric', sample })),
          optional(session, 'performance monitor', versionId),
        )
      : EMPTY;
    const resources =
      options.resources === true
        ? resources$(source, versionId, options).pipe(
            map((sample): FitEvent => ({ type: 'resource', sample })),
            optional(session, 'resource monitor', versionId),
          )
        : EMPTY;

    return concat(
      merge(statuses, logs, metrics, resources),
      defer(() => {
        // status$ completes only after a terminal status, which sets `final`
        const detail = final!;
        const ended = of<FitEvent>({ type: 'status', status: detail.status, detail });
        if (detail.status === 'FINISH') {
          return concat(ended, of<FitEvent>({ type: 'completed', job: { jobId, versionId, body, detail } }));
        }
        return concat(
          ended,
          throwError(() => new TrainingFailed({ jobId, versionId, detail, lastLines: tail.toArray() })),
        );
      }),
    );
  });
}
