/**
 * One piece of work shared by everyone who waits for it, and cancelled when nobody
 * does any more: the login and the S3 credential fetch of a session.
 * @module
 */
import { onAbort } from './signals.js';

interface Flight<T> {
  readonly promise: Promise<T>;
  readonly controller: AbortController;
  waiters: number;
  settled: boolean;
}

/**
 * Single flight with reference counting. {@link join} starts `run` when it is not
 * running, else joins the run under way; every caller gets its outcome. A caller that
 * passes a signal stops waiting when it aborts (rejecting with the signal's reason);
 * when the last waiter has left before the run settled, the run's own signal aborts,
 * so an abandoned request (a login nobody waits for) is not left to finish, retry or
 * keep the process alive. A caller without a signal waits until the end, keeping the
 * run alive. The outcome is not cached: the next `join` after a run settled starts
 * another.
 *
 * @example
 * ```ts
 * const login = new SharedFlight((signal) => fetchToken(signal));
 * const token = await login.join(request.signal);
 * ```
 */
export class SharedFlight<T> {
  readonly #run: (signal: AbortSignal) => Promise<T>;
  #flight: Flight<T> | undefined;
  #runs = 0;

  constructor(run: (signal: AbortSignal) => Promise<T>) {
    this.#run = run;
  }

  /** True while a run is under way. */
  get running(): boolean {
    return this.#flight !== undefined;
  }

  /** How many runs were started (for tests and diagnostics). */
  get runs(): number {
    return this.#runs;
  }

  /** The outcome of the run under way, or of a new one; see the class doc for `signal`. */
  join(signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const flight = this.#flight ?? this.#start();
    flight.waiters += 1;
    if (signal === undefined) return flight.promise;
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const stop = onAbort(signal, (reason) => {
        if (done) return;
        done = true;
        flight.waiters -= 1;
        if (flight.waiters === 0 && !flight.settled) {
          if (this.#flight === flight) this.#flight = undefined;
          flight.controller.abort(reason);
        }
        reject(reason);
      });
      flight.promise.then(
        (value) => {
          stop();
          if (done) return;
          done = true;
          resolve(value);
        },
        (error: unknown) => {
          stop();
          if (done) return;
          done = true;
          reject(error);
        },
      );
    });
  }

  #start(): Flight<T> {
    const controller = new AbortController();
    this.#runs += 1;
    let flight: Flight<T> | undefined;
    let started: Promise<T>;
    try {
      // Called at once (not on a later tick), so the work starts with the first join.
      started = this.#run(controller.signal);
    } catch (error) {
      started = Promise.reject(error);
    }
    const promise = started.finally(() => {
      if (flight !== undefined) flight.settled = true;
      if (this.#flight === flight) this.#flight = undefined;
    });
    // Waiters handle the outcome; an abandoned run's rejection must not be reported unhandled.
    promise.catch(() => undefined);
    flight = { promise, controller, waiters: 0, settled: false };
    this.#flight = flight;
    return flight;
  }
}
