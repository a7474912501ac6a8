/**
 * A training version's status as a stream of changes.
 * @module
 */
import { map, type Observable, takeWhile } from 'rxjs';
import { isTerminalTrainStatus, type TrainStatus, type TrainVersionDetail } from '../codecs/training.js';
import { type PollOptions, type PollStep, poll } from './poll.js';
import type { TrainingSource } from './source.js';

/** One status change: the new status, whether it is final, and the whole version detail read with it. */
export interface StatusChange {
  readonly status: TrainStatus;
  /** True for `FINISH`, `STARTING_FAIL`, `TRAINING_FAIL`, `STOPPED`: the last value of the stream. */
  readonly terminal: boolean;
  /** The detail the status was read from (`reason`, `exitCode`, `finishedAt` … when the server sends them). */
  readonly detail: TrainVersionDetail;
}

/** Options of {@link status$}: the polling engine's. */
export type StatusOptions = PollOptions;

/**
 * Emits each distinct status of a training version, then completes after the
 * first terminal one (which is emitted). A status the contract does not name is
 * emitted like any other and counts as non-terminal. Polls at the floor while
 * the status changes, backing off toward the ceiling while it stays the same;
 * transient failures are retried (see {@link poll}).
 *
 * Cold: each subscription polls on its own; share one poller between many
 * subscribers with `trainingWatch(source, versionId).status$`.
 *
 * ```
 * server:   STARTING  STARTING  TRAINING  TRAINING  TRAINING  FINISH
 * status$:  S---------------------T---------------------------F|
 * ```
 *
 * Fails with the last error when the engine gives up, or at once with a
 * non-transient error (`ApiError` 4004 for an unknown version, `DecodeError` …).
 */
export function status$(
  source: TrainingSource,
  versionId: number,
  options: StatusOptions = {},
): Observable<StatusChange> {
  return poll<string | undefined, StatusChange>(
    undefined,
    (last) =>
      source.version(versionId).pipe(
        map((detail): PollStep<string | undefined, StatusChange> => {
          if (detail.status === last) return { state: last, pace: 'idle' };
          const change = { status: detail.status, terminal: isTerminalTrainStatus(detail.status), detail };
          return { state: detail.status, emit: [change], pace: 'progress' };
        }),
      ),
    options,
  ).pipe(takeWhile((change) => !change.terminal, true));
}
