/**
 * Sends one local file to S3: skipped when the object already has its size and
 * SHA-256, one `PutObject` up to the multipart threshold, else a multipart upload
 * that resumes from the parts an interrupted run stored.
 * @module
 */
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  type ListPartsCommandOutput,
  PutObjectCommand,
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
  Observable,
  of,
  reduce,
  switchMap,
  throwError,
} from 'rxjs';
import { formatS3Uri } from '../../../codecs/s3uri.js';
import {
  DEFAULT_READ_CHUNK_BYTES,
  S3_MAX_PARTS,
  S3_MIN_PART_SIZE,
  SHA256_METADATA_KEY,
} from '../../../defaults.js';
import { StorageError } from '../errors.js';
import type { FileTransferred } from '../events.js';
import { fromAbortable, linkedController } from './abortable.js';
import type { S3Caller } from './caller.js';
import { digestFile, type FileDigest, READ_NOFOLLOW } from './hash.js';
import type { LocalFile } from './local-tree.js';
import { Meter } from './meter.js';
import { type PartRange, partRanges, partSizeFor } from './part-size.js';
import type { Delta } from './progress.js';
import { bareEtag, headRemote } from './remote.js';
import { type StoredPart, type UploadState, UploadStateFile } from './resume-state.js';
import { asStorageError, isNotFound, isUnsupported } from './s3-errors.js';

/** Settings of the sending side, resolved (no defaults left to fill). */
export interface SendSettings {
  readonly caller: S3Caller;
  readonly bucket: string;
  /** The endpoint URL, part of the resume state's identity. */
  readonly endpoint: string;
  readonly multipartThreshold: number;
  readonly partSize: number;
  readonly partConcurrency: number;
  readonly bufferedBytes: number;
  readonly stateDir: string;
}

/** What is known about the object before sending: nothing (ask S3), absent, or its size from a listing. */
export type RemoteHint =
  | { readonly known: false }
  | { readonly known: true; readonly size: number | undefined };

type OnBytes = (bytes: number, moved: boolean) => void;

/** Reports the bytes of one request body once, however many attempts it takes. */
function highWater(onBytes: OnBytes): (attemptTotal: number) => void {
  let reported = 0;
  return (attemptTotal) => {
    if (attemptTotal > reported) {
      onBytes(attemptTotal - reported, true);
      reported = attemptTotal;
    }
  };
}

/** Opens `range` of the file as a metered body; the meter fails the stream if the bytes changed. */
async function meteredBody(
  path: string,
  range: { start: number; size: number; md5: string },
  label: { uri: string; operation: string },
  progress: (attemptTotal: number) => void,
  fail: (error: unknown) => void,
): Promise<{ body: Readable; close: () => void }> {
  let total = 0;
  const handle = await open(path, READ_NOFOLLOW);
  // The stream closes the handle when it ends or is destroyed.
  const source = handle.createReadStream({
    start: range.start,
    end: range.start + range.size - 1,
    highWaterMark: DEFAULT_READ_CHUNK_BYTES,
  });
  const meter = new Meter({ size: range.size, md5: range.md5, ...label }, (bytes) => {
    total += bytes;
    progress(total);
  });
  source.on('error', fail);
  meter.on('error', fail);
  const body = source.pipe(meter);
  return {
    body,
    close: () => {
      source.destroy();
      meter.destroy();
    },
  };
}

/**
 * Sends `file` to `key`. Emits byte deltas as the bodies are read by S3, then one
 * `file` delta. Unsubscribing aborts the requests in flight; a multipart upload's
 * stored parts and state file are kept so the next run resumes.
 */
export function sendFile(
  settings: SendSettings,
  file: LocalFile,
  key: string,
  hint: RemoteHint,
): Observable<Delta> {
  return new Observable<Delta>((subscriber) => {
    const onBytes: OnBytes = (bytes, moved) =>
      subscriber.next({ kind: 'bytes', file: file.relative, bytes, moved });
    return sendFlow(settings, file, key, hint, onBytes)
      .pipe(map((event): Delta => ({ kind: 'file', event })))
      .subscribe(subscriber);
  });
}

function sendFlow(
  settings: SendSettings,
  file: LocalFile,
  key: string,
  hint: RemoteHint,
  onBytes: OnBytes,
): Observable<FileTransferred> {
  const { bucket } = settings;
  const uri = formatS3Uri({ bucket, key });
  const multipart = file.size > settings.multipartThreshold;
  const stateFile = new UploadStateFile(settings.stateDir, {
    endpoint: settings.endpoint,
    bucket,
    key,
    localPath: file.path,
  });
  const done = (action: FileTransferred['action'], bytes: number, partsReused: number): FileTransferred => ({
    type: 'file',
    direction: 'upload',
    file: file.relative,
    uri,
    action,
    bytes,
    partsReused,
    verified: 'sha256',
  });

  return defer(async () => (multipart ? await stateFile.load() : undefined)).pipe(
    asStorageError('state', stateFile.path),
    switchMap((state) => {
      const partSize =
        state && state.size === file.size && validPartSize(file.size, state.partSize)
          ? state.partSize
          : partSizeFor(file.size, settings.partSize);
      return fromAbortable((signal) =>
        digestFile(file.path, {
          partSize: multipart ? partSize : undefined,
          keepUpTo: settings.bufferedBytes,
          signal,
        }),
      ).pipe(
        asStorageError('read', file.path),
        switchMap((digest) => {
          if (digest.size !== file.size) {
            return throwError(
              () =>
                new StorageError(
                  `file changed while uploading: ${digest.size} bytes, listed with ${file.size}`,
                  {
                    method: 'read',
                    url: uri,
                    reason: 'changed',
                  },
                ),
            );
          }
          const unchanged$ = isUnchanged(settings, key, hint, digest);
          return unchanged$.pipe(
            switchMap((unchanged) => {
              if (unchanged) {
                // A state left by an interrupted run of an upload someone else finished: drop it.
                const stale$ = state
                  ? concat(
                      abandon(settings, key, state.uploadId),
                      defer(() => stateFile.remove()),
                    ).pipe(asStorageError('state', stateFile.path), ignoreElements())
                  : EMPTY;
                return concat(stale$, of(done('skipped', digest.size, 0)));
              }
              if (!multipart)
                return putFile(settings, file, key, digest, onBytes).pipe(
                  map(() => done('sent', digest.size, 0)),
                );
              return multipartFile(
                settings,
                stateFile,
                state,
                file,
                key,
                digest,
                partSize,
                onBytes,
                false,
              ).pipe(map((reused) => done(reused > 0 ? 'resumed' : 'sent', digest.size, reused)));
            }),
          );
        }),
      );
    }),
  );
}

function validPartSize(fileSize: number, partSize: number): boolean {
  return partSize >= S3_MIN_PART_SIZE && Math.ceil(fileSize / partSize) <= S3_MAX_PARTS;
}

/** True when S3 holds `key` with the digest's size and our SHA-256 metadata equal to it. */
function isUnchanged(
  settings: SendSettings,
  key: string,
  hint: RemoteHint,
  digest: FileDigest,
): Observable<boolean> {
  if (hint.known && hint.size !== digest.size) return of(false);
  return headRemote(settings.caller, settings.bucket, key).pipe(
    map((head) => head !== undefined && head.size === digest.size && head.sha256 === digest.sha256),
  );
}

function putFile(
  settings: SendSettings,
  file: LocalFile,
  key: string,
  digest: FileDigest,
  onBytes: OnBytes,
): Observable<unknown> {
  const { bucket } = settings;
  const uri = formatS3Uri({ bucket, key });
  const progress = highWater(onBytes);
  return settings.caller.call('PutObject', uri, async (client, signal) => {
    const controller = linkedController(signal);
    let bodyError: unknown;
    let close = (): void => undefined;
    let body: Buffer | Readable;
    if (digest.content) {
      body = digest.content;
    } else {
      const opened = await meteredBody(
        file.path,
        { start: 0, size: digest.size, md5: digest.md5 ?? '' },
        { uri, operation: 'PutObject' },
        progress,
        (error) => {
          bodyError ??= error;
          controller.abort();
        },
      );
      body = opened.body;
      close = opened.close;
    }
    try {
      const output = await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentLength: digest.size,
          ContentMD5: digest.md5,
          Metadata: { [SHA256_METADATA_KEY]: digest.sha256 },
        }),
        { abortSignal: controller.signal },
      );
      if (digest.content) progress(digest.size);
      return output;
    } catch (error) {
      throw bodyError ?? error;
    } finally {
      close();
    }
  });
}

/** The parts S3 lists for an upload (`unsupported` when the store has no ListParts, `gone` when the upload is not there). */
function listParts(
  settings: SendSettings,
  key: string,
  uploadId: string,
): Observable<Map<number, { size: number; etag: string | undefined }> | 'unsupported' | 'gone'> {
  const uri = formatS3Uri({ bucket: settings.bucket, key });
  const page = (marker: string | undefined): Observable<ListPartsCommandOutput> =>
    settings.caller.call('ListParts', uri, (client, signal) =>
      client.send(
        new ListPartsCommand({
          Bucket: settings.bucket,
          Key: key,
          UploadId: uploadId,
          PartNumberMarker: marker,
        }),
        { abortSignal: signal },
      ),
    );
  return page(undefined).pipe(
    expand((output) =>
      output.IsTruncated && output.NextPartNumberMarker ? page(output.NextPartNumberMarker) : EMPTY,
    ),
    reduce((parts, output) => {
      for (const part of output.Parts ?? []) {
        if (part.PartNumber !== undefined)
          parts.set(part.PartNumber, { size: part.Size ?? -1, etag: bareEtag(part.ETag) });
      }
      return parts;
    }, new Map<number, { size: number; etag: string | undefined }>()),
    catchError((error: unknown) => {
      if (isUnsupported(error)) return of('unsupported' as const);
      if (isNotFound(error) || (error instanceof StorageError && error.reason === 'NoSuchUpload'))
        return of('gone' as const);
      return throwError(() => error);
    }),
  );
}

/** Best effort: tells S3 to drop an upload we will not finish (not all stores support it). */
function abandon(settings: SendSettings, key: string, uploadId: string): Observable<never> {
  return settings.caller
    .call('AbortMultipartUpload', formatS3Uri({ bucket: settings.bucket, key }), (client, signal) =>
      client.send(
        new AbortMultipartUploadCommand({ Bucket: settings.bucket, Key: key, UploadId: uploadId }),
        {
          abortSignal: signal,
        },
      ),
    )
    .pipe(
      ignoreElements(),
      catchError(() => EMPTY),
    );
}

/** The parts of a recorded upload that can be kept: recorded, same size and MD5 locally, and still stored (when S3 can tell). */
function reusableParts(
  state: UploadState,
  ranges: readonly PartRange[],
  digest: FileDigest,
  stored: Map<number, { size: number; etag: string | undefined }> | 'unsupported',
): StoredPart[] {
  return state.parts.filter((part) => {
    const range = ranges[part.partNumber - 1];
    if (!range || range.size !== part.size || digest.partMd5[part.partNumber - 1] !== part.md5) return false;
    if (stored === 'unsupported') return true;
    const onServer = stored.get(part.partNumber);
    return onServer !== undefined && onServer.size === part.size && onServer.etag === bareEtag(part.etag);
  });
}

/** Runs (or resumes) the multipart upload of `file`; emits the number of parts reused, then completes. */
function multipartFile(
  settings: SendSettings,
  stateFile: UploadStateFile,
  loaded: UploadState | undefined,
  file: LocalFile,
  key: string,
  digest: FileDigest,
  partSize: number,
  onBytes: OnBytes,
  fresh: boolean,
): Observable<number> {
  const { bucket, caller } = settings;
  const uri = formatS3Uri({ bucket, key });
  const ranges = partRanges(digest.size, partSize);
  const matches =
    !fresh &&
    loaded !== undefined &&
    loaded.endpoint === settings.endpoint &&
    loaded.bucket === bucket &&
    loaded.key === key &&
    loaded.size === digest.size &&
    loaded.sha256 === digest.sha256 &&
    loaded.partSize === partSize;

  // The upload to go on with, and the parts it keeps; or a new upload.
  const resumed$: Observable<{ state: UploadState; reused: StoredPart[] } | undefined> = matches
    ? listParts(settings, key, loaded.uploadId).pipe(
        map((stored) =>
          stored === 'gone'
            ? undefined
            : { state: loaded, reused: reusableParts(loaded, ranges, digest, stored) },
        ),
      )
    : loaded
      ? concat(abandon(settings, key, loaded.uploadId), of(undefined))
      : of(undefined);

  const created$ = (): Observable<{ state: UploadState; reused: StoredPart[] }> =>
    caller
      .call('CreateMultipartUpload', uri, (client, signal) =>
        client.send(
          new CreateMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            Metadata: { [SHA256_METADATA_KEY]: digest.sha256 },
          }),
          { abortSignal: signal },
        ),
      )
      .pipe(
        map((output) => {
          if (!output.UploadId)
            throw new StorageError('no UploadId in the answer', {
              method: 'CreateMultipartUpload',
              url: uri,
            });
          const state: UploadState = {
            version: 1,
            endpoint: settings.endpoint,
            bucket,
            key,
            uploadId: output.UploadId,
            size: digest.size,
            sha256: digest.sha256,
            partSize,
            parts: [],
          };
          return { state, reused: [] };
        }),
      );

  return resumed$.pipe(
    switchMap((resumed) => (resumed ? of(resumed) : created$())),
    concatMap(({ state, reused }) => {
      const current: UploadState = { ...state, parts: [...reused] };
      const have = new Set(reused.map((part) => part.partNumber));
      const reusedBytes = reused.reduce((sum, part) => sum + part.size, 0);
      if (reusedBytes > 0) onBytes(reusedBytes, false);
      const missing = ranges.filter((range) => !have.has(range.partNumber));
      const send$ = from(missing).pipe(
        mergeMap(
          (range) =>
            uploadPart(settings, key, current.uploadId, range, file.path, digest, onBytes).pipe(
              concatMap((part) => {
                current.parts.push(part);
                return defer(() => stateFile.save(current)).pipe(asStorageError('state', stateFile.path));
              }),
            ),
          settings.partConcurrency,
        ),
        ignoreElements(),
      );
      const complete$ = defer(() => {
        const parts = [...current.parts].sort((a, b) => a.partNumber - b.partNumber);
        return caller.call('CompleteMultipartUpload', uri, (client, signal) =>
          client.send(
            new CompleteMultipartUploadCommand({
              Bucket: bucket,
              Key: key,
              UploadId: current.uploadId,
              MultipartUpload: {
                Parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })),
              },
            }),
            { abortSignal: signal },
          ),
        );
      });
      return concat(defer(() => stateFile.save(current)).pipe(ignoreElements()), send$, complete$).pipe(
        last(),
        concatMap(() => defer(() => stateFile.remove()).pipe(map(() => reused.length))),
        catchError((error: unknown) => {
          // A resumed upload the store cannot finish (parts gone): start over once, from nothing.
          const retryable =
            reused.length > 0 &&
            error instanceof StorageError &&
            error.method === 'CompleteMultipartUpload' &&
            !error.credentials;
          if (!retryable) return throwError(() => error);
          return defer(() => stateFile.remove()).pipe(
            concatMap(() =>
              multipartFile(settings, stateFile, undefined, file, key, digest, partSize, onBytes, true),
            ),
          );
        }),
      );
    }),
  );
}

function uploadPart(
  settings: SendSettings,
  key: string,
  uploadId: string,
  range: PartRange,
  path: string,
  digest: FileDigest,
  onBytes: OnBytes,
): Observable<StoredPart> {
  const uri = formatS3Uri({ bucket: settings.bucket, key });
  const md5 = digest.partMd5[range.partNumber - 1] ?? '';
  const progress = highWater(onBytes);
  return settings.caller.call(`UploadPart ${range.partNumber}`, uri, async (client, signal) => {
    const controller = linkedController(signal);
    let bodyError: unknown;
    const { body, close } = await meteredBody(
      path,
      { start: range.start, size: range.size, md5 },
      { uri, operation: `UploadPart ${range.partNumber}` },
      progress,
      (error) => {
        bodyError ??= error;
        controller.abort();
      },
    );
    try {
      const output = await client.send(
        new UploadPartCommand({
          Bucket: settings.bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: range.partNumber,
          Body: body,
          ContentLength: range.size,
          ContentMD5: md5,
        }),
        { abortSignal: controller.signal },
      );
      if (!output.ETag) throw new StorageError('no ETag in the answer', { method: 'UploadPart', url: uri });
      return { partNumber: range.partNumber, size: range.size, etag: output.ETag, md5 };
    } catch (error) {
      throw bodyError ?? error;
    } finally {
      close();
    }
  });
}
