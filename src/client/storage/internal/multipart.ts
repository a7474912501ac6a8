/**
 * The multipart upload of one file, step by step: resume the upload an interrupted
 * run recorded (when it is this very file and S3 still has it) or create one; read the
 * file once, in order, part by part — each part hashed (MD5, its `Content-MD5`) and sent
 * from memory, `partConcurrency` at a time, while the file's SHA-256 runs over the same
 * bytes; a part the recorded upload holds with that very MD5 is kept, not sent — then
 * complete; write the SHA-256 into the object's metadata when the upload was not created
 * with it (a copy of the object onto itself replacing its metadata: S3 sets metadata no
 * other way once the data is in); forget the record. A resumed upload the store cannot
 * complete is started over once, from nothing.
 *
 * ```
 * resumeOrCreate ─▶ finishUpload: parts (one read pass) ─▶ complete ─▶ SHA-256 metadata ─▶ parts reused
 *                      └─ a resumed upload cannot complete ─▶ startOver ─▶ finishUpload
 * ```
 * @module
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
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
  finalize,
  from,
  ignoreElements,
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
import { highWater, type OnBytes, sendBuffered } from './body.js';
import type { S3Caller } from './caller.js';
import { multipartEtag } from './etag.js';
import type { FileDigest } from './hash.js';
import { PartReader, type ReadPart } from './part-reader.js';
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

/** What {@link multipartUpload} sends: the file, cut at `partSize`. */
export interface MultipartOptions {
  readonly target: MultipartTarget;
  /** The file's size as listed (the read pass checks the file still has it). */
  readonly size: number;
  /** The file's modification time (ms) as listed: with the size, what makes a recorded upload this file's. */
  readonly mtimeMs: number;
  readonly partSize: number;
  /**
   * The file's digest, when it was read before (to compare it with the object): its
   * SHA-256 goes into the upload's metadata from the start, and each part must still
   * have its MD5. Without it, the SHA-256 is computed on the way and written after.
   */
  readonly digest: FileDigest | undefined;
  /** The upload an interrupted run recorded for this target, if any. */
  readonly recorded: UploadState | undefined;
}

/** One multipart upload: {@link MultipartOptions} and the file's parts. */
interface Upload extends MultipartOptions {
  readonly ranges: readonly PartRange[];
}

/** An upload S3 knows: its record, and the recorded parts S3 still holds (kept if the file's bytes there still match). */
interface OpenUpload {
  readonly state: UploadState;
  readonly candidates: ReadonlyMap<number, StoredPart>;
}

/**
 * How far two modification times may be apart and still be one file's (ms): a time set
 * back to the millisecond (`utimes`, `cp -p`) reads back a fraction of it off.
 */
const MTIME_TOLERANCE_MS = 1;

/** The parts S3 lists for an upload, by part number. */
type StoredParts = Map<number, { size: number; etag: string | undefined }>;

/**
 * Runs (or resumes) the multipart upload of a file; emits the number of parts
 * reused from the recorded upload, then completes. Unsubscribing aborts the
 * requests in flight and keeps the record, so the next run resumes.
 */
export function multipartUpload(options: MultipartOptions): Observable<number> {
  const upload: Upload = { ...options, ranges: partRanges(options.size, options.partSize) };
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

/** The recorded upload when it can go on (with the parts S3 still holds), else a new one (the stale one abandoned). */
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
                : { state: recorded, candidates: storedParts(upload, recorded, stored) },
            ),
          );
  return resumed$.pipe(concatMap((open) => (open ? of(open) : createUpload(upload))));
}

/**
 * True when `recorded` is an upload of this very file (same size and modification time)
 * to this very place, cut the same way, whose metadata does not contradict a known digest.
 */
function isSameUpload(upload: Upload, recorded: UploadState): boolean {
  const { target, digest } = upload;
  return (
    recorded.version === 2 &&
    recorded.endpoint === target.endpoint &&
    recorded.bucket === target.bucket &&
    recorded.key === target.key &&
    recorded.size === upload.size &&
    recorded.mtimeMs !== undefined &&
    Math.abs(recorded.mtimeMs - upload.mtimeMs) < MTIME_TOLERANCE_MS &&
    recorded.partSize === upload.partSize &&
    (digest === undefined || recorded.sha256 === undefined || recorded.sha256 === digest.sha256)
  );
}

/** The recorded parts that may be kept: a part of this cut, still stored (when S3 can tell). The read pass checks their MD5. */
function storedParts(
  upload: Upload,
  recorded: UploadState,
  stored: StoredParts | 'unsupported',
): Map<number, StoredPart> {
  const candidates = new Map<number, StoredPart>();
  for (const part of recorded.parts) {
    const range = upload.ranges[part.partNumber - 1];
    if (!range || range.size !== part.size) continue;
    if (stored !== 'unsupported') {
      const onServer = stored.get(part.partNumber);
      if (onServer === undefined || onServer.size !== part.size || onServer.etag !== bareEtag(part.etag)) {
        continue;
      }
    }
    candidates.set(part.partNumber, part);
  }
  return candidates;
}

/** A new upload (`CreateMultipartUpload`, with the SHA-256 as metadata when it is known), no part sent yet. */
function createUpload(upload: Upload): Observable<OpenUpload> {
  const { target, digest } = upload;
  return target.caller
    .call('CreateMultipartUpload', target.uri, (client, signal) =>
      client.send(
        new CreateMultipartUploadCommand({
          Bucket: target.bucket,
          Key: target.key,
          Metadata: digest ? { [SHA256_METADATA_KEY]: digest.sha256 } : undefined,
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
          version: 2,
          endpoint: target.endpoint,
          bucket: target.bucket,
          key: target.key,
          uploadId: output.UploadId,
          size: upload.size,
          mtimeMs: upload.mtimeMs,
          partSize: upload.partSize,
          ...(digest ? { sha256: digest.sha256 } : {}),
          parts: [],
        };
        return { state, candidates: new Map() };
      }),
    );
}

/**
 * Records the upload; reads the file once, sending the parts S3 does not hold
 * (recording each once S3 has it); completes the upload; puts the SHA-256 into the
 * object's metadata when the upload does not carry it; forgets the record. Emits the
 * number of parts reused.
 */
function finishUpload(upload: Upload, open: OpenUpload): Observable<number> {
  const { target } = upload;
  return defer(() => {
    const current: UploadState = { ...open.state, parts: [] };
    const reader = new PartReader({
      path: target.path,
      size: upload.size,
      uri: target.uri,
      expectedMd5: upload.digest?.partMd5,
    });
    let reused = 0;
    const parts$ = from(upload.ranges).pipe(
      mergeMap(
        (range) =>
          defer(() => reader.read(range)).pipe(
            asStorageError('read', target.path),
            concatMap((part) => {
              const kept = open.candidates.get(range.partNumber);
              if (kept && kept.md5 === part.md5) {
                reader.release(part);
                reused += 1;
                current.parts.push(kept);
                target.onBytes(range.size, false);
                return EMPTY;
              }
              return uploadPart(target, current.uploadId, part).pipe(
                concatMap((stored) => {
                  current.parts.push(stored);
                  return saveState(target, current);
                }),
                // Sent (or given up): the part's memory takes the next part read.
                finalize(() => reader.release(part)),
              );
            }),
          ),
        target.partConcurrency,
      ),
    );
    const complete$ = defer(() => reader.sha256()).pipe(
      asStorageError('read', target.path),
      concatMap((sha256) =>
        completeUpload(target, current).pipe(
          concatMap((etag) => (current.sha256 === sha256 ? EMPTY : writeSha256(target, sha256, etag))),
        ),
      ),
    );
    const sent$ = concat(saveState(target, current), parts$, complete$).pipe(
      ignoreElements(),
      finalize(() => void reader.close()),
    );
    return concat(sent$, defer(() => target.stateFile.remove()).pipe(map(() => reused)));
  });
}

/** A resumed upload the store cannot complete (its parts are gone): worth one fresh start. */
function cannotFinishResumed(open: OpenUpload, error: unknown): boolean {
  return (
    open.candidates.size > 0 &&
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

/** `UploadPart` of one part read into memory, its `Content-MD5` the MD5 of those bytes. */
function uploadPart(target: MultipartTarget, uploadId: string, part: ReadPart): Observable<StoredPart> {
  const { range, content, md5 } = part;
  const operation = `UploadPart ${range.partNumber}`;
  const progress = highWater(target.onBytes);
  return target.caller.call(operation, target.uri, async (client, signal, { meter }) => {
    const output = await sendBuffered(
      content,
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

/**
 * `CompleteMultipartUpload` with the parts of `current`, in order; emits the object's ETag
 * (if S3 gave one). A completion whose answer was lost is sent again, and S3 no longer
 * knows the upload then (`NoSuchUpload`): the upload is complete all the same when the
 * object carries the ETag exactly these parts make (see {@link completedBefore}).
 */
function completeUpload(target: MultipartTarget, current: UploadState): Observable<string | undefined> {
  return defer(() => {
    const parts = [...current.parts].sort((a, b) => a.partNumber - b.partNumber);
    return target.caller
      .call('CompleteMultipartUpload', target.uri, (client, signal) =>
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
      )
      .pipe(
        map((output) => output.ETag),
        catchError((error: unknown) =>
          error instanceof StorageError && error.reason === 'NoSuchUpload'
            ? completedBefore(target, parts, error)
            : throwError(() => error),
        ),
      );
  });
}

/**
 * The ETag of the object when an earlier try of this very completion made it: its ETag
 * is the multipart ETag of `parts` (the MD5 of their MD5s, `-N`) — no other upload gives
 * it. Otherwise fails with `error` (the upload is really gone: aborted, or completed by
 * another writer with other parts).
 */
function completedBefore(
  target: MultipartTarget,
  parts: readonly StoredPart[],
  error: StorageError,
): Observable<string | undefined> {
  const expected = multipartEtag(parts.map((part) => part.md5));
  return target.caller
    .call('HeadObject', target.uri, (client, signal) =>
      client.send(new HeadObjectCommand({ Bucket: target.bucket, Key: target.key }), {
        abortSignal: signal,
      }),
    )
    .pipe(
      catchError(() => throwError(() => error)),
      concatMap((head) =>
        bareEtag(head.ETag)?.toLowerCase() === expected ? of(head.ETag) : throwError(() => error),
      ),
    );
}

/**
 * The `CopySource` of an object as S3 reads it: `bucket/key`, each segment URL-encoded.
 * `uri` gives the form a store that decodes it as a URI (s3rver 3.7.1: `decodeURI`, which
 * leaves `%2B` and the other reserved escapes alone) reads as the same key.
 */
export function copySource(bucket: string, key: string, form: 's3' | 'uri' = 's3'): string {
  if (form === 'uri') return encodeURI(`${bucket}/${key}`);
  return `${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Writes the SHA-256 into the metadata of an object this upload completed: `CopyObject`
 * of the object onto itself, replacing its metadata — only while it still has the ETag
 * the upload completed with (when S3 gave one): a later writer's object is left alone.
 * The object is known to exist, so a `NoSuchKey` answer means the store read the copy
 * source another way: it is asked once more with the key in that store's form.
 */
export function writeSha256(
  target: MultipartTarget,
  sha256: string,
  etag: string | undefined,
): Observable<never> {
  const copy = (form: 's3' | 'uri') =>
    target.caller.call('CopyObject', target.uri, (client, signal) =>
      client.send(
        new CopyObjectCommand({
          Bucket: target.bucket,
          Key: target.key,
          CopySource: copySource(target.bucket, target.key, form),
          CopySourceIfMatch: etag === undefined || etag.startsWith('"') ? etag : `"${etag}"`,
          MetadataDirective: 'REPLACE',
          Metadata: { [SHA256_METADATA_KEY]: sha256 },
        }),
        { abortSignal: signal },
      ),
    );
  const differs =
    copySource(target.bucket, target.key, 's3') !== copySource(target.bucket, target.key, 'uri');
  return copy('s3').pipe(
    catchError((error: unknown) => (differs && isNotFound(error) ? copy('uri') : throwError(() => error))),
    ignoreElements(),
    catchError((error: unknown) =>
      error instanceof StorageError && error.status === 412 ? EMPTY : throwError(() => error),
    ),
  );
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
