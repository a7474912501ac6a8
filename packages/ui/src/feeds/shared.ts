/**
 * One poller per feed key, however many pages watch it.
 * @module
 */
import { defer, finalize, type Observable, ReplaySubject, share } from 'rxjs';

/**
 * A cache of shared streams by key. `get(key, make)` returns the stream of `key`,
 * made by `make` on first use: its first subscriber starts it, later ones get the
 * latest value at once (replayed) and what follows, and it stops (and is forgotten)
 * when its last subscriber leaves or it ends.
 *
 * @example
 * ```ts
 * const feeds = new SharedFeeds<JobRow[]>();
 * feeds.get('jobs', () => jobRows(session)).subscribe(show); // a second page shares the poller
 * ```
 */
export class SharedFeeds<T> {
  readonly #entries = new Map<string, { stream: Observable<T>; refs: number }>();

  /** The shared stream of `key`. */
  get(key: string, make: () => Observable<T>): Observable<T> {
    return defer(() => {
      let entry = this.#entries.get(key);
      if (entry === undefined) {
        const stream = make().pipe(
          share({
            connector: () => new ReplaySubject<T>(1),
            resetOnError: true,
            resetOnComplete: true,
            resetOnRefCountZero: true,
          }),
        );
        entry = { stream, refs: 0 };
        this.#entries.set(key, entry);
      }
      const held = entry;
      held.refs++;
      return held.stream.pipe(
        finalize(() => {
          held.refs--;
          if (held.refs === 0 && this.#entries.get(key) === held) this.#entries.delete(key);
        }),
      );
    });
  }

  /** How many keys have a subscriber (for tests and diagnostics). */
  get size(): number {
    return this.#entries.size;
  }
}
