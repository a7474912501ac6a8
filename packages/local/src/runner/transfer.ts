/**
 * The platform's S3 transfers — a job's data and code into its work directory, its
 * output directory back to S3, a model's files into a service's directory — done by
 * the SDK's storage module (`modelmaker/storage`): streamed, several files at once,
 * each download written to a temporary name, checked (size, and SHA-256 when the
 * object carries it) and renamed, so a file is whole or absent; uploads store each
 * file's SHA-256 and send large files multipart. This module only adds the
 * platform's reading of an address and its errors: a {@link TransferError} whose
 * message names the field and the address.
 *
 * Cold Observables: unsubscribing (a stopped run, a closing platform) aborts the
 * requests in flight and removes temporary files.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import { ModelMakerError, parseS3Uri } from 'modelmaker';
import {
  download,
  downloadFile,
  isSummary,
  type S3AccessProvider,
  StorageError,
  type TransferEvent,
  type TransferOptions,
  type TransferSummary,
  type UploadOptions,
  upload,
} from 'modelmaker/storage';
import { catchError, defer, filter, last, map, type Observable, throwError } from 'rxjs';

/** A transfer the platform could not do: bad address, nothing there, unsafe key, S3 or integrity error. */
export class TransferError extends ModelMakerError {
  readonly _tag = 'TransferError' as const;
  override readonly name = 'TransferError';
  constructor(message: string, cause?: unknown) {
    super(message, { reason: 'transfer', cause });
  }
}

/** Files and bytes moved. */
export interface TransferCount {
  readonly files: number;
  readonly bytes: number;
}

/** Fails with a TransferError naming `field` when `uri` is not an `s3://` address. */
function checkAddress(uri: string, field: string): Observable<never> | undefined {
  const parsed = parseS3Uri(uri, field);
  return E.isLeft(parsed) ? throwError(() => new TransferError(parsed.left.message)) : undefined;
}

/** The summary's count, once the transfer is done. */
function counted(transfer$: Observable<TransferEvent>): Observable<TransferSummary> {
  return transfer$.pipe(filter(isSummary), last());
}

/**
 * Downloads `uri` into `directory` (created if missing): an object (by its exact
 * key) lands as `directory/<its file name>`; otherwise `uri` is a prefix (a `/` is
 * assumed after it) and everything under it lands at its relative path. Emits the
 * count once done.
 *
 * Fails with TransferError when the address does not parse, nothing is there, a key
 * would leave `directory`, a file does not match its checksum, or S3 fails.
 */
export function downloadTo(
  access: S3AccessProvider,
  uri: string,
  directory: string,
  field = 'uri',
  options: TransferOptions = {},
): Observable<TransferCount> {
  return defer(
    () =>
      checkAddress(uri, field) ??
      counted(download(access, uri, directory, options)).pipe(
        catchError((error: unknown) =>
          throwError(() => new TransferError(`cannot download ${uri}: ${(error as Error).message}`, error)),
        ),
        map((summary) => {
          if (summary.filesTotal === 0) throw new TransferError(`nothing found at ${uri}`);
          return { files: summary.filesTotal, bytes: summary.bytesTotal };
        }),
      ),
  );
}

/**
 * Downloads `uri` to `path`: an object (by its exact key) becomes the file `path`;
 * otherwise `uri` is a prefix and everything under it lands below the directory
 * `path`. Emits the count once done. (`inputFiles`: each lands under its own name.)
 *
 * Fails with TransferError as {@link downloadTo} does.
 */
export function downloadAs(
  access: S3AccessProvider,
  uri: string,
  path: string,
  field = 'uri',
  options: TransferOptions = {},
): Observable<TransferCount> {
  const asPrefix = () => downloadTo(access, uri, path, field, options);
  return defer(
    () =>
      checkAddress(uri, field) ??
      (uri.endsWith('/')
        ? asPrefix()
        : counted(downloadFile(access, uri, path, options)).pipe(
            map((summary): TransferCount => ({ files: summary.filesTotal, bytes: summary.bytesTotal })),
            catchError((error: unknown) =>
              error instanceof StorageError && error.reason === 'NotFound'
                ? asPrefix()
                : throwError(
                    () => new TransferError(`cannot download ${uri}: ${(error as Error).message}`, error),
                  ),
            ),
          )),
  );
}

/**
 * Uploads every file under `directory` to the prefix `uri` (a `/` is assumed after
 * it), keys being the files' relative paths with `/` separators (empty directories
 * become `dir/` markers). Emits the count once done.
 *
 * Fails with TransferError when the address does not parse or S3 fails.
 */
export function uploadDirectory(
  access: S3AccessProvider,
  directory: string,
  uri: string,
  field = 'output',
  options: UploadOptions = {},
): Observable<TransferCount> {
  const prefix = uri.endsWith('/') ? uri : `${uri}/`;
  return defer(
    () =>
      checkAddress(uri, field) ??
      counted(upload(access, directory, prefix, options)).pipe(
        map((summary) => ({ files: summary.filesTotal, bytes: summary.bytesTotal })),
        catchError((error: unknown) =>
          throwError(
            () => new TransferError(`cannot upload the output to ${uri}: ${(error as Error).message}`, error),
          ),
        ),
      ),
  );
}
