/**
 * The bridges between promises, Observables and `AbortSignal`s, each removing its
 * listener when it is done (built on {@link onAbort}).
 * @module
 */
import { type MonoTypeOperatorFunction, Observable } from 'rxjs';
import { onAbort } from './signals.js';

/**
 * Settles like `promise`, or rejects as soon as `signal` aborts (with `reasonOf(signal)`,
 * by default the signal's reason), whichever comes first. Aborting only stops the
 * waiting: the work behind `promise` goes on (shared work, such as a credential
 * fetch other callers wait for). The abort listener is removed once `promise`
 * settles, and a rejection of `promise` after the abort is handled (never unhandled).
 *
 * @example
 * ```ts
 * const access = await untilAborted(sharedFetch, request.signal);
 * ```
 */
export function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  reasonOf: (signal: AbortSignal) => unknown = (aborted) => aborted.reason,
): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const stop = onAbort(signal, () => reject(reasonOf(signal)));
    promise.then(
      (value) => {
        stop();
        resolve(value);
      },
      (error: unknown) => {
        stop();
        reject(error);
      },
    );
  });
}

/**
 * Runs `work` on subscription with a fresh `AbortController`, emits its result and
 * completes. Unsubscribing while the work is in flight aborts its signal (the
 * model is rxjs's `fromFetch`); a finished work is not aborted.
 *
 * @example
 * ```ts
 * fromAbortable((signal) => client.send(new HeadObjectCommand(input), { abortSignal: signal }))
 * ```
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

/**
 * Makes the source error with the signal's reason when `signal` aborts (at
 * subscription if it already has), unsubscribing the source; the listener is
 * removed when the subscription ends. No signal: the source as is.
 *
 * @example
 * ```ts
 * transport.request(request).pipe(abortWith(options.signal))
 * ```
 */
export function abortWith<T>(signal: AbortSignal | undefined): MonoTypeOperatorFunction<T> {
  return (source) =>
    signal === undefined
      ? source
      : new Observable<T>((subscriber) => {
          const stop = onAbort(signal, (reason) => subscriber.error(reason));
          if (subscriber.closed) return;
          const subscription = source.subscribe(subscriber);
          return () => {
            stop();
            subscription.unsubscribe();
          };
        });
}
