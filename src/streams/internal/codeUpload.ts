/**
 * A local code directory (`codeDir`, `modelCodeDir`) uploaded before the job or model
 * is created, as the seed does: into `s3://<bucket>/<timestamp>/<dirname>/`, and that
 * URI then sent as `codeUrl`.
 * @module
 */
import { asyncScheduler, concat, defer, map, type Observable, of, type SchedulerLike, switchMap } from 'rxjs';
import type { Logger } from '../../client/logger.js';
import { type StorageAccess, uploadData } from '../../client/sessionStorage.js';
import type { TransferEvent } from '../../client/storage/events.js';
import type { UploadOptions } from '../../client/storage/upload.js';

/** What the upload needs of a session: its S3 access, its default bucket, a logger. */
export interface CodeUploadSession extends StorageAccess {
  bucket(): Promise<string>;
  readonly logger: Logger;
}

/** One step of a code upload: a transfer event, then where the code went. */
export type CodeUploadStep =
  | { readonly type: 'upload'; readonly event: TransferEvent }
  | { readonly type: 'uploaded'; readonly uri: string };

/** Options of {@link uploadCode}. */
export interface CodeUploadOptions {
  /** Options of the upload (ignore patterns, concurrency…). */
  readonly upload?: UploadOptions | undefined;
  /** Clock of the timestamp. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike | undefined;
}

/** The last segment of a local path (either separator), or `code` for `/`, `.`, `..`. */
function directoryName(localDir: string): string {
  const name =
    localDir
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? '';
  return name === '' || name === '.' || name === '..' ? 'code' : name;
}

/**
 * `s3://<bucket>/<timestamp>/<dirname>/`, the timestamp in UTC to the millisecond
 * (`20240601T120304567Z`), so two uploads of the same directory do not share a prefix.
 *
 * @example
 * ```ts
 * codeUploadUri('modelmaker', './src/train/', Date.UTC(2024, 5, 1, 12, 3, 4, 567))
 * // 's3://modelmaker/20240601T120304567Z/train/'
 * ```
 */
export function codeUploadUri(bucket: string, localDir: string, nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:.]/g, '');
  return `s3://${bucket}/${stamp}/${directoryName(localDir)}/`;
}

/**
 * Uploads `localDir` into {@link codeUploadUri} of the session's default bucket:
 * emits each transfer event, then `{ type: 'uploaded', uri }`, then completes.
 * Cold. Fails with `ValidationError` (no default bucket) or the upload's errors.
 */
export function uploadCode(
  session: CodeUploadSession,
  localDir: string,
  options: CodeUploadOptions = {},
): Observable<CodeUploadStep> {
  const scheduler = options.scheduler ?? asyncScheduler;
  return defer(() => session.bucket()).pipe(
    switchMap((bucket) => {
      const uri = codeUploadUri(bucket, localDir, scheduler.now());
      session.logger.info(`uploading ${localDir} to ${uri}`);
      return concat(
        uploadData(session, localDir, uri, options.upload).pipe(
          map((event): CodeUploadStep => ({ type: 'upload', event })),
        ),
        of<CodeUploadStep>({ type: 'uploaded', uri }),
      );
    }),
  );
}
