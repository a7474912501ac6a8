/**
 * Turns what the AWS SDK and Node throw into {@link StorageError} values.
 * @module
 */
import { catchError, type MonoTypeOperatorFunction, throwError } from 'rxjs';
import { isModelMakerError } from '../../../errors.js';
import { parseRetryAfter } from '../../kernel/retryAfter.js';
import { StorageError } from '../errors.js';

interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  /** The HTTP answer the AWS SDK attaches to a service error. */
  readonly $response?: { readonly headers?: unknown };
}

/** The `Retry-After` of the answer an SDK error came with, as a wait in ms. */
function retryAfterOf(shape: SdkErrorShape): number | undefined {
  const headers = shape.$response?.headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === 'retry-after');
  return typeof entry?.[1] === 'string' ? parseRetryAfter(entry[1], Date.now()) : undefined;
}

/**
 * Maps an error of an S3 call (or of a file step) to a {@link StorageError} naming the
 * operation and the `s3://` address (or the local path), with the store's `Retry-After`
 * as `retryAfterMs` when it sent one. Tagged errors of this package pass through.
 */
export function toStorageError(error: unknown, operation: string, uri: string): Error {
  if (isModelMakerError(error)) return error;
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const status =
    typeof shape.$metadata?.httpStatusCode === 'number' ? shape.$metadata.httpStatusCode : undefined;
  // Node system errors carry `code` (ECONNRESET); SDK service errors carry a `name` (NoSuchKey).
  const reason =
    typeof shape.code === 'string' ? shape.code : typeof shape.name === 'string' ? shape.name : undefined;
  const message = typeof shape.message === 'string' && shape.message ? shape.message : String(error);
  // Node's own messages start with their code already ("ENOENT: no such file or directory, …")
  const text =
    reason !== undefined && message.startsWith(`${reason}:`) ? message : `${reason ?? 'error'}: ${message}`;
  return new StorageError(text, {
    method: operation,
    url: uri,
    reason,
    status,
    retryAfterMs: retryAfterOf(shape),
    cause: error,
  });
}

/**
 * Maps the failures of a local step (a file-system call) to a `StorageError` naming the
 * step and the path (`reason` is Node's code, e.g. `ENOENT`). Tagged errors pass through.
 */
export function asStorageError<T>(operation: string, where: string): MonoTypeOperatorFunction<T> {
  return catchError((error: unknown) => throwError(() => toStorageError(error, operation, where)));
}

/** True when the error is S3 saying the object (or upload) is not there. */
export function isNotFound(error: unknown): boolean {
  return (
    error instanceof StorageError &&
    (error.status === 404 || error.reason === 'NoSuchKey' || error.reason === 'NotFound')
  );
}

/** True when the store does not implement the operation (s3rver: ListParts, ListMultipartUploads). */
export function isUnsupported(error: unknown): boolean {
  return (
    error instanceof StorageError &&
    (error.status === 405 ||
      error.status === 501 ||
      error.reason === 'NotImplemented' ||
      error.reason === 'MethodNotAllowed')
  );
}
