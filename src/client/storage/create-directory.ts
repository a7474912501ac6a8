/**
 * `createDirectory`: an empty `dir/` marker object, as S3 consoles make them.
 * @module
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import * as E from 'fp-ts/lib/Either.js';
import { defer, map, type Observable, throwError } from 'rxjs';
import { formatS3Uri, parseS3Uri } from '../../codecs/s3uri.js';
import { ValidationError } from '../../errors.js';
import type { S3AccessProvider } from './access.js';
import { withCaller } from './internal/caller.js';
import type { StorageOptions } from './options.js';

/**
 * Puts a zero-byte object `<key>/` so the "directory" shows in listings (and becomes an
 * empty directory on `download`). Emits the marker's `s3://` URI, then completes. Cold.
 * Fails with `ValidationError` (bad URI or the bucket root) or `StorageError`.
 *
 * @example
 * ```ts
 * await lastValueFrom(createDirectory(access, 's3://modelmaker/jobs/42/output'));
 * ```
 */
export function createDirectory(
  access: S3AccessProvider,
  s3Uri: string,
  options: StorageOptions = {},
): Observable<string> {
  return defer(() => {
    const target = parseS3Uri(s3Uri, 's3Uri');
    if (E.isLeft(target)) return throwError(() => target.left);
    const { bucket, key } = target.right;
    if (key === '' || key === '/') {
      return throwError(
        () => new ValidationError([{ field: 's3Uri', message: 'name a directory below the bucket' }]),
      );
    }
    const marker = key.endsWith('/') ? key : `${key}/`;
    const uri = formatS3Uri({ bucket, key: marker });
    return withCaller(
      access,
      options,
      (caller) =>
        caller
          .call('PutObject', uri, (client, signal) =>
            client.send(
              new PutObjectCommand({
                Bucket: bucket,
                Key: marker,
                Body: new Uint8Array(0),
                ContentLength: 0,
              }),
              {
                abortSignal: signal,
              },
            ),
          )
          .pipe(map(() => uri)),
      { method: 'createDirectory', url: uri },
    );
  });
}
