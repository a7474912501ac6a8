/**
 * The failures of storage transfers, as tagged values like the core's errors
 * (see `src/errors.ts`): `StorageError` for S3 and file-system failures,
 * `IntegrityError` for content that does not match its checksum or size, and
 * `UnsafePathError` for object keys that would land outside the target directory.
 * @module
 */
import { type ErrorFields, ModelMakerError } from '../../errors.js';
import { isTransient } from '../kernel/transient.js';

/** S3 answers meaning the credentials are expired, wrong or not allowed. */
const CREDENTIAL_REASONS: ReadonlySet<string> = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'TokenRefreshRequired',
  'InvalidToken',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'Forbidden',
]);

/** Fields of a {@link StorageError}. */
export interface StorageErrorFields extends ErrorFields {
  /** HTTP status of S3's answer, when there was one. */
  readonly status?: number | undefined;
}

/**
 * An S3 request or a local file operation of a transfer failed. `method` is the S3
 * operation (`PutObject`, `UploadPart`, …) or the local step (`walk`, `read`, `mkdir`),
 * `url` the `s3://` address or the local path (never credentials), `reason` S3's error
 * code (`NoSuchKey`, `AccessDenied`), Node's (`ENOENT`), or `changed` (a file changed
 * while being sent) or `credentials` (refused after the one refresh); `status` the HTTP status.
 */
export class StorageError extends ModelMakerError {
  readonly _tag = 'StorageError' as const;
  override readonly name = 'StorageError';
  readonly status: number | undefined;
  constructor(message: string, fields: StorageErrorFields = {}) {
    super(message, fields);
    this.status = fields.status;
  }

  /** True when another attempt may succeed (throttling, 5xx, dropped connections): {@link isTransient} of this error. */
  get transient(): boolean {
    return isTransient(this);
  }

  /** True when S3 refused the credentials (expired, unknown, bad signature, denied, 403). */
  get credentials(): boolean {
    return this.status === 403 || (this.reason !== undefined && CREDENTIAL_REASONS.has(this.reason));
  }
}

/** What an {@link IntegrityError} found different. */
export type IntegrityCheck = 'size' | 'sha256';

/**
 * Content received (or sent) does not match what it should be: its size or SHA-256
 * differs from the object's. `url` names the object (`s3://bucket/key`); the bad
 * local file has already been removed.
 */
export class IntegrityError extends ModelMakerError {
  readonly _tag = 'IntegrityError' as const;
  override readonly name = 'IntegrityError';
  constructor(
    readonly check: IntegrityCheck,
    readonly expected: string,
    readonly actual: string,
    fields: ErrorFields = {},
  ) {
    super(`${check} mismatch: expected ${expected}, got ${actual}`, fields);
  }
}

/**
 * An object key cannot be mapped to a path inside the target directory (`..`
 * segments, absolute paths, drive letters, backslashes, NUL, or a symlink leading
 * out). Nothing was written for `key`.
 */
export class UnsafePathError extends ModelMakerError {
  readonly _tag = 'UnsafePathError' as const;
  override readonly name = 'UnsafePathError';
  constructor(
    /** The offending object key, as S3 listed it. */
    readonly key: string,
    /** Why it was refused, e.g. `a ".." segment`. */
    why: string,
    fields: ErrorFields = {},
  ) {
    super(`unsafe object key ${JSON.stringify(key)}: ${why}`, { reason: 'unsafe-key', ...fields });
  }
}

/** The storage errors. */
export type StorageFailure = StorageError | IntegrityError | UnsafePathError;
