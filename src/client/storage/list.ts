/**
 * `listObjects`: the objects below an `s3://` prefix.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import { defer, map, type Observable, throwError } from 'rxjs';
import { formatS3Uri, parseS3Uri } from '../../codecs/s3uri.js';
import type { S3AccessProvider } from './access.js';
import { withCaller } from './internal/caller.js';
import { listRemote } from './internal/remote.js';
import type { ListOptions } from './options.js';

/** One object of a listing. */
export interface ObjectInfo {
  /** `s3://bucket/key`. */
  readonly uri: string;
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date | undefined;
  /** S3's ETag without quotes: an identifier of the content, not a checksum. */
  readonly etag: string | undefined;
}

/**
 * Emits every object whose key starts with the key of `s3Uri` (all depths; `dir/`
 * markers included), page by page, then completes. Cold; unsubscribing stops paging.
 * Give a trailing `/` to list a "directory" only (`s3://b/data/` does not match `data2/x`).
 * Fails with `ValidationError` or `StorageError`.
 *
 * @example
 * ```ts
 * listObjects(access, 's3://modelmaker/jobs/42/output/').pipe(toArray()).subscribe(console.log);
 * ```
 */
export function listObjects(
  access: S3AccessProvider,
  s3Uri: string,
  options: ListOptions = {},
): Observable<ObjectInfo> {
  return defer(() => {
    const target = parseS3Uri(s3Uri, 's3Uri');
    if (E.isLeft(target)) return throwError(() => target.left);
    const { bucket, key } = target.right;
    return withCaller(
      access,
      options,
      (caller) =>
        listRemote(caller, bucket, key, options.pageSize).pipe(
          map((object) => ({ uri: formatS3Uri({ bucket, key: object.key }), ...object })),
        ),
      { method: 'listObjects', url: s3Uri },
    );
  });
}
