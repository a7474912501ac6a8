/**
 * `upload`: a local file or directory tree to S3, as a stream of transfer events.
 * @module
 */
import { realpath, stat } from 'node:fs/promises';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import * as E from 'fp-ts/lib/Either.js';
import {
  asyncScheduler,
  concat,
  concatMap,
  defer,
  EMPTY,
  forkJoin,
  from,
  map,
  merge,
  mergeMap,
  type Observable,
  of,
  reduce,
  switchMap,
  throwError,
} from 'rxjs';
import { formatS3Uri, parseS3Uri } from '../../codecs/s3uri.js';
import {
  DEFAULT_BUFFERED_FILE_BYTES,
  DEFAULT_LARGE_FILE_CONCURRENCY,
  DEFAULT_MULTIPART_THRESHOLD,
  DEFAULT_PART_CONCURRENCY,
  DEFAULT_PART_SIZE,
  DEFAULT_PROGRESS_STEP_BYTES,
  DEFAULT_STORAGE_CONCURRENCY,
  DEFAULT_UPLOAD_IGNORE,
  S3_MIN_PART_SIZE,
} from '../../defaults.js';
import { ValidationError } from '../../errors.js';
import { fromAbortable } from '../kernel/abortable.js';
import type { S3AccessProvider } from './access.js';
import type { TransferEvent } from './events.js';
import { type S3Caller, withCaller } from './internal/caller.js';
import { withDigests } from './internal/digest-pool.js';
import { ignoreMatcher } from './internal/ignore.js';
import { type LocalTree, walkLocal } from './internal/local-tree.js';
import { type Delta, ProgressTracker } from './internal/progress.js';
import { listRemote, type RemoteObject } from './internal/remote.js';
import { defaultStateDir } from './internal/resume-state.js';
import { asStorageError } from './internal/s3-errors.js';
import { type RemoteHint, type SendSettings, sendFile } from './internal/send.js';
import { Slots } from './internal/slots.js';
import type { TransferOptions } from './options.js';

/** Options of `upload` (from the storage module, loaded lazily by the session helpers). */
export interface UploadOptions extends TransferOptions {
  /**
   * Paths to leave out, added to `DEFAULT_UPLOAD_IGNORE` (`.git`). Gitignore-like:
   * `*.pyc` (a name at any depth), `data/raw` or `/build` (anchored at the tree root),
   * `logs/` (directories only), `*`, `?`, and `**` as a whole segment. No negation.
   */
  readonly ignore?: readonly string[] | undefined;
  /** Files larger than this go multipart (default `DEFAULT_MULTIPART_THRESHOLD`, 16 MiB). */
  readonly multipartThreshold?: number | undefined;
  /**
   * Preferred part size (default `DEFAULT_PART_SIZE`, 16 MiB; at least 5 MiB). Grown for
   * files that would otherwise need more than 10,000 parts.
   */
  readonly partSize?: number | undefined;
  /** Parts of one file sent at the same time (default `DEFAULT_PART_CONCURRENCY`, 2). */
  readonly partConcurrency?: number | undefined;
  /**
   * Files above `multipartThreshold` sent at the same time (default
   * `DEFAULT_LARGE_FILE_CONCURRENCY`), within `concurrency`: each holds `partConcurrency`
   * parts in memory, so this bounds the memory of a tree of large files.
   */
  readonly largeFileConcurrency?: number | undefined;
  /** Where resume state of multipart uploads is kept (default `<os tmpdir>/modelmaker-uploads`). */
  readonly stateDir?: string | undefined;
}

/** The key a local file goes to. */
function keyFor(tree: LocalTree, targetKey: string, relative: string): string {
  if (tree.single) return targetKey === '' || targetKey.endsWith('/') ? targetKey + relative : targetKey;
  return directoryPrefix(targetKey) + relative;
}

/** `key/` for a non-empty key, `''` for the bucket root. */
function directoryPrefix(key: string): string {
  return key === '' || key.endsWith('/') ? key : `${key}/`;
}

/**
 * Uploads `local` (a file or a directory tree) to `s3Uri`. A file goes to the key of
 * `s3Uri`, or below it when the URI ends with `/`; a tree's files go to
 * `<key>/<relative path>` and its empty directories become `dir/` marker objects.
 *
 * Each file's SHA-256 is stored as object metadata (`x-amz-meta-sha256`). A file the
 * object already holds is not sent again: content is read, never mtimes, and compared
 * with what one listing of the target shows — same size, and an ETag that is the file's
 * MD5 (S3's ETag of a one-request upload; for a multipart one, the MD5 of its parts') — so
 * re-running an unchanged tree makes no request per file; where the ETag cannot tell
 * (another ETag form, an encrypted object), `HeadObject` compares the SHA-256 metadata.
 * Files above `multipartThreshold` go multipart, read once: each part hashed and sent
 * from memory (`partConcurrency` parts at a time) while the SHA-256 runs, which is then
 * written into the object's metadata by a copy of the object onto itself (files over
 * 5 GiB, S3's copy limit, and files an object of the same size may already hold are
 * hashed first); an interrupted multipart upload resumes from its stored parts when run
 * again (a stored part is kept only if the file's bytes there still have its MD5). Other
 * files are read whole once (up to `DEFAULT_BUFFERED_FILE_BYTES`) or as streams. When S3
 * refuses the credentials, `access.refresh()` is called once and the transfer goes on.
 *
 * Cold: each subscription runs the upload (and writes objects); unsubscribing aborts the
 * requests in flight (multipart parts already stored are kept for the next run). Emits
 * progress, one `file` event per file, and a `summary`, then completes. To feed several
 * consumers from one run, `share()` it (e.g. a progress bar and `filter(isSummary)`).
 *
 * Symlinks: followed when they resolve inside the tree, left out (and listed in the
 * summary's `leftOut`) when they lead out of it or dangle.
 *
 * Fails with `ValidationError` (bad `s3Uri`), `StorageError` (S3 or file errors; reason
 * `changed` when a file changed while being sent, `credentials` when refused after the
 * refresh), or the provider's error.
 *
 * @example
 * ```ts
 * upload(access, './code', 's3://modelmaker/jobs/42/code/', { ignore: ['*.pyc', 'data/'] })
 *   .pipe(filter(isSummary))
 *   .subscribe((s) => console.log(`${s.filesSent} sent, ${s.filesSkipped} unchanged`));
 * ```
 */
export function upload(
  access: S3AccessProvider,
  local: string,
  s3Uri: string,
  options: UploadOptions = {},
): Observable<TransferEvent> {
  return defer(() => {
    const target = parseS3Uri(s3Uri, 's3Uri');
    if (E.isLeft(target)) return throwError(() => target.left);
    const partSize = options.partSize ?? DEFAULT_PART_SIZE;
    if (partSize < S3_MIN_PART_SIZE) {
      return throwError(
        () =>
          new ValidationError([
            { field: 'partSize', message: `at least ${S3_MIN_PART_SIZE} bytes, got ${partSize}` },
          ]),
      );
    }
    const { bucket, key: targetKey } = target.right;
    const scheduler = options.scheduler ?? asyncScheduler;
    const concurrency = options.concurrency ?? DEFAULT_STORAGE_CONCURRENCY;
    const matcher = ignoreMatcher([...DEFAULT_UPLOAD_IGNORE, ...(options.ignore ?? [])]);

    return withCaller(
      access,
      options,
      (caller) =>
        withDigests((digests) =>
          // The walk, the listing of the target and the credentials, at the same time.
          fromAbortable(() => isDirectory(local)).pipe(
            asStorageError('walk', local),
            switchMap((directory) =>
              forkJoin([
                fromAbortable((signal) => walkLocal(local, matcher, signal)).pipe(
                  asStorageError('walk', local),
                ),
                directory ? remoteObjects(caller, bucket, targetKey) : of(undefined),
                defer(() => caller.endpoint()),
              ]),
            ),
            switchMap(([tree, remote, endpoint]) => {
              const settings: SendSettings = {
                caller,
                bucket,
                endpoint,
                multipartThreshold: options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD,
                partSize,
                partConcurrency: options.partConcurrency ?? DEFAULT_PART_CONCURRENCY,
                bufferedBytes: DEFAULT_BUFFERED_FILE_BYTES,
                stateDir: options.stateDir ?? defaultStateDir(),
                digests,
              };
              const tracker = new ProgressTracker(
                'upload',
                { files: tree.files.length, bytes: tree.files.reduce((sum, file) => sum + file.size, 0) },
                () => scheduler.now(),
                options.progressStepBytes ?? DEFAULT_PROGRESS_STEP_BYTES,
              );
              const large = new Slots(options.largeFileConcurrency ?? DEFAULT_LARGE_FILE_CONCURRENCY);
              const files$ = from(tree.files).pipe(
                mergeMap((file) => {
                  const key = keyFor(tree, targetKey, file.relative);
                  const hint: RemoteHint = remote
                    ? { known: true, object: remote.get(key) }
                    : { known: false };
                  const send$ = sendFile(settings, file, key, hint);
                  return file.size > settings.multipartThreshold ? large.run(send$) : send$;
                }, concurrency),
              );
              const markers$ = from(tree.emptyDirectories).pipe(
                mergeMap((relative) => {
                  const key = `${directoryPrefix(targetKey)}${relative}/`;
                  return remote?.has(key) ? EMPTY : putMarker(caller, bucket, key);
                }, concurrency),
              );
              return concat(
                of(tracker.start()),
                merge(files$, markers$).pipe(concatMap((delta) => tracker.apply(delta))),
                defer(() => of(tracker.summary({ leftOut: tree.leftOut }))),
              );
            }),
          ),
        ),
      { method: 'upload', url: s3Uri },
    );
  });
}

/** Whether `local` is a directory (followed if a symlink), found as the walk finds it (its errors alike). */
async function isDirectory(local: string): Promise<boolean> {
  return (await stat(await realpath(local))).isDirectory();
}

/**
 * For a tree: the objects already below the target, by key, with their sizes and ETags —
 * one listing instead of a request per file.
 */
function remoteObjects(
  caller: S3Caller,
  bucket: string,
  targetKey: string,
): Observable<Map<string, RemoteObject>> {
  return listRemote(caller, bucket, directoryPrefix(targetKey)).pipe(
    reduce((objects, object) => objects.set(object.key, object), new Map<string, RemoteObject>()),
  );
}

/** Puts a zero-byte `dir/` marker. */
function putMarker(caller: S3Caller, bucket: string, key: string): Observable<Delta> {
  return caller
    .call('PutObject', formatS3Uri({ bucket, key }), (client, signal) =>
      client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: new Uint8Array(0), ContentLength: 0 }),
        {
          abortSignal: signal,
        },
      ),
    )
    .pipe(map((): Delta => ({ kind: 'directory' })));
}
