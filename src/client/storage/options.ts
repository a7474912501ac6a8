/**
 * Options shared by every storage operation.
 * @module
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SchedulerLike } from 'rxjs';
import type { S3Access } from './access.js';

/** Options of every storage call. Defaults are in `src/defaults.ts`. */
export interface StorageOptions {
  /** Attempts per S3 request on transient failures (default `DEFAULT_STORAGE_MAX_ATTEMPTS`). */
  readonly maxAttempts?: number | undefined;
  /** Scheduler for retry delays and the clock of rates (default `asyncScheduler`). */
  readonly scheduler?: SchedulerLike | undefined;
  /** Source of randomness in [0, 1) of the retry jitter (default `Math.random`). */
  readonly random?: (() => number) | undefined;
  /**
   * Builds the S3 client from credentials (default `createS3Client`); called again
   * after a credential refresh. A hook to add middleware or an HTTP agent.
   */
  readonly createClient?: ((access: S3Access) => S3Client) | undefined;
  /**
   * Time for the whole operation — every request, retry and byte of it — in ms (default
   * `DEFAULT_TRANSFER_DEADLINE_MS`, 24 h). Past it the operation is cancelled as on
   * unsubscribe (requests aborted, temporary files removed) and fails with
   * `TimeoutError` (reason `deadline`).
   */
  readonly deadlineMs?: number | undefined;
  /**
   * Slowest body tolerated, in bytes per second over each `throughputWindowMs` (default
   * `DEFAULT_MIN_BYTES_PER_SECOND`, 1 KiB/s; 0 turns the guard off). A GET body, or a
   * streamed PUT/part, moving slower fails that request with `StorageError` reason
   * `TooSlow`, retried like a dropped connection. For a GET the wait for the answer counts.
   */
  readonly minBytesPerSecond?: number | undefined;
  /** The window of `minBytesPerSecond`, in ms (default `DEFAULT_THROUGHPUT_WINDOW_MS`, 60 s). */
  readonly throughputWindowMs?: number | undefined;
}

/** Options of `upload`, `download` and `downloadFile`. */
export interface TransferOptions extends StorageOptions {
  /** Files transferred at the same time (default `DEFAULT_STORAGE_CONCURRENCY`). */
  readonly concurrency?: number | undefined;
  /** Emit progress at least every this many bytes (default `DEFAULT_PROGRESS_STEP_BYTES`); always after each file. */
  readonly progressStepBytes?: number | undefined;
}

/** Options of `listObjects` and `deleteObjects`. */
export interface ListOptions extends StorageOptions {
  /** Keys per listing page (S3's default and maximum is 1,000). */
  readonly pageSize?: number | undefined;
}
