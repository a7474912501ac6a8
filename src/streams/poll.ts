/**
 * The polling engine every stream is built on: a state machine that runs one
 * request at a time, paces itself, retries transient failures (through the I/O
 * kernel's retry engine) and gives up by policy. Cancellation is unsubscription.
 * @module
 */
import {
  asapScheduler,
  asyncScheduler,
  defer,
  EMPTY,
  exhaustMap,
  expand,
  first,
  map,
  mergeMap,
  type Observable,
  type ObservableInput,
  of,
  type SchedulerLike,
  timer,
} from 'rxjs';
import { retryPolicy } from '../client/kernel/policy.js';
import { type RetryContext, retryWithPolicy } from '../client/kernel/retry.js';
import { isTransient } from '../client/kernel/transient.js';
import {
  DEFAULT_POLL_CEILING_MS,
  DEFAULT_POLL_FLOOR_MS,
  DEFAULT_POLL_IDLE_FACTOR,
  DEFAULT_POLL_MAX_FAILURES,
  DEFAULT_POLL_MAX_OUTAGE_MS,
  DEFAULT_POLL_RETRY_BASE_MS,
  DEFAULT_POLL_RETRY_CAP_MS,
} from '../defaults.js';
import { nextInterval, type Pace } from './pace.js';

/** What the engine tells {@link PollOptions.onRetry} before waiting to try again. */
export interface RetryNotice {
  /** The transient error of the failed poll. */
  readonly error: unknown;
  /** Failed polls in a row, this one included (1 for the first). */
  readonly failures: number;
  /** The wait before the next try, in ms. */
  readonly delayMs: number;
}

/** Tuning shared by every stream; each option falls back to its named default. */
export interface PollOptions {
  /** Shortest wait between two polls, in ms. Default {@link DEFAULT_POLL_FLOOR_MS} (1 s). */
  readonly floorMs?: number | undefined;
  /** Longest wait between two polls while idle, in ms. Default {@link DEFAULT_POLL_CEILING_MS} (10 s). */
  readonly ceilingMs?: number | undefined;
  /** Growth of the wait after each idle poll. Default {@link DEFAULT_POLL_IDLE_FACTOR} (2). */
  readonly idleFactor?: number | undefined;
  /** Base of the full-jitter wait after a failed poll, in ms. Default {@link DEFAULT_POLL_RETRY_BASE_MS} (500 ms). */
  readonly retryBaseMs?: number | undefined;
  /** Cap of that wait, in ms. Default {@link DEFAULT_POLL_RETRY_CAP_MS} (15 s). */
  readonly retryCapMs?: number | undefined;
  /**
   * Give up after this many failed polls in a row: the most times one read is sent
   * (see "Attempts per read" on {@link poll}). Default {@link DEFAULT_POLL_MAX_FAILURES} (20).
   */
  readonly maxFailures?: number | undefined;
  /**
   * Give up when polls have been failing for this long, in ms; also the longest
   * `Retry-After` obeyed. Default {@link DEFAULT_POLL_MAX_OUTAGE_MS} (5 min).
   */
  readonly maxOutageMs?: number | undefined;
  /** Which errors are worth another poll. Default {@link isTransient}; any other error ends the stream at once. */
  readonly retryable?: ((error: unknown) => boolean) | undefined;
  /** Source of randomness in [0, 1) for the retry jitter. Default `Math.random`. */
  readonly random?: (() => number) | undefined;
  /**
   * Clock and timers. Default `asyncScheduler`, with `asapScheduler` for the
   * zero waits (no timer tick, and no stack growth with synchronous sources).
   * Given, it is used for every wait, so a `TestScheduler` drives the whole engine.
   */
  readonly scheduler?: SchedulerLike | undefined;
  /** Called before each retry wait (for a "reconnecting…" display or a log). Default: none. */
  readonly onRetry?: ((notice: RetryNotice) => void) | undefined;
}

/** The engine's options with every default filled in. */
export interface ResolvedPollOptions {
  readonly floorMs: number;
  readonly ceilingMs: number;
  readonly idleFactor: number;
  readonly retryBaseMs: number;
  readonly retryCapMs: number;
  readonly maxFailures: number;
  readonly maxOutageMs: number;
  readonly retryable: (error: unknown) => boolean;
  readonly random: () => number;
  readonly scheduler: SchedulerLike;
  readonly zeroScheduler: SchedulerLike;
  readonly onRetry: ((notice: RetryNotice) => void) | undefined;
}

/** Fills the defaults of `options` (not mutated). */
export function resolvePollOptions(options: PollOptions = {}): ResolvedPollOptions {
  return {
    floorMs: options.floorMs ?? DEFAULT_POLL_FLOOR_MS,
    ceilingMs: options.ceilingMs ?? DEFAULT_POLL_CEILING_MS,
    idleFactor: options.idleFactor ?? DEFAULT_POLL_IDLE_FACTOR,
    retryBaseMs: options.retryBaseMs ?? DEFAULT_POLL_RETRY_BASE_MS,
    retryCapMs: options.retryCapMs ?? DEFAULT_POLL_RETRY_CAP_MS,
    maxFailures: options.maxFailures ?? DEFAULT_POLL_MAX_FAILURES,
    maxOutageMs: options.maxOutageMs ?? DEFAULT_POLL_MAX_OUTAGE_MS,
    retryable: options.retryable ?? isTransient,
    random: options.random ?? Math.random,
    scheduler: options.scheduler ?? asyncScheduler,
    zeroScheduler: options.scheduler ?? asapScheduler,
    onRetry: options.onRetry,
  };
}

/**
 * The outcome of one successful request: the values to emit, the next state,
 * and how the next request should come ({@link Pace}), or `done` to complete
 * after emitting.
 */
export interface PollStep<S, T> {
  readonly state: S;
  readonly emit?: readonly T[] | undefined;
  readonly pace: Pace | 'done';
}

/** A request of the loop: the current state in, one {@link PollStep} out (the first value is taken). */
export type PollRequest<S, T> = (state: S) => ObservableInput<PollStep<S, T>>;

interface Cycle<S, T> {
  readonly state: S;
  readonly emit: readonly T[];
  readonly done: boolean;
  readonly delayMs: number;
  readonly intervalMs: number;
}

/** How the engine retries one read: the kernel's engine with the poll's numbers, and no budget. */
function retryContext(o: ResolvedPollOptions): RetryContext {
  const onRetry = o.onRetry;
  return {
    policy: retryPolicy({
      maxAttempts: o.maxFailures,
      baseMs: o.retryBaseMs,
      capMs: o.retryCapMs,
      retryAfterCapMs: o.maxOutageMs,
      random: o.random,
    }),
    retryable: o.retryable,
    maxOutageMs: o.maxOutageMs,
    scheduler: o.scheduler,
    onRetry:
      onRetry === undefined
        ? undefined
        : ({ error, failures, waitMs }) => onRetry({ error, failures, delayMs: waitMs }),
  };
}

const NOTHING: readonly never[] = [];

/**
 * Runs `request` in a loop from `initial` state and emits what each step says to
 * emit. Cold: each subscription runs its own loop from `initial`.
 *
 * - **One request at a time.** The next request is scheduled only when the last
 *   one has answered (each wait is a `timer` whose tick is `exhaustMap`ped onto
 *   the request), so polls never overlap, however slow the server.
 * - **Adaptive interval.** After a step, the wait follows its {@link Pace}: 0 for
 *   `now`, the floor for `progress`, and for `idle` an interval that grows by
 *   `idleFactor` up to `ceilingMs` and falls back to the floor on progress.
 * - **Retry.** A request that fails with a `retryable` error is tried again from
 *   the same state after the server's `Retry-After` (the error's `retryAfterMs`)
 *   or a full-jitter, capped, exponential wait (the kernel's `retryWithPolicy`,
 *   with no retry budget: these retries are paced and bounded by the two limits
 *   below, and following a job through an outage is what they are for); the
 *   stream goes on.
 * - **Give up.** After `maxFailures` failures in a row, or when failures have
 *   lasted `maxOutageMs` (or `Retry-After` asks for longer), the stream errors
 *   with the **last error itself** (its `_tag` intact, e.g. `NetworkError` or
 *   `HttpError`). A non-retryable error ends it at once.
 * - **Attempts per read.** One step's request is sent at most `maxFailures` times
 *   (default 20). Reads must make a single attempt each, so that this engine is
 *   the only layer retrying them: the streams' session adapters
 *   (`sourceFromSession`, `serviceLogSource`, `serviceStatus$`) call with
 *   `maxAttempts: 1`, so a read makes at most 20 HTTP requests, not the
 *   transport's 3 × 20. (A refused token adds one resend after re-authenticating;
 *   the token request itself is the session's, shared by every call.)
 * - **Cancel.** Unsubscribing stops the pending timer or unsubscribes the
 *   in-flight request (whose teardown aborts the HTTP call).
 *
 * ```
 * request:  --a|       (a: pace idle)      --b|      (b: pace progress, emits x)
 * poll:     --------------------------------------x---- …
 *           ^ request  ^ wait interval      ^ request ^ wait floor
 * ```
 *
 * @example
 * ```ts
 * // a counter that polls until it reads 3
 * poll(0, (n) => get(n).pipe(map((v) => ({ state: v, emit: [v], pace: v >= 3 ? 'done' : 'progress' }))))
 * ```
 */
export function poll<S, T>(initial: S, request: PollRequest<S, T>, options: PollOptions = {}): Observable<T> {
  const o = resolvePollOptions(options);
  return defer(() => {
    const start: Cycle<S, T> = {
      state: initial,
      emit: NOTHING,
      done: false,
      delayMs: 0,
      intervalMs: o.floorMs,
    };
    const retry = retryContext(o);
    return of(start).pipe(
      expand((cycle) =>
        cycle.done
          ? EMPTY
          : timer(cycle.delayMs, cycle.delayMs === 0 ? o.zeroScheduler : o.scheduler).pipe(
              exhaustMap(() => step(cycle, request, o, retry)),
            ),
      ),
      mergeMap((cycle) => cycle.emit),
    );
  });
}

/** One step of the loop: the request (retried by the kernel's engine), then the next cycle. */
function step<S, T>(
  cycle: Cycle<S, T>,
  request: PollRequest<S, T>,
  o: ResolvedPollOptions,
  retry: RetryContext,
): Observable<Cycle<S, T>> {
  return defer(() => request(cycle.state)).pipe(
    first(),
    retryWithPolicy(retry),
    map((answer): Cycle<S, T> => {
      const done = answer.pace === 'done';
      const next = nextInterval(done ? 'now' : (answer.pace as Pace), cycle.intervalMs, {
        floorMs: o.floorMs,
        ceilingMs: o.ceilingMs,
        factor: o.idleFactor,
      });
      return {
        state: answer.state,
        emit: answer.emit ?? NOTHING,
        done,
        delayMs: next.delayMs,
        intervalMs: next.intervalMs,
      };
    }),
  );
}
