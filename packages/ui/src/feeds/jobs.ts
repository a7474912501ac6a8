/**
 * The job list as the dashboard shows it: every job with its latest version's
 * status, times and reason, kept live.
 * @module
 */
import {
  type Caller,
  getTrainVersion,
  listTrain,
  type PollOptions,
  type TrainJobSummary,
  type TrainVersionDetail,
} from 'modelmaker';
import { catchError, defer, from, map, mergeMap, type Observable, of, toArray } from 'rxjs';
import { DEFAULT_DETAIL_CONCURRENCY } from '../defaults.js';
import { snapshots } from './snapshots.js';

/** One row of the job list: the job, and what its latest version's detail says about the run. */
export interface JobRow extends TrainJobSummary {
  readonly startedAt?: string | number | undefined;
  readonly finishedAt?: string | number | undefined;
  /** Why the latest version failed or stopped, as the platform words it. */
  readonly reason?: string | undefined;
  readonly exitCode?: number | undefined;
}

/** A version's detail as read for a row, with the status it was read at. */
interface Known {
  readonly status: string | undefined;
  readonly detail: TrainVersionDetail | undefined;
}

/** Options of {@link jobRows}: the polling engine's, and how many version details are read at once. */
export interface JobRowsOptions extends PollOptions {
  readonly concurrency?: number | undefined;
}

/**
 * The job list, live: `GET /v1/train` polled (see {@link snapshots}), each job
 * joined with the detail of its latest version (start and end times, reason,
 * exit code). A detail is read again only when that version's status changes, so
 * fifty idle jobs cost one list request per poll. A detail that cannot be read
 * leaves its row without those fields (the list itself still shows).
 */
export function jobRows(session: Caller, options: JobRowsOptions = {}): Observable<JobRow[]> {
  return defer(() => {
    const known = new Map<number, Known>();
    const concurrency = options.concurrency ?? DEFAULT_DETAIL_CONCURRENCY;

    const detailOf = (job: TrainJobSummary): Observable<Known | undefined> => {
      const versionId = job.latestVersionId;
      if (versionId === undefined) return of(undefined);
      const cached = known.get(versionId);
      if (cached !== undefined && cached.status === job.status) return of(cached);
      return getTrainVersion(session, versionId).pipe(
        map((detail): Known => {
          const fresh = { status: job.status, detail };
          known.set(versionId, fresh);
          return fresh;
        }),
        catchError(() => of(cached)),
      );
    };

    const read = () =>
      listTrain(session).pipe(
        mergeMap(({ trainTasks }) =>
          from(trainTasks).pipe(
            mergeMap((job) => detailOf(job).pipe(map((found) => toRow(job, found?.detail))), concurrency),
            toArray(),
            map((rows) => {
              const listed = new Set(trainTasks.map((job) => job.latestVersionId));
              for (const versionId of known.keys()) if (!listed.has(versionId)) known.delete(versionId);
              return rows.sort((a, b) => b.id - a.id);
            }),
          ),
        ),
      );
    return snapshots(read, options);
  });
}

function toRow(job: TrainJobSummary, detail: TrainVersionDetail | undefined): JobRow {
  if (detail === undefined) return job;
  return {
    ...job,
    status: job.status ?? detail.status,
    startedAt: detail.startedAt,
    finishedAt: detail.finishedAt,
    reason: detail.reason,
    exitCode: detail.exitCode,
  };
}
