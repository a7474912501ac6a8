/**
 * `deleteObjects`: removes an `s3://` "directory" (every object below a prefix).
 * @module
 */
import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import * as E from 'fp-ts/lib/Either.js';
import { concatMap, defer, from, map, type Observable, reduce, throwError } from 'rxjs';
import { formatS3Uri, parseS3Uri } from '../../codecs/s3uri.js';
import { S3_MAX_DELETE_KEYS } from '../../defaults.js';
import { ValidationError } from '../../errors.js';
import type { S3AccessProvider } from './access.js';
import { StorageError } from './errors.js';
import { type S3Caller, withCaller } from './internal/caller.js';
import { eachListingPage, type RemoteObject } from './internal/remote.js';
import type { ListOptions } from './options.js';

/**
 * Deletes every object below `s3Uri` taken as a directory (`s3://b/data` means the
 * prefix `data/`, so `data2/` is left alone), in batches of `S3_MAX_DELETE_KEYS`. Emits
 * the number of objects deleted, then completes. The listing is read a page at a time,
 * each page deleted before the next is asked for (a listing that does not advance fails
 * with `PagingError`, so a looping store cannot make it delete forever). The bucket root is refused
 * (`ValidationError`) so a typo cannot empty a bucket. Cold.
 * Fails with `ValidationError` or `StorageError` (naming the first key S3 would not delete).
 *
 * @example
 * ```ts
 * const deleted = await lastValueFrom(deleteObjects(access, 's3://modelmaker/tmp/run-7/'));
 * ```
 */
export function deleteObjects(
  access: S3AccessProvider,
  s3Uri: string,
  options: ListOptions = {},
): Observable<number> {
  return defer(() => {
    const target = parseS3Uri(s3Uri, 's3Uri');
    if (E.isLeft(target)) return throwError(() => target.left);
    const { bucket, key } = target.right;
    if (key === '' || key === '/') {
      return throwError(
        () =>
          new ValidationError([
            { field: 's3Uri', message: 'refusing to delete a whole bucket; name a prefix' },
          ]),
      );
    }
    const prefix = key.endsWith('/') ? key : `${key}/`;
    const uri = formatS3Uri({ bucket, key: prefix });
    const deleteBatch = (caller: S3Caller, batch: readonly RemoteObject[]): Observable<number> =>
      caller
        .call('DeleteObjects', uri, (client, signal) =>
          client.send(
            new DeleteObjectsCommand({
              Bucket: bucket,
              Delete: { Objects: batch.map((object) => ({ Key: object.key })), Quiet: true },
            }),
            { abortSignal: signal },
          ),
        )
        .pipe(
          map((output) => {
            const failed = output.Errors?.[0];
            if (failed) {
              throw new StorageError(`${failed.Code ?? 'error'}: ${failed.Message ?? 'not deleted'}`, {
                method: 'DeleteObjects',
                url: formatS3Uri({ bucket, key: failed.Key ?? '' }),
                reason: failed.Code,
              });
            }
            return batch.length;
          }),
        );
    // Page by page: each page's keys are deleted before the next page is asked for.
    return withCaller(
      access,
      options,
      (caller) =>
        eachListingPage(
          caller,
          bucket,
          prefix,
          (objects) =>
            from(chunks(objects, S3_MAX_DELETE_KEYS)).pipe(concatMap((batch) => deleteBatch(caller, batch))),
          options.pageSize,
        ).pipe(reduce((total, count) => total + count, 0)),
      { method: 'deleteObjects', url: uri },
    );
  });
}

/** `items` cut into arrays of at most `size`. */
function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
