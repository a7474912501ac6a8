/**
 * `batchBursts`: groups the values a source emits in one burst (synchronously,
 * as the SDK's log stream emits a page of lines) into one array, so a page of a
 * thousand lines becomes one event on the wire instead of a thousand.
 * @module
 */
import {
  asapScheduler,
  Observable,
  type OperatorFunction,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';

/**
 * Collects values until the scheduler's next turn (`asapScheduler`: right after
 * the current task), then emits them as one array; `max` values make a batch at
 * once. Nothing is dropped or reordered: the pending batch is emitted before
 * completion or an error is passed on. Unsubscribing cancels the pending turn.
 *
 * ```
 * source:  (abc)--d--(ef)|
 * result:  x------y--z|      x = [a,b,c], y = [d], z = [e,f]
 * ```
 */
export function batchBursts<T>(
  max: number,
  scheduler: SchedulerLike = asapScheduler,
): OperatorFunction<T, T[]> {
  if (!(Number.isInteger(max) && max > 0))
    throw new RangeError(`batchBursts: max must be a positive integer, got ${max}`);
  return (source) =>
    new Observable<T[]>((subscriber) => {
      let batch: T[] = [];
      let turn: Subscription | undefined;
      const flush = () => {
        turn?.unsubscribe();
        turn = undefined;
        if (batch.length === 0) return;
        const out = batch;
        batch = [];
        subscriber.next(out);
      };
      const subscription = source.subscribe({
        next: (value) => {
          batch.push(value);
          if (batch.length >= max) flush();
          else turn ??= scheduler.schedule(flush);
        },
        error: (error: unknown) => {
          flush();
          subscriber.error(error);
        },
        complete: () => {
          flush();
          subscriber.complete();
        },
      });
      return () => {
        turn?.unsubscribe();
        subscription.unsubscribe();
      };
    });
}
