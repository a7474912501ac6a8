/**
 * A fixed number of slots shared by Observables: a limit across `mergeMap`s, e.g. how many
 * large files of one transfer hold part buffers at once, whatever the file concurrency.
 * @module
 */
import { Observable } from 'rxjs';

/**
 * `count` slots. {@link run} subscribes to `work` once a slot is free and frees it when
 * `work` ends (completes, fails or is unsubscribed); waiting work runs in arrival order.
 *
 * @example
 * ```ts
 * const large = new Slots(2);
 * files$.pipe(mergeMap((file) => (file.size > threshold ? large.run(send(file)) : send(file)), 8));
 * ```
 */
export class Slots {
  readonly #waiting: Array<() => void> = [];
  #free: number;

  constructor(count: number) {
    this.#free = Math.max(1, count);
  }

  /** `work`, started in a free slot. */
  run<T>(work: Observable<T>): Observable<T> {
    return new Observable<T>((subscriber) => {
      let holding = false;
      let subscription: { unsubscribe(): void } | undefined;
      const start = () => {
        holding = true;
        subscription = work.subscribe(subscriber);
      };
      if (this.#free > 0) {
        this.#free -= 1;
        start();
      } else {
        this.#waiting.push(start);
      }
      return () => {
        subscription?.unsubscribe();
        if (holding) this.#release();
        else {
          const at = this.#waiting.indexOf(start);
          if (at >= 0) this.#waiting.splice(at, 1);
        }
      };
    });
  }

  /** Slots free now (for tests). */
  get free(): number {
    return this.#free;
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free += 1;
  }
}
