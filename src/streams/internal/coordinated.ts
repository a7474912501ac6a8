/**
 * The reads of one training version, made to agree with each other: every version read
 * (the status poller's, the log's and the monitors' end-of-job checks) feeds one status,
 * a log page with lines is delivered only after the status it was written under is
 * known, and each such page wakes the metrics. `fit` and `trainingWatch` follow a
 * version through it, so the status never lags the log and metrics come with the lines
 * they were read from.
 * @module
 */
import {
  catchError,
  concatMap,
  defer,
  EMPTY,
  ignoreElements,
  map,
  merge,
  type Observable,
  of,
  Subject,
  takeWhile,
  tap,
} from 'rxjs';
import { isTerminalTrainStatus, type TrainStatus, type TrainVersionDetail } from '../../codecs/training.js';
import type { PollOptions } from '../poll.js';
import type { TrainingSource } from '../source.js';
import { type StatusChange, status$ } from '../status.js';

/** Statuses at or after the start of training: the program runs (or ran), its lines may be in the log. */
const STARTED: ReadonlySet<string> = new Set<TrainStatus>([
  'TRAINING',
  'STOPPING',
  'FINISH',
  'STARTING_FAIL',
  'TRAINING_FAIL',
  'STOPPED',
]);

/** A version's reads, coordinated (see the module doc). */
export interface Coordinated {
  /**
   * The source to read the version through: each `version` read updates the status;
   * a log page that has lines, read while the status is still before `TRAINING`, is
   * passed on only after one more `version` read (so a `TRAINING` it reveals is
   * emitted first).
   */
  readonly source: TrainingSource;
  /**
   * Each distinct status, in the order the reads that found them were sent (a late
   * answer to an older read never moves the status back), the current one first for
   * a later subscriber; completes after the terminal one. While subscribed, it polls
   * the status itself (`status$`'s pacing) besides what the other reads tell it.
   */
  readonly status$: Observable<StatusChange>;
  /** Emits each time a log page with lines came: the monitors may have found values in them. */
  readonly activity$: Observable<void>;
}

/**
 * Coordinates the reads of `versionId` on `source` (see {@link Coordinated}). One per
 * follower of a version: `fit` makes one per subscription, `trainingWatch` one per watch.
 */
export function coordinate(
  source: TrainingSource,
  versionId: number,
  options: PollOptions = {},
): Coordinated {
  const changes = new Subject<StatusChange>();
  const activity = new Subject<void>();
  let current: StatusChange | undefined;
  let sent = 0;
  let applied = 0;

  const apply = (sequence: number, detail: TrainVersionDetail) => {
    if (current?.terminal === true || sequence < applied) return;
    applied = sequence;
    if (current?.status === detail.status) return;
    current = { status: detail.status, terminal: isTerminalTrainStatus(detail.status), detail };
    changes.next(current);
  };

  const version = (id: number): Observable<TrainVersionDetail> =>
    defer(() => {
      const sequence = ++sent;
      return source.version(id).pipe(tap((detail) => apply(sequence, detail)));
    });

  const coordinated: TrainingSource = {
    version,
    logPage: (id, request) =>
      source.logPage(id, request).pipe(
        concatMap((page) =>
          page.logs.length === 0 || (current !== undefined && STARTED.has(current.status))
            ? of(page)
            : // a failed read leaves the status to its poller; the lines are not held back for it
              version(id).pipe(
                map(() => page),
                catchError(() => of(page)),
              ),
        ),
        tap((page) => {
          if (page.logs.length > 0) activity.next();
        }),
      ),
    performance: (id) => source.performance(id),
    resources: (id) => source.resources(id),
  };

  const statuses = defer(() =>
    merge(
      current === undefined ? EMPTY : of(current),
      changes,
      status$(coordinated, versionId, options).pipe(ignoreElements()),
    ),
  ).pipe(takeWhile((change) => !change.terminal, true));

  return { source: coordinated, status$: statuses, activity$: activity.asObservable() };
}
