/**
 * The multipart upload of one file, step by step: resume the upload an interrupted
 * run recorded (when it is this very file and S3 still has it) or create one, send
 * the missing parts (recording each), complete, forget the record. A resumed upload
 * the store cannot complete is started over once, from nothing.
 *
 * ```
 * resumeOrCreate ─▶ finishUpload ──────────────────────────────▶ parts reused
 *                      └─ a resumed upload cannot complete ─▶ startOver ─▶ finishUpload
 * ```
 * @module
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  type ListPartsCommandOutput,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import {
  catchError,
  concat,
  concatMap,
  defer,
  EMPTY,
  expand,
  from,
  ignoreElements,
  last,
  map,
  mergeMap,
  type Observable,
  of,
  reduce,
  throwError,
} from 'rxjs';
import { SHA256_METADATA_KEY } from '../../../defaults.js';
import { PagingError } from '../../../errors.js';
import { StorageError } from '../errors.js';
import { highWater, type OnBytes, sendMetered } from './body.js';
import type { S3Caller } from './caller.js';
import type { FileDigest } from './hash.js';
import { type PartRange, partRanges } from './part-size.js';
import { bareEtag } from './remote.js';
import type { StoredPart, UploadState, UploadStateFile } from './resume-state.js';
import { asStorageError, isNotFound, isUnsupported } from './s3-errors.js';

/** Where one file goes, and how its upload reports and records itself. */
export interface MultipartTarget {
  readonly caller: S3Caller;
  /** The endpoint URL, part of a recorded upload's identity. */
  readonly endpoint: string;
  readonly bucket: string;
  readonly key: string;
  /** `s3://bucket/key`, for errors. */
  readonly uri: string;
  /** The local file. */
  readonly path: string;
  readonly partConcurrency: number;
  readonly stateFile: UploadStateFile;
  readonly onBytes: OnBytes;
}

/** What {@link multipartUpload} sends: the file's digest, cut at `partSize`. */
export interface MultipartOptions {
  readonly target: MultipartTarget;
  readonly digest: FileDigest;
  readonly partSize: number;
  /** The upload an interrupted run recorded for this target, if any. */
  readonly recorded: UploadState | undefined;
}

/** One multipart upload: {@link MultipartOptions} and the file's parts. */
interface Upload extends MultipartOptions {
  readonly ranges: readonly PartRange[];
}

/** An upload S3 knows: its record, and the parts kept from an earlier run. */
interface OpenUpload {
  readonly state: UploadState;
  readonly reused: readonly StoredPart[];
}

/** The parts S3 lists for an upload, by part number. */
type StoredParts = Map<number, { size: number; etag: string | undefined }>;

/**
 * Runs (or resumes) the multipart upload of a file; emits the number of parts
 * reused from the recorded upload, then completes. Unsubscribing aborts the
 * requests in flight and keeps the record, so the next run resumes.
 */
export function multipartUpload(options: MultipartOptions): Observable<number> {
  const upload: Upload = { ...options, ranges: partRanges(options.digest.size, options.partSize) };
  return resumeOrCreate(upload).pipe(
    concatMap((open) =>
      finishUpload(upload, open).pipe(
        catchError((error: unknown) =>
          cannotFinishResumed(open, error) ? startOver(upload) : throwError(() => error),
        ),
      ),
    ),
  );
}

/** The recorded upload when it can go on (with the parts still usable), else a new one (the stale one abandoned). */
function resumeOrCreate(upload: Upload): Observable<OpenUpload> {
  const { recorded, target } = upload;
  const resumed$: Observable<OpenUpload | undefined> =
    recorded === undefined
      ? of(undefined)
      : !isSameUpload(upload, recorded)
        ? concat(abandon(target, recorded.uploadId), of(undefined))
        : listParts(target, recorded.uploadId).pipe(
            map((stored) =>
              stored === 'gone'
                ? undefined
                : { state: recorded, reused: reusableParts(upload, recorded, stored) },
            ),
          );
  return resumed$.pipe(concatMap((open) => (open ? of(open) : createUpload(upload))));
}

/** True when `recorded` is an upload of this very content to this very place, cut the same way. */
function isSameUpload(upload: Upload, recorded: UploadState): boolean {
  const { target, digest } = upload;
  return (
    recorded.endpoint === target.endpoint &&
    recorded.bucket === target.bucket &&
    recorded.key === target.key &&
    recorded.size === digest.size &&
    recorded.sha256 === digest.sha256 &&
    recorded.partSize === upload.partSize
  );
}

/** The recorded parts that can be kept: same size and MD5 locally, and still stored (when S3 can tell). */
function reusableParts(
  upload: Upload,
  recorded: UploadState,
  stored: StoredParts | 'unsupported',
): StoredPart[] {
  return recorded.parts.filter((part) => {
    const range = upload.ranges[part.partNumber - 1];
    if (!range || range.size !== part.size || upload.digest.partMd5[part.partNumber - 1] !== part.md5) {
      return false;
    }
    if (stored === 'unsupported') return true;
    const onServer = stored.get(part.partNumber);
    return onServer !== undefined && onServer.size === part.size && onServer.etag === bareEtag(part.etag);
  });
}

/** A new upload (`CreateMultipartUpload`, with the SHA-256 as metadata), no part sent yet. */
function createUpload(upload: Upload): Observable<OpenUpload> {
  const { target, digest } = upload;
  return target.caller
    .call('CreateMultipartUpload', target.uri, (client, signal) =>
      client.send(
        new CreateMultipartUploadCommand({
          Bucket: target.bucket,
          Key: target.key,
          Metadata: { [SHA256_METADATA_KEY]: digest.sha256 },
        }),
        { abortSignal: signal },
      ),
    )
    .pipe(
      map((output): OpenUpload => {
        if (!output.UploadId) {
          throw new StorageError('no UploadId in the answer', {
            method: 'CreateMultipartUpload',
            url: target.uri,
          });
        }
        const state: UploadState = {
          version: 1,
          endpoint: target.endpoint,
          bucket: target.bucket,
          key: target.key,
          uploadId: output.UploadId,
          size: digest.size,
          sha256: digest.sha256,
          partSize: upload.partSize,
          parts: [],
        };
        return { state, reused: [] };
      }),
    );
}

/**
 * Records the upload, sends the missing parts (recording each once S3 has it),
 * completes the upload and forgets the record; emits the number of parts reused.
 */
function finishUpload(upload: Upload, open: OpenUpload): Observable<number> {
  const { target } = upload;
  return defer(() => {
    const current: UploadState = { ...open.state, parts: [...open.reused] };
    const reusedBytes = open.reused.reduce((sum, part) => sum + part.size, 0);
    if (reusedBytes > 0) target.onBytes(reusedBytes, false);
    return concat(
      saveState(target, current),
      sendMissingParts(upload, current),
      completeUpload(upload, current),
    ).pipe(
      last(),
      concatMap(() => defer(() => target.stateFile.remove())),
      map(() => open.reused.length),
    );
  });
}

/** A resumed upload the store cannot complete (its parts are gone): worth one fresh start. */
function cannotFinishResumed(open: OpenUpload, error: unknown): boolean {
  return (
    open.reused.length > 0 &&
    error instanceof StorageError &&
    error.method === 'CompleteMultipartUpload' &&
    !error.credentials
  );
}

/** Forgets the record and sends the whole file in a new upload (which reuses nothing, so it is never started over). */
function startOver(upload: Upload): Observable<number> {
  return defer(() => upload.target.stateFile.remove()).pipe(
    concatMap(() => createUpload(upload)),
    concatMap((open) => finishUpload(upload, open)),
  );
}

/** Writes the record of `state` (atomically; see `UploadStateFile`). */
function saveState(target: MultipartTarget, state: UploadState): Observable<never> {
  return defer(() => target.stateFile.save(state)).pipe(
    asStorageError('state', target.stateFile.path),
    ignoreElements(),
  );
}

/** Sends the parts `current` does not hold, `partConcurrency` at a time, adding each to `current` and recording it. */
function sendMissingParts(upload: Upload, current: UploadState): Observable<never> {
  const { target } = upload;
  const have = new Set(current.parts.map((part) => part.partNumber));
  const missing = upload.ranges.filter((range) => !have.has(range.partNumber));
  return from(missing).pipe(
    mergeMap(
      (range) =>
        uploadPart(upload, current.uploadId, range).pipe(
          concatMap((part) => {
            current.parts.push(part);
            return saveState(target, current);
          }),
        ),
      target.partConcurrency,
    ),
    ignoreElements(),
  );
}

/** `UploadPart` of one range, the body metered and checked against the part's MD5. */
function uploadPart(upload: Upload, uploadId: string, range: PartRange): Observable<StoredPart> {
  const { target } = upload;
  const md5 = upload.digest.partMd5[range.partNumber - 1] ?? '';
  const operation = `UploadPart ${range.partNumber}`;
  const progress = highWater(target.onBytes);
  return target.caller.call(operation, target.uri, async (client, signal, { meter }) => {
    const output = await sendMetered(
      { path: target.path, start: range.start, size: range.size, md5 },
      { uri: target.uri, operation },
      progress,
      signal,
      (body, abortSignal) =>
        client.send(
          new UploadPartCommand({
            Bucket: target.bucket,
            Key: target.key,
            UploadId: uploadId,
            PartNumber: range.partNumber,
            Body: body,
            ContentLength: range.size,
            ContentMD5: md5,
          }),
          { abortSignal },
        ),
      meter,
    );
    if (!output.ETag)
      throw new StorageError('no ETag in the answer', { method: 'UploadPart', url: target.uri });
    return { partNumber: range.partNumber, size: range.size, etag: output.ETag, md5 };
  });
}

/** `CompleteMultipartUpload` with the parts of `current`, in order. */
function completeUpload(upload: Upload, current: UploadState): Observable<unknown> {
  const { target } = upload;
  return defer(() => {
    const parts = [...current.parts].sort((a, b) => a.partNumber - b.partNumber);
    return target.caller.call('CompleteMultipartUpload', target.uri, (client, signal) =>
      client.send(
        new CompleteMultipartUploadCommand({
          Bucket: target.bucket,
          Key: target.key,
          UploadId: current.uploadId,
          MultipartUpload: {
            Parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })),
          },
        }),
        { abortSignal: signal },
      ),
    );
  });
}

/** The parts S3 lists for an upload (`unsupported` when the store has no ListParts, `gone` when the upload is not there). */
function listParts(
  target: MultipartTarget,
  uploadId: string,
): Observable<StoredParts | 'unsupported' | 'gone'> {
  const page = (marker: string | undefined): Observable<ListPartsCommandOutput> =>
    target.caller.call('ListParts', target.uri, (client, signal) =>
      client.send(
        new ListPartsCommand({
          Bucket: target.bucket,
          Key: target.key,
          UploadId: uploadId,
          PartNumberMarker: marker,
        }),
        { abortSignal: signal },
      ),
    );
  // Each page remembers the marker it was asked with, so the next one can be checked to move forward.
  const asked = (marker: string | undefined, pages: number) =>
    page(marker).pipe(map((output) => ({ output, marker, pages })));
  return asked(undefined, 1).pipe(
    expand(({ output, marker, pages }) => {
      if (!output.IsTruncated) return EMPTY;
      const next = output.NextPartNumberMarker;
      if (next === undefined || next === '' || (marker !== undefined && !(Number(next) > Number(marker)))) {
        return throwError(
          () =>
            new PagingError(
              `part listing of ${target.uri} does not advance: page ${pages} is truncated with part marker ${JSON.stringify(next ?? null)} after ${JSON.stringify(marker ?? null)}`,
              pages,
              { method: 'ListParts', url: target.uri },
            ),
        );
      }
      return asked(next, pages + 1);
    }),
    map(({ output }) => output),
    reduce((parts, output) => {
      for (const part of output.Parts ?? []) {
        if (part.PartNumber !== undefined) {
          parts.set(part.PartNumber, { size: part.Size ?? -1, etag: bareEtag(part.ETag) });
        }
      }
      return parts;
    }, new Map() as StoredParts),
    catchError((error: unknown) => {
      if (isUnsupported(error)) return of('unsupported' as const);
      if (isNotFound(error) || (error instanceof StorageError && error.reason === 'NoSuchUpload')) {
        return of('gone' as const);
      }
      return throwError(() => error);
    }),
  );
}

/** Best effort: tells S3 to drop an upload that will not be finished (not all stores support it). */
export function abandon(target: MultipartTarget, uploadId: string): Observable<never> {
  return target.caller
    .call('AbortMultipartUpload', target.uri, (client, signal) =>
      client.send(
        new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId: uploadId }),
        { abortSignal: signal },
      ),
    )
    .pipe(
      ignoreElements(),
      catchError(() => EMPTY),
    );
}
