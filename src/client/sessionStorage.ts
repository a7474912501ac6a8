/**
 * The seed's storage helpers (`upload_data`, `download_data`, …) on a session's S3
 * access: each an Observable that loads the Node-only storage module on subscription
 * (`await import('./storage/index.js')`), so the core never loads it statically and
 * runs in Deno and Bun until a transfer is asked for. `Session` exposes them as methods.
 * @module
 */
import { defer, type Observable, switchMap } from 'rxjs';
import type { S3AccessProvider } from './storage/access.js';
import type { DownloadOptions } from './storage/download.js';
import type { TransferEvent } from './storage/events.js';
import type { ObjectInfo } from './storage/list.js';
import type { ListOptions, StorageOptions, TransferOptions } from './storage/options.js';
import type { UploadOptions } from './storage/upload.js';

/** What the helpers need of a session: its S3 credentials and endpoint (a `Session` has them). */
export interface StorageAccess {
  s3Access(): S3AccessProvider;
}

type StorageModule = typeof import('./storage/index.js');

/** The storage module, loaded on the first subscription (the import is cached by the runtime). */
function withStorage<T>(use: (storage: StorageModule) => Observable<T>): Observable<T> {
  return defer(() => import('./storage/index.js')).pipe(switchMap(use));
}

/**
 * Uploads the local file or directory tree `local` to `s3Uri` (the seed's
 * `session.upload_data`): progress events, one `file` event per file, then a
 * `summary`. Unchanged files (same size and SHA-256) are skipped; `.git` is left out.
 * Cold; unsubscribing aborts the transfer.
 * Fails with `ValidationError`, `StorageError` (see `upload`).
 *
 * @example
 * ```ts
 * uploadData(session, './data', 's3://modelmaker/datasets/iris/').pipe(filter(isSummary)).subscribe(console.log);
 * ```
 */
export function uploadData(
  session: StorageAccess,
  local: string,
  s3Uri: string,
  options?: UploadOptions,
): Observable<TransferEvent> {
  return withStorage((storage) => storage.upload(session.s3Access(), local, s3Uri, options));
}

/**
 * Downloads the object or "directory" `s3Uri` into the directory `localDir` (the seed's
 * `session.download_data`), verifying each file. Cold; unsubscribing aborts and leaves
 * no partial file. Fails with `ValidationError`, `UnsafePathError`, `IntegrityError`,
 * `StorageError` (see `download`).
 *
 * @example
 * ```ts
 * await lastValueFrom(downloadData(session, 's3://modelmaker/jobs/42/output/', './output'));
 * ```
 */
export function downloadData(
  session: StorageAccess,
  s3Uri: string,
  localDir: string,
  options?: DownloadOptions,
): Observable<TransferEvent> {
  return withStorage((storage) => storage.download(session.s3Access(), s3Uri, localDir, options));
}

/**
 * Downloads the one object `s3Uri` to the file `localPath`. Cold. Fails with
 * `ValidationError`, `StorageError` (reason `NotFound` when there is no such object),
 * `IntegrityError`.
 *
 * @example
 * ```ts
 * await lastValueFrom(downloadFile(session, 's3://modelmaker/jobs/42/output/model.json', './model.json'));
 * ```
 */
export function downloadFile(
  session: StorageAccess,
  s3Uri: string,
  localPath: string,
  options?: TransferOptions,
): Observable<TransferEvent> {
  return withStorage((storage) => storage.downloadFile(session.s3Access(), s3Uri, localPath, options));
}

/**
 * Creates the empty "directory" `s3Uri` (a zero-byte `key/` marker); emits the
 * marker's URI. Cold. Fails with `ValidationError` (bad URI, the bucket root) or `StorageError`.
 *
 * @example
 * ```ts
 * await lastValueFrom(createDirectory(session, 's3://modelmaker/experiments/run-7'));
 * ```
 */
export function createDirectory(
  session: StorageAccess,
  s3Uri: string,
  options?: StorageOptions,
): Observable<string> {
  return withStorage((storage) => storage.createDirectory(session.s3Access(), s3Uri, options));
}

/**
 * Deletes every object below the "directory" `s3Uri` (`s3://b/data` is the prefix
 * `data/`; `data2/` is left alone); emits how many were deleted. The bucket root is
 * refused. Cold. Fails with `ValidationError` or `StorageError`.
 *
 * @example
 * ```ts
 * const deleted = await lastValueFrom(deleteDirectory(session, 's3://modelmaker/tmp/run-7/'));
 * ```
 */
export function deleteDirectory(
  session: StorageAccess,
  s3Uri: string,
  options?: ListOptions,
): Observable<number> {
  return withStorage((storage) => storage.deleteObjects(session.s3Access(), s3Uri, options));
}

/**
 * Emits every object whose key starts with the key of `s3Uri` (end it with `/` for a
 * "directory" only), page by page. Cold; unsubscribing stops paging.
 * Fails with `ValidationError` or `StorageError`.
 *
 * @example
 * ```ts
 * listObjects(session, 's3://modelmaker/jobs/42/output/').pipe(toArray()).subscribe(console.log);
 * ```
 */
export function listObjects(
  session: StorageAccess,
  s3Uri: string,
  options?: ListOptions,
): Observable<ObjectInfo> {
  return withStorage((storage) => storage.listObjects(session.s3Access(), s3Uri, options));
}
