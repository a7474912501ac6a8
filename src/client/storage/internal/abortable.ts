/**
 * Cold Observables over promise-returning work that takes an `AbortSignal`.
 * @module
 */
import { Observable } from 'rxjs';

/**
 * Runs `work` on subscription with a fresh `AbortController`, emits its result and
 * completes. Unsubscribing while the work is in flight aborts its signal (the
 * model is rxjs's `fromFetch`); a finished work is not aborted.
 */
export function fromAbortable<T>(work: (signal: AbortSignal) => Promise<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const controller = new AbortController();
    let settled = false;
    new Promise<T>((resolve) => resolve(work(controller.signal))).then(
      (value) => {
        settled = true;
        subscriber.next(value);
        subscriber.complete();
      },
      (error: unknown) => {
        settled = true;
        subscriber.error(error);
      },
    );
    return () => {
      if (!settled) controller.abort();
    };
  });
}

/** A controller aborted when `parent` aborts, or by its owner (e.g. when a request body fails). */
export function linkedController(parent: AbortSignal): AbortController {
  const controller = new AbortController();
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener('abort', () => controller.abort(parent.reason), { once: true });
  return controller;
}
