/**
 * Which `s3://bucket/key` addresses the platform accepts in a request body (model
 * paths, code, output): the rules the embedded store holds keys to (`safeKeys.ts`),
 * checked before any S3 call so a bad address is a 400 naming its field — never a
 * 500, nor a job that trains for hours and then cannot upload its output.
 *
 * Refused: an address that is not `s3://bucket/key`, a bucket name S3 does not allow,
 * a key with a `.` or `..` path segment (the store keeps keys as paths: it would leave
 * the bucket), an empty segment (`a//b`: the store would file it as `a/b`; only a
 * trailing `/` is allowed) and a NUL byte. The same rules hold with an external S3, so
 * an address means the same thing on either store.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import { parseS3Uri } from 'modelmaker';

/** Bucket names as S3 allows them: 3–63 of `a-z 0-9 . -`, starting and ending alphanumeric, no `..`. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** A parsed address the platform accepts. */
export interface ObjectAddress {
  readonly bucket: string;
  /** `''` for the bucket's root. */
  readonly key: string;
}

/**
 * Checks `uri`: the bucket and key it names, or why no object can have that address
 * (a sentence without the field's name, e.g. `a key with a ".." path segment: …`).
 *
 * @example
 * ```ts
 * checkObjectAddress('s3://modelmaker/out/'); // right({ bucket: 'modelmaker', key: 'out/' })
 * checkObjectAddress('s3://modelmaker/../x'); // left('expected a key without "." or ".." path segments, …')
 * ```
 */
export function checkObjectAddress(uri: string): E.Either<string, ObjectAddress> {
  const parsed = parseS3Uri(uri);
  if (E.isLeft(parsed)) return E.left(`expected an s3://bucket/key address, got ${JSON.stringify(uri)}`);
  const { bucket, key } = parsed.right;
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    return E.left(`${JSON.stringify(bucket)} is not a valid bucket name (in ${uri})`);
  }
  if (key.includes('\0')) return E.left(`expected a key without NUL bytes, got ${JSON.stringify(uri)}`);
  const segments = key.split('/');
  if (segments.some((segment) => segment === '.' || segment === '..')) {
    return E.left(`expected a key without "." or ".." path segments, got ${uri}`);
  }
  // Only the last segment may be empty: `a/b/` names a folder; `a//b` and `/a` do not work.
  if (segments.slice(0, -1).some((segment) => segment === '') && key !== '') {
    return E.left(`expected a key without an empty path segment ("//"), got ${uri}`);
  }
  return E.right({ bucket, key });
}
