import { describe, expect, it } from 'vitest';
import { isRetryable, isTransient } from '../../../src/client/kernel/transient.js';
import { StorageError } from '../../../src/client/storage/errors.js';
import { ApiError, HttpError, NetworkError, TimeoutError, ValidationError } from '../../../src/errors.js';

const unavailable = new HttpError(503, 'busy');

describe('isTransient', () => {
  it('is true for network errors, attempt timeouts and the transient statuses of HTTP and API errors', () => {
    expect(isTransient(new NetworkError('reset'))).toBe(true);
    expect(isTransient(new TimeoutError(1, { reason: 'attempt' }))).toBe(true);
    expect(isTransient(new TimeoutError(1, { reason: 'deadline' }))).toBe(false);
    for (const status of [408, 429, 500, 502, 503, 504]) {
      expect(isTransient(new HttpError(status, ''))).toBe(true);
      expect(isTransient(new ApiError(5000, '', status))).toBe(true);
    }
    for (const status of [400, 401, 403, 404, 409, 422, 501]) {
      expect(isTransient(new HttpError(status, ''))).toBe(false);
    }
    expect(isTransient(new ApiError(4000, '', 200))).toBe(false);
    expect(isTransient(new ValidationError([]))).toBe(false);
    expect(isTransient(new Error('plain'))).toBe(false);
    expect(isTransient({ _tag: 'NetworkError' })).toBe(false);
  });

  it('decides for storage errors too: throttling, 5xx and dropped connections, not missing keys or denials', () => {
    expect(isTransient(new StorageError('x', { reason: 'SlowDown', status: 503 }))).toBe(true);
    expect(isTransient(new StorageError('x', { reason: 'InternalError' }))).toBe(true);
    expect(isTransient(new StorageError('x', { reason: 'ECONNRESET' }))).toBe(true);
    expect(isTransient(new StorageError('x', { status: 500 }))).toBe(true);
    expect(isTransient(new StorageError('x', { reason: 'NoSuchKey', status: 404 }))).toBe(false);
    expect(isTransient(new StorageError('x', { reason: 'AccessDenied', status: 403 }))).toBe(false);
    expect(isTransient(new StorageError('x', { reason: 'ENOENT' }))).toBe(false);
    // the error's own getter is the same predicate
    expect(new StorageError('x', { reason: 'EPIPE' }).transient).toBe(true);
    expect(new StorageError('x', { reason: 'ENOENT' }).transient).toBe(false);
  });
});

describe('isRetryable', () => {
  it('retries transient errors of idempotent calls only', () => {
    expect(isRetryable(unavailable, true)).toBe(true);
    expect(isRetryable(new HttpError(404, ''), true)).toBe(false);
    expect(isRetryable(new ApiError(5000, '', 502), true)).toBe(true);
    expect(isRetryable(new ApiError(4000, '', 200), true)).toBe(false);
    expect(isRetryable(new TimeoutError(1, { reason: 'attempt' }), true)).toBe(true);
    expect(isRetryable(new TimeoutError(1, { reason: 'deadline' }), true)).toBe(false);
    expect(isRetryable(new ValidationError([]), true)).toBe(false);
  });

  it('retries a non-idempotent call only when nothing can have been sent', () => {
    expect(isRetryable(new NetworkError('refused', { reason: 'connect' }), false)).toBe(true);
    expect(isRetryable(new NetworkError('reset', { reason: 'reset' }), false)).toBe(false);
    expect(isRetryable(new NetworkError('failed', { reason: 'unknown' }), false)).toBe(false);
    expect(isRetryable(unavailable, false)).toBe(false);
    expect(isRetryable(new TimeoutError(1, { reason: 'attempt' }), false)).toBe(false);
  });
});
