/**
 * Promise steps a run started and that a stop cannot cancel (a `mkdir`, a container
 * engine probe): unsubscribing stops waiting for them, not the work. A run stopped
 * during such a step ends only once it has settled, so nothing the run started still
 * writes into its work dir after it reported its end (the platform removes the dir then).
 * @module
 */
import { concatMap, defer, from, type Observable, of } from 'rxjs';

/** The promise steps of one run still going. */
export class InFlight {
  readonly #pending = new Set<Promise<unknown>>();

  /** `defer(work)`, keeping the promise until it settles (also after an unsubscribe). */
  step<T>(work: () => Promise<T>): Observable<T> {
    return defer(() => {
      const promise = work();
      this.#pending.add(promise);
      const forget = () => this.#pending.delete(promise);
      promise.then(forget, forget);
      return promise;
    });
  }

  /**
   * Emits once every step started so far has settled (whatever its outcome), then
   * completes; at once when none is going.
   */
  settled(): Observable<void> {
    return defer(() =>
      this.#pending.size === 0
        ? of(undefined)
        : from(Promise.allSettled([...this.#pending])).pipe(concatMap(() => this.settled())),
    );
  }
}
