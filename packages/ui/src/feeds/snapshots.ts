/**
 * `snapshots`: a read polled with the SDK's engine, emitted whenever its answer changes.
 * @module
 */
import { type PollOptions, type PollStep, poll } from 'modelmaker';
import { map, type Observable } from 'rxjs';

/**
 * Polls `read` (a cold Observable of one value) with the SDK's polling engine and
 * emits each answer that differs from the previous one (compared as JSON): the
 * first answer at once, then only changes. Polls at the floor while answers
 * change, backing off toward the ceiling while they stay the same; transient
 * failures are retried as the engine does, others end the stream. Never
 * completes on its own: unsubscribe to stop (which aborts the request in flight).
 *
 * ```
 * read:       A   A   A   B   B
 * snapshots:  A-----------B-----
 * ```
 */
export function snapshots<T>(read: () => Observable<T>, options: PollOptions = {}): Observable<T> {
  return poll<string | undefined, T>(
    undefined,
    (last) =>
      read().pipe(
        map((value): PollStep<string | undefined, T> => {
          const key = JSON.stringify(value);
          if (key === last) return { state: last, pace: 'idle' };
          return { state: key, emit: [value], pace: 'progress' };
        }),
      ),
    options,
  );
}
