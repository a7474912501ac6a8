/**
 * The core of the feed bridges: an Observable read one value at a time, through
 * a bounded buffer with an overflow policy and optional demand (backpressure).
 * @module
 */
import type { Observable, Subscription } from 'rxjs';
import { FeedOverflowError } from '../errors.js';
import type { ResolvedFeedOptions } from '../options.js';
import { Fifo } from './fifo.js';

/** How the source ended, once it has. */
type End = { readonly failed: false } | { readonly failed: true; readonly error: unknown };

interface Waiter<T> {
  readonly resolve: (result: IteratorResult<T, undefined>) => void;
  readonly reject: (error: unknown) => void;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * Subscribes to `source` on the first {@link Puller.pull}; buffers what the
 * reader has not taken yet (at most `buffer` values, then the overflow policy);
 * pauses `demand` at `highWater` values and resumes it below; unsubscribes on
 * {@link Puller.cancel}, on overflow (`'error'`), or when the source ends.
 * The source's end (completion or error) is delivered after the buffered values.
 */
export class Puller<T> {
  readonly #source: Observable<T>;
  readonly #options: ResolvedFeedOptions<T>;
  readonly #queue = new Fifo<T>();
  #subscription: Subscription | undefined;
  #started = false;
  #stopped = false;
  #end: End | undefined;
  #waiter: Waiter<T> | undefined;

  constructor(source: Observable<T>, options: ResolvedFeedOptions<T>) {
    this.#source = source;
    this.#options = options;
  }

  /** The next value, or the end: at once when one is buffered (or the end known), else a promise. */
  pull(): IteratorResult<T, undefined> | Promise<IteratorResult<T, undefined>> {
    if (!this.#started) this.#start();
    const buffered = this.takeBuffered();
    if (buffered !== undefined) return buffered;
    if (this.#end !== undefined) return this.#finish(this.#end);
    if (this.#stopped) return DONE;
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** The next buffered value, if one is buffered now (never subscribes, never waits). */
  takeBuffered(): IteratorYieldResult<T> | undefined {
    if (this.#queue.size === 0) return undefined;
    const value = this.#queue.shift() as T;
    this.#taken();
    return { done: false, value };
  }

  /** The reader leaves: unsubscribes (timers stop, requests abort), drops the buffer, ends a pending pull. */
  cancel(): void {
    this.#stop();
    this.#queue.clear();
    this.#end = undefined;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve(DONE);
  }

  #start(): void {
    this.#started = true;
    this.#options.demand?.resume();
    const subscription = this.#source.subscribe({
      next: (value) => this.#arrived(value),
      error: (error: unknown) => this.#ended({ failed: true, error }),
      complete: () => this.#ended({ failed: false }),
    });
    // a source can end (or overflow) while subscribing
    if (this.#stopped) subscription.unsubscribe();
    else this.#subscription = subscription;
  }

  #arrived(value: T): void {
    if (this.#stopped) return;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter.resolve({ done: false, value });
      return;
    }
    const { buffer, overflow, onDrop, demand, highWater } = this.#options;
    if (this.#queue.size >= buffer) {
      if (overflow === 'drop-newest') {
        onDrop?.(value);
        return;
      }
      if (overflow === 'drop-oldest') {
        const oldest = this.#queue.shift() as T;
        this.#queue.push(value);
        onDrop?.(oldest);
        return;
      }
      this.#ended({ failed: true, error: new FeedOverflowError(buffer) });
      return;
    }
    this.#queue.push(value);
    if (demand !== undefined && this.#queue.size >= highWater) demand.pause();
  }

  #ended(end: End): void {
    if (this.#stopped) return;
    this.#stop();
    this.#end = end;
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    this.#waiter = undefined;
    this.#end = undefined;
    if (end.failed) waiter.reject(end.error);
    else waiter.resolve(DONE);
  }

  /** A value was taken: resume the demand below the high-water mark (may deliver synchronously). */
  #taken(): void {
    const { demand, highWater } = this.#options;
    if (demand !== undefined && !this.#stopped && this.#queue.size < highWater) demand.resume();
  }

  #finish(end: End): IteratorResult<T, undefined> | Promise<never> {
    this.#end = undefined;
    return end.failed ? Promise.reject(end.error) : DONE;
  }

  #stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    const subscription = this.#subscription;
    this.#subscription = undefined;
    subscription?.unsubscribe();
  }
}
