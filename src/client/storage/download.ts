/**
 * `download`: an object or everything below a prefix into a local directory, as a
 * stream of transfer events.
 * @module
 */
import { mkdir, realpath } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import {
  asyncScheduler,
  concat,
  concatMap,
  defer,
  from,
  map,
  merge,
  mergeMap,
  type Observable,
  of,
  switchMap,
  throwError,
  toArray,
} from 'rxjs';
import { parseS3Uri } from '../../codecs/s3uri.js';
import { DEFAULT_PROGRESS_STEP_BYTES, DEFAULT_STORAGE_CONCURRENCY } from '../../defaults.js';
import { fromAbortable } from '../kernel/abortable.js';
import type { S3AccessProvider } from './access.js';
import { UnsafePathError } from './errors.js';
import type { TransferEvent } from './events.js';
import { type S3Caller, withCaller } from './internal/caller.js';
import { type Delta, ProgressTracker } from './internal/progress.js';
import { receiveObject } from './internal/receive.js';
import { headRemote, listRemote, type RemoteHead, type RemoteObject } from './internal/remote.js';
import { asStorageError } from './internal/s3-errors.js';
import { ensureDirectoryInside, keySegments, type SafeKey } from './internal/safe-path.js';
import type { TransferOptions } from './options.js';

/** Options of `download` (from the storage module, loaded lazily by the session helpers). */
export interface DownloadOptions extends TransferOptions {
  /**
   * What to do with keys that would land outside the target directory (`..`, absolute
   * paths, drive letters, backslashes, NUL): `error` (default) fails with
   * `UnsafePathError` before anything is written; `skip` leaves them out and lists them
   * in the summary's `rejectedKeys`.
   */
  readonly onUnsafeKey?: 'error' | 'skip' | undefined;
}

/** An object to fetch, with its checked local place. */
interface Planned {
  readonly object: RemoteObject;
  readonly head: RemoteHead | undefined;
  readonly safe: SafeKey;
}

/** The objects to fetch: one object (the URI names one), or everything below `key/`. */
function listing(
  caller: S3Caller,
  bucket: string,
  key: string,
): Observable<{ prefix: string; objects: readonly RemoteObject[]; head: RemoteHead | undefined }> {
  const all = (prefix: string) =>
    listRemote(caller, bucket, prefix).pipe(
      toArray(),
      map((objects) => ({ prefix, objects, head: undefined })),
    );
  if (key === '' || key.endsWith('/')) return all(key);
  return headRemote(caller, bucket, key).pipe(
    switchMap((head) =>
      head ? of({ prefix: key.slice(0, key.lastIndexOf('/') + 1), objects: [head], head }) : all(`${key}/`),
    ),
  );
}

/**
 * Downloads `s3Uri` into the directory `localDir` (created if missing). When the URI
 * names an object, that file lands as `localDir/<base name>`; otherwise every object
 * below `<key>/` lands at `localDir/<rest of its key>`, and `dir/` marker objects become
 * (empty) directories.
 *
 * Keys are mapped only to paths inside `localDir`, checked against its real path
 * (`localDir` may itself be a symlink): unsafe keys fail the transfer before anything is
 * written, or are skipped (`onUnsafeKey`). Each file is written to a temporary name in its
 * directory, checked (size; SHA-256 when the object has `x-amz-meta-sha256`), then renamed:
 * a check that fails is an `IntegrityError` naming the key, and no file is left. Objects
 * without that metadata are checked by size only and listed in the summary's `sizeOnly`.
 * A local file that already has the object's size and SHA-256 is not fetched again.
 *
 * Cold: each subscription runs the download (`share()` it to feed several consumers);
 * unsubscribing aborts the requests in flight and removes temporary files. Emits
 * progress, one `file` event per file, and a `summary`, then completes.
 * Fails with `ValidationError`, `UnsafePathError`, `IntegrityError`, `StorageError`.
 *
 * @example
 * ```ts
 * download(access, 's3://modelmaker/jobs/42/output/', './output').subscribe(console.log);
 * ```
 */
export function download(
  access: S3AccessProvider,
  s3Uri: string,
  localDir: string,
  options: DownloadOptions = {},
): Observable<TransferEvent> {
  return defer(() => {
    const target = parseS3Uri(s3Uri, 's3Uri');
    if (E.isLeft(target)) return throwError(() => target.left);
    const { bucket, key } = target.right;
    const scheduler = options.scheduler ?? asyncScheduler;
    const concurrency = options.concurrency ?? DEFAULT_STORAGE_CONCURRENCY;
    const onUnsafe = options.onUnsafeKey ?? 'error';

    return withCaller(access, options, (caller) =>
      fromAbortable(async () => {
        await mkdir(localDir, { recursive: true });
        return realpath(localDir);
      }).pipe(
        asStorageError('mkdir', localDir),
        switchMap((root) =>
          listing(caller, bucket, key).pipe(
            switchMap(({ prefix, objects, head }) => {
              const planned: Planned[] = [];
              const rejectedKeys: string[] = [];
              for (const object of objects) {
                const safe = keySegments(object.key, prefix);
                if (typeof safe === 'string') {
                  if (onUnsafe === 'error') return throwError(() => new UnsafePathError(object.key, safe));
                  rejectedKeys.push(object.key);
                } else if (safe.segments.length > 0) {
                  planned.push({ object, head, safe });
                }
              }
              const files = planned.filter((entry) => !entry.safe.directory);
              const directories = planned.filter((entry) => entry.safe.directory);
              const tracker = new ProgressTracker(
                'download',
                { files: files.length, bytes: files.reduce((sum, entry) => sum + entry.object.size, 0) },
                () => scheduler.now(),
                options.progressStepBytes ?? DEFAULT_PROGRESS_STEP_BYTES,
              );
              const sizeOnly: string[] = [];
              const files$ = from(files).pipe(
                mergeMap((entry) => fetchPlanned(caller, bucket, root, entry), concurrency),
              );
              const directories$ = from(directories).pipe(
                mergeMap(
                  (entry) =>
                    defer(() => ensureDirectoryInside(root, entry.safe.segments, entry.object.key)).pipe(
                      asStorageError('mkdir', root),
                      map((): Delta => ({ kind: 'directory' })),
                    ),
                  concurrency,
                ),
              );
              return concat(
                of(tracker.start()),
                merge(directories$, files$).pipe(
                  concatMap((delta) => {
                    if (delta.kind === 'file' && delta.event.verified === 'size')
                      sizeOnly.push(delta.event.uri);
                    return tracker.apply(delta);
                  }),
                ),
                defer(() => of(tracker.summary({ sizeOnly, rejectedKeys }))),
              );
            }),
          ),
        ),
      ),
    );
  });
}

function fetchPlanned(caller: S3Caller, bucket: string, root: string, entry: Planned): Observable<Delta> {
  const segments = entry.safe.segments;
  const name = segments[segments.length - 1] ?? '';
  return defer(() => ensureDirectoryInside(root, segments.slice(0, -1), entry.object.key)).pipe(
    asStorageError('mkdir', root),
    switchMap((directory) =>
      receiveObject(caller, bucket, {
        key: entry.object.key,
        directory,
        name,
        relative: segments.join('/'),
        size: entry.object.size,
        head: entry.head,
      }),
    ),
  );
}
