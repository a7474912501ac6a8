/**
 * Who is waiting for what: long-polling requests register here per version
 * (or service) and are woken the moment the recorder stores a line or a status
 * for it — no sleep loops. A waiter is an Observable subscription, so a client
 * that disconnects simply unsubscribes and leaves no trace.
 * @module
 */
import { firstValueFrom, fromEvent, map, Observable, race, timer } from 'rxjs';

/** How a wait ended. */
export type WaitOutcome = 'changed' | 'timeout' | 'aborted';

/** Waiters per owner id. */
export class ChangeHub {
  private readonly waiters = new Map<number, Set<() => void>>();

  /** Wakes every waiter of each id. */
  notify(ids: Iterable<number>): void {
    for (const id of ids) {
      const set = this.waiters.get(id);
      if (!set) continue;
      for (const wake of [...set]) wake();
    }
  }

  /** Emits each time `id` changes; registering happens on subscribe, removal on unsubscribe. */
  changes(id: number): Observable<void> {
    return new Observable<void>((subscriber) => {
      let set = this.waiters.get(id);
      if (!set) {
        set = new Set();
        this.waiters.set(id, set);
      }
      const wake = () => subscriber.next();
      set.add(wake);
      return () => {
        set.delete(wake);
        if (set.size === 0 && this.waiters.get(id) === set) this.waiters.delete(id);
      };
    });
  }

  /**
   * Waits for the next change of `id`, at most `ms`, or until `signal` aborts.
   * Registers synchronously, so a change stored after the caller's last read
   * and before this call returns cannot be missed.
   */
  waitFor(id: number, ms: number, signal: AbortSignal): Promise<WaitOutcome> {
    if (signal.aborted) return Promise.resolve('aborted');
    return firstValueFrom(
      race(
        this.changes(id).pipe(map(() => 'changed' as const)),
        timer(ms).pipe(map(() => 'timeout' as const)),
        fromEvent(signal, 'abort').pipe(map(() => 'aborted' as const)),
      ),
    );
  }

  /** Number of registered waiters (for tests: disconnects must leave none). */
  size(id?: number): number {
    if (id !== undefined) return this.waiters.get(id)?.size ?? 0;
    let n = 0;
    for (const set of this.waiters.values()) n += set.size;
    return n;
  }
}
