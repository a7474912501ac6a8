/**
 * One place where storage talks to S3: lazily built clients, one credential
 * refresh per transfer, retries of transient failures (the kernel's engine), abort
 * on unsubscribe, a minimum-throughput guard per request, an overall deadline per
 * operation, and redaction of the S3 secret from every error.
 * @module
 */
import type { S3Client } from '@aws-sdk/client-s3';
import {
  asyncScheduler,
  catchError,
  defer,
  Observable,
  type SchedulerLike,
  switchMap,
  throwError,
} from 'rxjs';
import {
  DEFAULT_MIN_BYTES_PER_SECOND,
  DEFAULT_STORAGE_MAX_ATTEMPTS,
  DEFAULT_THROUGHPUT_WINDOW_MS,
  DEFAULT_TRANSFER_DEADLINE_MS,
} from '../../../defaults.js';
import { hasTag, type RequestInfo, TimeoutError } from '../../../errors.js';
import { fromAbortable } from '../../kernel/abortable.js';
import { type RetryPolicy, retryPolicy } from '../../kernel/policy.js';
import { retryWithPolicy } from '../../kernel/retry.js';
import { onAbort } from '../../kernel/signals.js';
import { redactError, SecretSet } from '../../redact.js';
import type { S3Access, S3AccessProvider } from '../access.js';
import { createS3Client } from '../client.js';
import { StorageError } from '../errors.js';
import { usePayloadHashFromMetadata } from './payload-hash.js';
import { toStorageError } from './s3-errors.js';
import { ThroughputGuard } from './throughput.js';

/** How a {@link S3Caller} retries; each number falls back to the kernel's default. */
export interface CallerOptions {
  /** Attempts per S3 request, the first included. Default {@link DEFAULT_STORAGE_MAX_ATTEMPTS}. */
  readonly maxAttempts?: number | undefined;
  /** Backoff base, ms. Default `DEFAULT_RETRY_BASE_MS`. */
  readonly retryBaseMs?: number | undefined;
  /** Backoff cap, ms. Default `DEFAULT_RETRY_CAP_MS`. */
  readonly retryCapMs?: number | undefined;
  /** Source of randomness in [0, 1) of the jitter. Default `Math.random`. */
  readonly random?: (() => number) | undefined;
  /** Drives the retry waits. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike | undefined;
  /** Builds clients; tests and the benchmark may wrap {@link createS3Client}. */
  readonly createClient?: ((access: S3Access) => S3Client) | undefined;
  /**
   * Slowest body tolerated, bytes/s over each `throughputWindowMs` (0: no floor).
   * Default {@link DEFAULT_MIN_BYTES_PER_SECOND}. See {@link ThroughputGuard}.
   */
  readonly minBytesPerSecond?: number | undefined;
  /** The window of `minBytesPerSecond`, ms. Default {@link DEFAULT_THROUGHPUT_WINDOW_MS}. */
  readonly throughputWindowMs?: number | undefined;
  /** Time for the whole operation, ms (see {@link withCaller}). Default {@link DEFAULT_TRANSFER_DEADLINE_MS}. */
  readonly deadlineMs?: number | undefined;
}

/**
 * What an attempt may do besides sending: report the bytes its body moved (`meter`,
 * which arms the throughput guard), or arm the guard before sending (`arm`: a
 * streaming request whose wait for an answer must count too).
 */
export interface AttemptMeter {
  readonly meter: (bytes: number) => void;
  readonly arm: () => void;
}

interface Generation {
  readonly client: S3Client;
  readonly generation: number;
  readonly endpoint: string;
}

/**
 * Sends S3 requests for one transfer. The first request gets credentials from the
 * provider; when S3 refuses them, `refresh()` is called once (shared by every request
 * in flight), a new client is built and the refused request is sent again. A second
 * refusal after the refresh is final. {@link dispose} destroys the clients.
 */
export class S3Caller {
  readonly #access: S3AccessProvider;
  readonly #createClient: (access: S3Access) => S3Client;
  readonly #policy: RetryPolicy;
  readonly #scheduler: SchedulerLike | undefined;
  readonly #floor: { readonly minBytesPerSecond: number; readonly windowMs: number };
  /** Aborted by {@link dispose}: a credential fetch nobody waits for any more is abandoned. */
  readonly #life = new AbortController();
  readonly #clients: S3Client[] = [];
  /** The S3 secrets this caller was handed, scrubbed from its errors. */
  readonly secrets = new SecretSet();
  #current: Promise<Generation> | undefined;
  #generation = 0;
  #refresh: Promise<void> | undefined;
  #refreshSettled = false;

  constructor(access: S3AccessProvider, options: CallerOptions = {}) {
    this.#access = access;
    this.#createClient = options.createClient ?? ((a) => createS3Client(a));
    this.#policy = retryPolicy({
      maxAttempts: Math.max(1, options.maxAttempts ?? DEFAULT_STORAGE_MAX_ATTEMPTS),
      baseMs: options.retryBaseMs,
      capMs: options.retryCapMs,
      random: options.random,
    });
    this.#scheduler = options.scheduler;
    this.#floor = {
      minBytesPerSecond: options.minBytesPerSecond ?? DEFAULT_MIN_BYTES_PER_SECOND,
      windowMs: options.throughputWindowMs ?? DEFAULT_THROUGHPUT_WINDOW_MS,
    };
  }

  /**
   * A cold Observable of one S3 request: `attempt` is called per attempt with the
   * current client and a signal that aborts when the subscriber unsubscribes, so it
   * must open any request body itself (a consumed stream cannot be sent twice).
   * A transient failure (`isTransient`) is retried by the kernel's engine, up to
   * `maxAttempts` attempts; a credential refresh is not an attempt. Each attempt has a
   * throughput guard (armed by `meter`/`arm`, see {@link AttemptMeter}): one moving less
   * than `minBytesPerSecond` fails with `StorageError` reason `TooSlow` (transient).
   * Fails with `StorageError` (or the tagged error `attempt` throws).
   */
  call<T>(
    operation: string,
    uri: string,
    attempt: (client: S3Client, signal: AbortSignal, meter: AttemptMeter) => Promise<T>,
  ): Observable<T> {
    const once: Observable<T> = defer(() => {
      let generation = -1;
      return fromAbortable(async (signal) => {
        const current = await this.#client();
        generation = current.generation;
        // One signal per attempt, aborted by the subscriber's or by the guard (no signals to link per request).
        const attemptAbort = new AbortController();
        const abort = (reason: unknown) => attemptAbort.abort(reason);
        const unlink = onAbort(signal, abort);
        const guard = new ThroughputGuard(
          this.#floor,
          { operation, uri },
          this.#scheduler ?? asyncScheduler,
          abort,
        );
        try {
          return await attempt(current.client, attemptAbort.signal, {
            meter: guard.meter,
            arm: () => guard.arm(),
          });
        } catch (error) {
          throw guard.tripped ?? toStorageError(error, operation, uri);
        } finally {
          guard.stop();
          unlink();
        }
      }).pipe(
        catchError((error: unknown) =>
          error instanceof StorageError && error.credentials
            ? defer(() => this.#refreshAfter(generation, error)).pipe(switchMap(() => once))
            : throwError(() => error),
        ),
      );
    });
    return once.pipe(retryWithPolicy({ policy: this.#policy, scheduler: this.#scheduler }));
  }

  /** The endpoint of the current credentials (asks the provider if no request was made yet). */
  async endpoint(): Promise<string> {
    return (await this.#client()).endpoint;
  }

  /** Destroys every client this caller built (closes their sockets); a credential fetch under way is left. */
  dispose(): void {
    this.#life.abort();
    for (const client of this.#clients.splice(0)) client.destroy();
    this.#current = undefined;
  }

  #client(): Promise<Generation> {
    if (!this.#current) {
      const pending = this.#access.get(this.#life.signal).then((access) => this.#install(access));
      // A failed `get` is not cached: the next request asks again.
      pending.catch(() => {
        if (this.#current === pending) this.#current = undefined;
      });
      this.#current = pending;
    }
    return this.#current;
  }

  #install(access: S3Access): Generation {
    this.secrets.add(access.secretAccessKey);
    this.secrets.add(access.sessionToken);
    const client = usePayloadHashFromMetadata(this.#createClient(access));
    this.#clients.push(client);
    return { client, generation: this.#generation, endpoint: access.endpoint };
  }

  /** Resolves when a client newer than `generation` exists; rejects when the one refresh is spent. */
  #refreshAfter(generation: number, refused: StorageError): Promise<void> {
    if (this.#generation > generation) return Promise.resolve();
    if (!this.#refresh) {
      this.#refresh = this.#access.refresh(this.#life.signal).then(
        (access) => {
          this.#generation += 1;
          this.#current = Promise.resolve(this.#install(access));
          this.#refreshSettled = true;
        },
        (error: unknown) => {
          this.#refreshSettled = true;
          throw hasTag(error, 'StorageError')
            ? error
            : new StorageError(`credential refresh failed after ${refused.reason ?? refused.status}`, {
                method: refused.method,
                url: refused.url,
                reason: 'credentials',
                cause: error,
              });
        },
      );
      return this.#refresh;
    }
    if (!this.#refreshSettled) return this.#refresh;
    return Promise.reject(
      new StorageError(`credentials refused again after a refresh: ${refused.message}`, {
        method: refused.method,
        url: refused.url,
        reason: 'credentials',
        status: refused.status,
        cause: refused,
      }),
    );
  }
}

/**
 * Runs `work` with a fresh {@link S3Caller} and disposes it when the subscription ends.
 * The whole of `work` has `options.deadlineMs` (default {@link DEFAULT_TRANSFER_DEADLINE_MS}):
 * past it, it is unsubscribed — requests aborted, temporary files removed, as on any
 * unsubscribe — and fails with `TimeoutError` (reason `deadline`, not retried) naming
 * `what`. Every error is redacted with the S3 secrets the caller was handed.
 */
export function withCaller<T>(
  access: S3AccessProvider,
  options: CallerOptions,
  work: (caller: S3Caller) => Observable<T>,
  what: RequestInfo = {},
): Observable<T> {
  return new Observable<T>((subscriber) => {
    const caller = new S3Caller(access, options);
    const deadlineMs = options.deadlineMs ?? DEFAULT_TRANSFER_DEADLINE_MS;
    const scheduler = options.scheduler ?? asyncScheduler;
    const bounded =
      Number.isFinite(deadlineMs) && deadlineMs > 0
        ? withDeadline(
            work(caller),
            deadlineMs,
            scheduler,
            () => new TimeoutError(deadlineMs, { ...what, reason: 'deadline' }),
          )
        : work(caller);
    const subscription = bounded
      .pipe(catchError((error: unknown) => throwError(() => redactError(error, caller.secrets))))
      .subscribe(subscriber);
    return () => {
      subscription.unsubscribe();
      caller.dispose();
    };
  });
}

/** `source`, failing with `error()` when it has not ended `ms` after subscription (a deadline on the whole, not on the first value). */
function withDeadline<T>(
  source: Observable<T>,
  ms: number,
  scheduler: SchedulerLike,
  error: () => unknown,
): Observable<T> {
  return new Observable<T>((subscriber) => {
    const timer = scheduler.schedule(() => subscriber.error(error()), ms);
    const subscription = source.subscribe(subscriber);
    return () => {
      timer.unsubscribe();
      subscription.unsubscribe();
    };
  });
}
