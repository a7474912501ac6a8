/**
 * `s3://bucket/key` addresses, as every data path of the platform is written.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import { ValidationError } from '../errors.js';

/** A parsed `s3://bucket/key` address; `key` may be empty (the bucket root) and keeps a trailing `/`. */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

// Bucket names as S3 allows them (3–63 of a-z 0-9 . -); dots and dashes not first or last.
const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;

/** True when `value` looks like `s3://bucket[/key]`. */
export function isS3Uri(value: string): boolean {
  return S3_URI.test(value);
}

/**
 * Parses `s3://bucket/key`. A bad address is a {@link ValidationError} naming `field`.
 *
 * @example
 * ```ts
 * parseS3Uri('s3://modelmaker/data/iris.csv') // Right({ bucket: 'modelmaker', key: 'data/iris.csv' })
 * ```
 */
export function parseS3Uri(uri: string, field = 'uri'): E.Either<ValidationError, S3Location> {
  const match = typeof uri === 'string' ? S3_URI.exec(uri) : null;
  if (!match) {
    return E.left(
      new ValidationError([
        { field, message: `expected an s3://bucket/key address, got ${JSON.stringify(uri)}` },
      ]),
    );
  }
  return E.right({ bucket: match[1]!, key: match[2] ?? '' });
}

/** Formats a location back to `s3://bucket/key`. */
export function formatS3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}
