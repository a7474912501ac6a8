/**
 * The minimum-throughput guard of one S3 request: a body that moves slower than a
 * floor (a store dripping 1 byte/s, which no idle timeout ever catches) fails the
 * request instead of running forever.
 * @module
 */
import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import { StorageError } from '../errors.js';

/** The floor: at least `minBytesPerSecond` over every `windowMs` (0 turns the guard off). */
export interface ThroughputFloor {
  readonly minBytesPerSecond: number;
  readonly windowMs: number;
}

/** What names a too-slow request in its error. */
export interface GuardLabel {
  readonly operation: string;
  readonly uri: string;
}

/**
 * Watches one request. `meter(bytes)` reports bytes moved; the guard is armed by
 * `arm()` (a streaming request arms it before it is sent, so time waiting for the answer
 * counts) or by the first `meter` call. Once armed, at the end of each window (on the
 * given scheduler) the bytes moved in that window must reach `minBytesPerSecond ×
 * windowMs / 1000`; if not, `abort` is called with a `StorageError` of reason `TooSlow`
 * (a transient reason: the request is retried on a new connection) — the caller aborts
 * the request's own signal with it, so a request needs no second signal to link. `stop()`
 * ends the watch (call it when the request settles).
 */
export class ThroughputGuard {
  readonly #abort: (reason: StorageError) => void;
  readonly #floor: ThroughputFloor;
  readonly #label: GuardLabel;
  readonly #scheduler: SchedulerLike;
  #timer: Subscription | undefined;
  #windowBytes = 0;
  #stopped = false;
  #tripped: StorageError | undefined;

  constructor(
    floor: ThroughputFloor,
    label: GuardLabel,
    scheduler: SchedulerLike,
    abort: (reason: StorageError) => void,
  ) {
    this.#abort = abort;
    this.#floor = floor;
    this.#label = label;
    this.#scheduler = scheduler;
  }

  /** The error the guard failed the request with, if it did. */
  get tripped(): StorageError | undefined {
    return this.#tripped;
  }

  /** Starts the watch now (idempotent). */
  arm(): void {
    const { minBytesPerSecond, windowMs } = this.#floor;
    if (this.#timer !== undefined || this.#stopped || !(minBytesPerSecond > 0) || !(windowMs > 0)) return;
    const needed = (minBytesPerSecond * windowMs) / 1000;
    const guard = this;
    this.#timer = this.#scheduler.schedule(function (this: SchedulerAction<unknown>) {
      if (guard.#stopped) return;
      if (guard.#windowBytes < needed) {
        guard.#trip(guard.#windowBytes);
        return;
      }
      guard.#windowBytes = 0;
      this.schedule(undefined, windowMs);
    }, windowMs);
  }

  /** Reports `bytes` moved (arms the guard on the first report). */
  readonly meter = (bytes: number): void => {
    this.#windowBytes += bytes;
    if (this.#timer === undefined) this.arm();
  };

  /** Ends the watch. */
  stop(): void {
    this.#stopped = true;
    this.#timer?.unsubscribe();
    this.#timer = undefined;
  }

  #trip(bytes: number): void {
    const { minBytesPerSecond, windowMs } = this.#floor;
    this.#tripped = new StorageError(
      `slower than ${minBytesPerSecond} bytes/s: ${bytes} bytes in ${windowMs} ms (minBytesPerSecond, throughputWindowMs)`,
      { method: this.#label.operation, url: this.#label.uri, reason: 'TooSlow' },
    );
    this.stop();
    this.#abort(this.#tripped);
  }
}
