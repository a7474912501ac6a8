/**
 * Every running training job of a platform, followed: the job list read now and
 * then, and the latest readings (status, monitor values, resource samples) of
 * each running version, kept while it runs.
 * @module
 */
import {
  type Caller,
  isTerminalTrainStatus,
  listTrain,
  sourceFromSession,
  type TrainingReadings,
  trainingReadings,
  trainingWatch,
} from 'modelmaker';
import {
  catchError,
  EMPTY,
  exhaustMap,
  Observable,
  type SchedulerLike,
  type Subscription,
  timer,
} from 'rxjs';

/** Options of {@link runningJobs$}. */
export interface RunningJobsOptions {
  /** How often the job list is read, in ms. */
  readonly discoveryMs: number;
  /** Longest wait between two polls of a running version's streams, in ms. */
  readonly pollCeilingMs: number;
  /** Told about a failed job list read or a version that could not be followed (the feed goes on). */
  readonly warn: (message: string) => void;
  /** Timers. Default the async scheduler. */
  readonly scheduler?: SchedulerLike | undefined;
}

/**
 * The latest readings of every running version, by version id: emitted after
 * each change, a new map each time. A job counts as running when its latest
 * version (`latestVersionId` in the job list) has a status that is not terminal
 * (or the list does not say). A version is dropped once its streams end (the job
 * ended) or fail, and not followed again. Unsubscribing stops every poll.
 */
export function runningJobs$(
  session: Caller,
  options: RunningJobsOptions,
): Observable<ReadonlyMap<number, TrainingReadings>> {
  return new Observable((subscriber) => {
    const source = sourceFromSession(session);
    const current = new Map<number, TrainingReadings>();
    const followed = new Map<number, Subscription>();
    const ended = new Set<number>();
    const emit = () => subscriber.next(new Map(current));
    const drop = (versionId: number) => {
      ended.add(versionId);
      followed.delete(versionId);
      if (current.delete(versionId)) emit();
    };
    const follow = (versionId: number) => {
      const subscription = trainingReadings(
        trainingWatch(source, versionId, { ceilingMs: options.pollCeilingMs, scheduler: options.scheduler }),
      ).subscribe({
        next: (readings) => {
          current.set(versionId, readings);
          emit();
        },
        error: (error: unknown) => {
          options.warn(`stopped following training version ${versionId}: ${String(error)}`);
          drop(versionId);
        },
        complete: () => drop(versionId),
      });
      if (!ended.has(versionId)) followed.set(versionId, subscription);
    };
    const discovery = timer(0, options.discoveryMs, options.scheduler)
      .pipe(
        exhaustMap(() =>
          listTrain(session).pipe(
            catchError((error: unknown) => {
              options.warn(`could not list the training jobs: ${String(error)}`);
              return EMPTY;
            }),
          ),
        ),
      )
      .subscribe((list) => {
        for (const job of list.trainTasks) {
          const versionId = job.latestVersionId;
          if (versionId === undefined || followed.has(versionId) || ended.has(versionId)) continue;
          if (job.status !== undefined && isTerminalTrainStatus(job.status)) continue;
          follow(versionId);
        }
      });
    emit();
    return () => {
      discovery.unsubscribe();
      for (const subscription of followed.values()) subscription.unsubscribe();
      followed.clear();
    };
  });
}
