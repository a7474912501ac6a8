/**
 * `downloadFile`: one object to an exact local path.
 * @module
 */
import { mkdir, realpath } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { asyncScheduler, concat, concatMap, defer, type Observable, of, switchMap, throwError } from 'rxjs';
import { parseS3Uri } from '../../codecs/s3uri.js';
import { DEFAULT_PROGRESS_STEP_BYTES } from '../../defaults.js';
import type { S3AccessProvider } from './access.js';
import { StorageError } from './errors.js';
import type { TransferEvent } from './events.js';
import { withCaller } from './internal/caller.js';
import { ProgressTracker } from './internal/progress.js';
import { receiveObject } from './internal/receive.js';
import { headRemote } from './internal/remote.js';
import { asStorageError } from './internal/s3-errors.js';
import type { TransferOptions } from './options.js';

/**
 * Downloads the object `s3Uri` to the file `localPath` (its directory is created if
 * missing). Same checks as `download`: temporary name, size and SHA-256 verified, then
 * renamed; skipped when the local file already has the object's size and SHA-256.
 *
 * Cold; unsubscribing aborts and removes the temporary file. Fails with
 * `ValidationError`, `StorageError` (reason `NotFound` when there is no such object),
 * `IntegrityError`.
 *
 * @example
 * ```ts
 * await lastValueFrom(downloadFile(access, 's3://modelmaker/jobs/42/output/model.pt', './model.pt'));
 * ```
 */
export function downloadFile(
  access: S3AccessProvider,
  s3Uri: string,
  localPath: string,
  options: TransferOptions = {},
): Observable<TransferEvent> {
  return defer(() => {
    const target = parseS3Uri(s3Uri, 's3Uri');
    if (E.isLeft(target)) return throwError(() => target.left);
    const { bucket, key } = target.right;
    const scheduler = options.scheduler ?? asyncScheduler;
    return withCaller(
      access,
      options,
      (caller) =>
        headRemote(caller, bucket, key).pipe(
          switchMap((head) => {
            if (!head) {
              return throwError(
                () =>
                  new StorageError('no such object', {
                    method: 'HeadObject',
                    url: s3Uri,
                    reason: 'NotFound',
                    status: 404,
                  }),
              );
            }
            const tracker = new ProgressTracker(
              'download',
              { files: 1, bytes: head.size },
              () => scheduler.now(),
              options.progressStepBytes ?? DEFAULT_PROGRESS_STEP_BYTES,
            );
            return defer(async () => {
              await mkdir(dirname(localPath), { recursive: true });
              return realpath(dirname(localPath));
            }).pipe(
              asStorageError('mkdir', dirname(localPath)),
              switchMap((directory) =>
                concat(
                  of(tracker.start()),
                  receiveObject(caller, bucket, {
                    key,
                    directory,
                    name: basename(localPath),
                    relative: basename(localPath),
                    size: head.size,
                    head,
                  }).pipe(concatMap((delta) => tracker.apply(delta))),
                  defer(() => of(tracker.summary({ sizeOnly: head.sha256 ? [] : [s3Uri] }))),
                ),
              ),
            );
          }),
        ),
      { method: 'downloadFile', url: s3Uri },
    );
  });
}
