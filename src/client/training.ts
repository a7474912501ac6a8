/**
 * Row functions of training jobs, and {@link createTrainJob}, which creates a job or,
 * when one with that name exists (errorCode 102009), a new version of it.
 *
 * Each returns a cold Observable of one decoded value. Subscribing to a create
 * function creates a job on the platform each time: share the result
 * (`share()` / `shareReplay({ bufferSize: 1, refCount: false })`) rather than
 * subscribing twice.
 * @module
 */
import { catchError, type Observable, switchMap, throwError } from 'rxjs';
import type { Ack } from '../codecs/common.js';
import { endpoints } from '../codecs/endpoints.js';
import { ERROR_CODES } from '../codecs/errorBody.js';
import type {
  LogPage,
  LogQuery,
  PerformanceMonitor,
  ResourceMonitor,
  TrainCreate,
  TrainCreated,
  TrainJobDetail,
  TrainJobList,
  TrainOutput,
  TrainVersionDetail,
} from '../codecs/training.js';
import { type ApiError, hasTag } from '../errors.js';
import type { Caller, CallOptions } from './endpointCall.js';
import { checkedLogPages } from './logPages.js';

const MS_PER_SECOND = 1000;

/** `POST /v1/train`: a new job and its first version. Fails with `ApiError` 102009 when the name exists. */
export function createTrain(
  session: Caller,
  body: TrainCreate,
  options?: CallOptions,
): Observable<TrainCreated> {
  return session.call(endpoints.createTrain, { body }, options);
}

/** `POST /v1/train/{jobId}/version`: a new version of job `jobId`. */
export function createTrainVersion(
  session: Caller,
  jobId: number,
  body: TrainCreate,
  options?: CallOptions,
): Observable<TrainCreated> {
  return session.call(endpoints.createTrainVersion, { params: { jobId }, body }, options);
}

/** `GET /v1/train`: `{ trainTasks }`, every job. */
export function listTrain(session: Caller, options?: CallOptions): Observable<TrainJobList> {
  return session.call(endpoints.listTrain, {}, options);
}

/** `GET /v1/train/{jobId}`: a job with its versions. */
export function getTrain(session: Caller, jobId: number, options?: CallOptions): Observable<TrainJobDetail> {
  return session.call(endpoints.getTrain, { params: { jobId } }, options);
}

/** `GET /v1/train/version/{versionId}`: a version's status and detail. */
export function getTrainVersion(
  session: Caller,
  versionId: number,
  options?: CallOptions,
): Observable<TrainVersionDetail> {
  return session.call(endpoints.getTrainVersion, { params: { versionId } }, options);
}

/**
 * `GET /v1/train/version/{versionId}/log?lastId=…`: log lines with `id >= lastId`.
 * With `wait` (seconds, extension) the server may hold the request until a line
 * exists; the per-attempt timeout and the deadline are extended by that much.
 * Lines come sorted by `id` whatever order the server sent; a cut page that cannot
 * move the cursor fails with `PagingError` (see `checkLogPage`). A page larger than
 * the session's `maxLogPageBytes` fails with `ResponseTooLarge`.
 */
export function getTrainLog(
  session: Caller,
  versionId: number,
  query: LogQuery,
  options?: CallOptions,
): Observable<LogPage> {
  return session
    .call(endpoints.getTrainLog, { params: { versionId }, query }, withHold(query, options))
    .pipe(checkedLogPages(query, { method: 'GET', url: `/v1/train/version/${versionId}/log` }));
}

/** `GET /v1/train/version/{versionId}/resource-monitor`: resource samples. */
export function getTrainResourceMonitor(
  session: Caller,
  versionId: number,
  options?: CallOptions,
): Observable<ResourceMonitor> {
  return session.call(endpoints.getTrainResourceMonitor, { params: { versionId } }, options);
}

/** `GET /v1/train/version/{versionId}/performance-monitor`: metric series. */
export function getTrainPerformanceMonitor(
  session: Caller,
  versionId: number,
  options?: CallOptions,
): Observable<PerformanceMonitor> {
  return session.call(endpoints.getTrainPerformanceMonitor, { params: { versionId } }, options);
}

/** `GET /v1/train/version/{versionId}/output`: output location and files. */
export function getTrainOutput(
  session: Caller,
  versionId: number,
  options?: CallOptions,
): Observable<TrainOutput> {
  return session.call(endpoints.getTrainOutput, { params: { versionId } }, options);
}

/** `POST /v1/train/{versionId}/stop` with `{}`: stops a VERSION (idempotent, so retried like a GET). */
export function stopTrain(session: Caller, versionId: number, options?: CallOptions): Observable<Ack> {
  return session.call(endpoints.stopTrain, { params: { versionId }, body: {} }, options);
}

/** `DELETE /v1/train/version/{versionId}`: one version. */
export function deleteTrainVersion(
  session: Caller,
  versionId: number,
  options?: CallOptions,
): Observable<Ack> {
  return session.call(endpoints.deleteTrainVersion, { params: { versionId } }, options);
}

/** `DELETE /v1/train/{jobId}`: a job and all its versions. */
export function deleteTrain(session: Caller, jobId: number, options?: CallOptions): Observable<Ack> {
  return session.call(endpoints.deleteTrain, { params: { jobId } }, options);
}

/**
 * Creates a training job, or a new version of the job with the same `name`: `POST
 * /v1/train`; on errorCode 102009 the job is looked up by name (`GET /v1/train`) and
 * `POST /v1/train/{jobId}/version` is sent with the same body. Emits `{ id, versionId }`.
 * Subscribing creates a version each time.
 *
 * Errors: those of the calls; the original `ApiError` 102009 when no job of that name
 * is listed (deleted meanwhile).
 */
export function createTrainJob(
  session: Caller,
  body: TrainCreate,
  options?: CallOptions,
): Observable<TrainCreated> {
  return createTrain(session, body, options).pipe(
    catchError((error: unknown) => {
      if (!isErrorCode(error, ERROR_CODES.JOB_EXISTS)) return throwError(() => error);
      return listTrain(session, options).pipe(
        switchMap((list) => {
          const job = list.trainTasks.find((candidate) => candidate.name === body.name);
          return job === undefined
            ? throwError(() => error)
            : createTrainVersion(session, job.id, body, options);
        }),
      );
    }),
  );
}

/** True for an `ApiError` with the given code. */
export function isErrorCode(error: unknown, code: number): error is ApiError {
  return hasTag(error, 'ApiError') && (error as ApiError).errorCode === code;
}

/** The options with `serverHoldMs` set from a long-poll query's `wait` (seconds), unless the caller set it. */
export function withHold(
  query: { readonly wait?: number | undefined },
  options?: CallOptions,
): CallOptions | undefined {
  if (query.wait === undefined || options?.serverHoldMs !== undefined) return options;
  return { ...options, serverHoldMs: query.wait * MS_PER_SECOND };
}
