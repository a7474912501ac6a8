/**
 * Which failures are worth another attempt: the one predicate of the SDK, for
 * platform calls, polls and S3 transfers alike.
 * @module
 */
import { hasTag, isModelMakerError } from '../../errors.js';

/** HTTP statuses worth retrying: the server may answer differently next time. */
export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Failure names worth retrying when a request of a transfer fails without a
 * transient status: S3 error codes (throttling, server trouble) and Node or undici
 * codes of dropped or refused connections.
 */
export const TRANSIENT_REASONS: ReadonlySet<string> = new Set([
  'SlowDown',
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  // A body slower than the storage's minimum throughput (a new connection may do better).
  'TooSlow',
]);

function statusOf(error: object): number | undefined {
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * True when another attempt may succeed: a `NetworkError`, a per-attempt
 * `TimeoutError` (not the call's deadline), an `HttpError` or `ApiError` whose HTTP
 * status is in {@link TRANSIENT_STATUSES}, a `StorageError` with such a status or a
 * reason in {@link TRANSIENT_REASONS}. Never 4xx validation, permission, not-found
 * or conflict, and never an error that is not one of the SDK's tagged errors.
 *
 * @example
 * ```ts
 * catchError((e) => (isTransient(e) ? of(cached) : throwError(() => e)))
 * ```
 */
export function isTransient(error: unknown): boolean {
  if (!isModelMakerError(error)) return false;
  const status = statusOf(error);
  switch (error._tag) {
    case 'NetworkError':
      return true;
    case 'TimeoutError':
      return error.reason !== 'deadline';
    case 'HttpError':
    case 'ApiError':
      return status !== undefined && TRANSIENT_STATUSES.has(status);
    case 'StorageError':
      return (
        (status !== undefined && TRANSIENT_STATUSES.has(status)) ||
        (error.reason !== undefined && TRANSIENT_REASONS.has(error.reason))
      );
    default:
      return false;
  }
}

/**
 * Whether a platform call may be retried after `error`.
 *
 * Idempotent calls (GET, PUT, DELETE, and POSTs declared idempotent such as `stop`)
 * retry on every {@link isTransient} error. A non-idempotent call (a POST that
 * creates a job, a model or a service) is retried only when the request cannot
 * have reached the server: a `NetworkError` with reason `connect` (connection
 * refused, DNS failure, host unreachable — no byte was sent). After the request
 * may have been sent — a reset or closed connection, a per-attempt timeout, a
 * 5xx from a proxy — the server may have created the resource, and sending the
 * POST again could create it twice; the error is surfaced and the caller decides
 * (the create flows recover through the name-conflict codes 102009/101009).
 */
export function isRetryable(error: unknown, idempotent: boolean): boolean {
  if (idempotent) return isTransient(error);
  return hasTag(error, 'NetworkError') && error.reason === 'connect';
}
