/**
 * The loop shared by the snapshot streams (metrics, resources): read a snapshot,
 * emit what is new, read the status when nothing is, and after a terminal status
 * read one last snapshot and complete.
 * @module
 */
import { map, type Observable } from 'rxjs';
import { isTerminalTrainStatus } from '../../codecs/training.js';
import { type PollOptions, type PollStep, poll } from '../poll.js';
import type { TrainingSource } from '../source.js';

/** What one snapshot read yields: the next state and the new items. */
export interface SnapshotStep<S, T> {
  readonly state: S;
  readonly emit: readonly T[];
}

interface Phase<S> {
  readonly state: S;
  /** `watch`: reading snapshots; `check`: nothing new came, read the status; `final`: the job is over. */
  readonly phase: 'watch' | 'check' | 'final';
}

/**
 * Polls `read` from `initial` until the version is terminal. New items → the
 * floor; nothing new → a status read, then the growing idle interval; terminal status →
 * one last read (so what the job wrote before ending is not lost), then complete.
 *
 * ```
 * read:    [a] --- [] status:TRAINING ---- [b] --- [] status:FINISH [c]
 * out:      a                               b                        c|
 * ```
 */
export function untilTerminal<S, T>(
  source: TrainingSource,
  versionId: number,
  initial: S,
  read: (state: S) => Observable<SnapshotStep<S, T>>,
  options: PollOptions,
): Observable<T> {
  return poll<Phase<S>, T>(
    { state: initial, phase: 'watch' },
    (current): Observable<PollStep<Phase<S>, T>> => {
      if (current.phase === 'check') {
        return source
          .version(versionId)
          .pipe(
            map((detail) =>
              isTerminalTrainStatus(detail.status)
                ? { state: { ...current, phase: 'final' }, pace: 'now' }
                : { state: { ...current, phase: 'watch' }, pace: 'idle' },
            ),
          );
      }
      return read(current.state).pipe(
        map(({ state, emit }) => {
          if (current.phase === 'final') return { state: { state, phase: 'final' }, emit, pace: 'done' };
          return emit.length > 0
            ? { state: { state, phase: 'watch' }, emit, pace: 'progress' }
            : { state: { state, phase: 'check' }, emit, pace: 'now' };
        }),
      );
    },
    options,
  );
}
