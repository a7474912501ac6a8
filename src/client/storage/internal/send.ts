/**
 * Sends one local file to S3, in four named steps:
 *
 * ```
 * loadRecorded ─▶ digestLocal ─▶ compareRemote ─▶ unchanged? skipUnchanged
 *  (resume state)  (size, SHA-256,  (HEAD: size and      else  transfer: PutObject up to the threshold,
 *                   part MD5s)       sha256 metadata)            multipartUpload (resumable) above it
 * ```
 * @module
 */
import type { Readable } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { concat, defer, EMPTY, ignoreElements, map, Observable, of, switchMap } from 'rxjs';
import { formatS3Uri } from '../../../codecs/s3uri.js';
import { S3_MAX_PARTS, S3_MIN_PART_SIZE, SHA256_METADATA_KEY } from '../../../defaults.js';
import { fromAbortable } from '../../kernel/abortable.js';
import { StorageError } from '../errors.js';
import type { FileTransferred } from '../events.js';
import { highWater, type OnBytes, sendMetered } from './body.js';
import type { S3Caller } from './caller.js';
import { digestFile, type FileDigest } from './hash.js';
import type { LocalFile } from './local-tree.js';
import { abandon, type MultipartTarget, multipartUpload } from './multipart.js';
import { partSizeFor } from './part-size.js';
import type { Delta } from './progress.js';
import { headRemote } from './remote.js';
import { type UploadState, UploadStateFile } from './resume-state.js';
import { asStorageError } from './s3-errors.js';

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

/** One file on its way to S3: what every step of sending it needs. */
interface Outgoing extends MultipartTarget {
  readonly settings: SendSettings;
  readonly file: LocalFile;
  /** Larger than the multipart threshold: sent in parts, resumable. */
  readonly multipart: boolean;
}

/** The file hashed, with the resume state an interrupted run left (multipart files only). */
interface Digested {
  readonly recorded: UploadState | undefined;
  readonly partSize: number;
  readonly digest: FileDigest;
}

/** {@link Digested}, and whether S3 already holds exactly this content. */
interface Compared extends Digested {
  readonly unchanged: boolean;
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
    return sendFlow(outgoing(settings, file, key, onBytes), hint)
      .pipe(map((event): Delta => ({ kind: 'file', event })))
      .subscribe(subscriber);
  });
}

/** The {@link Outgoing} of `file`: its `s3://` address, whether it goes in parts, its resume state file. */
function outgoing(settings: SendSettings, file: LocalFile, key: string, onBytes: OnBytes): Outgoing {
  const { bucket, endpoint } = settings;
  return {
    settings,
    file,
    caller: settings.caller,
    endpoint,
    bucket,
    key,
    uri: formatS3Uri({ bucket, key }),
    path: file.path,
    partConcurrency: settings.partConcurrency,
    multipart: file.size > settings.multipartThreshold,
    stateFile: new UploadStateFile(settings.stateDir, { endpoint, bucket, key, localPath: file.path }),
    onBytes,
  };
}

/** The four steps (see the module's doc), each a named function. */
function sendFlow(outgoing: Outgoing, hint: RemoteHint): Observable<FileTransferred> {
  return loadRecorded(outgoing).pipe(
    switchMap((recorded) => digestLocal(outgoing, recorded)),
    switchMap((digested) => compareRemote(outgoing, hint, digested)),
    switchMap((compared) =>
      compared.unchanged ? skipUnchanged(outgoing, compared) : transfer(outgoing, compared),
    ),
  );
}

/** The state an interrupted multipart run recorded for this file (none for a single-request file). */
function loadRecorded(outgoing: Outgoing): Observable<UploadState | undefined> {
  const { multipart, stateFile } = outgoing;
  return defer(async () => (multipart ? await stateFile.load() : undefined)).pipe(
    asStorageError('state', stateFile.path),
  );
}

/**
 * Hashes the file (cut at the recorded part size when it still fits the file) and
 * checks it still has the size it was listed with.
 */
function digestLocal(outgoing: Outgoing, recorded: UploadState | undefined): Observable<Digested> {
  const { file, settings, multipart } = outgoing;
  const partSize =
    recorded && recorded.size === file.size && validPartSize(file.size, recorded.partSize)
      ? recorded.partSize
      : partSizeFor(file.size, settings.partSize);
  return fromAbortable((signal) =>
    digestFile(file.path, {
      partSize: multipart ? partSize : undefined,
      keepUpTo: settings.bufferedBytes,
      signal,
    }),
  ).pipe(
    asStorageError('read', file.path),
    map((digest): Digested => {
      if (digest.size !== file.size) {
        throw new StorageError(
          `file changed while uploading: ${digest.size} bytes, listed with ${file.size}`,
          {
            method: 'read',
            url: outgoing.uri,
            reason: 'changed',
          },
        );
      }
      return { recorded, partSize, digest };
    }),
  );
}

function validPartSize(fileSize: number, partSize: number): boolean {
  return partSize >= S3_MIN_PART_SIZE && Math.ceil(fileSize / partSize) <= S3_MAX_PARTS;
}

/** Whether S3 holds the key with the digest's size and our SHA-256 metadata equal to it (no HEAD when a listing says the size differs). */
function compareRemote(outgoing: Outgoing, hint: RemoteHint, digested: Digested): Observable<Compared> {
  const { digest } = digested;
  if (hint.known && hint.size !== digest.size) return of({ ...digested, unchanged: false });
  return headRemote(outgoing.caller, outgoing.bucket, outgoing.key).pipe(
    map((head) => ({
      ...digested,
      unchanged: head !== undefined && head.size === digest.size && head.sha256 === digest.sha256,
    })),
  );
}

/** Nothing to send. A state left by an interrupted run of an upload someone else finished is dropped. */
function skipUnchanged(outgoing: Outgoing, digested: Digested): Observable<FileTransferred> {
  const { recorded, digest } = digested;
  const stale$ = recorded
    ? concat(
        abandon(outgoing, recorded.uploadId),
        defer(() => outgoing.stateFile.remove()),
      ).pipe(asStorageError('state', outgoing.stateFile.path), ignoreElements())
    : EMPTY;
  return concat(stale$, of(transferred(outgoing, 'skipped', digest.size, 0)));
}

/** Sends the file: one `PutObject` up to the multipart threshold, a (resumable) multipart upload above it. */
function transfer(outgoing: Outgoing, digested: Digested): Observable<FileTransferred> {
  const { size } = digested.digest;
  if (!outgoing.multipart) {
    return putObject(outgoing, digested.digest).pipe(map(() => transferred(outgoing, 'sent', size, 0)));
  }
  return multipartUpload({ target: outgoing, ...digested }).pipe(
    map((reused) => transferred(outgoing, reused > 0 ? 'resumed' : 'sent', size, reused)),
  );
}

/** One `PutObject`: the bytes kept from hashing when the file is small, else the file streamed and metered. */
function putObject(outgoing: Outgoing, digest: FileDigest): Observable<unknown> {
  const progress = highWater(outgoing.onBytes);
  const command = (body: Buffer | Readable) =>
    new PutObjectCommand({
      Bucket: outgoing.bucket,
      Key: outgoing.key,
      Body: body,
      ContentLength: digest.size,
      ContentMD5: digest.md5,
      Metadata: { [SHA256_METADATA_KEY]: digest.sha256 },
    });
  return outgoing.caller.call('PutObject', outgoing.uri, async (client, signal, { meter }) => {
    const content = digest.content;
    if (content) {
      const output = await client.send(command(content), { abortSignal: signal });
      progress(digest.size);
      return output;
    }
    return sendMetered(
      { path: outgoing.path, start: 0, size: digest.size, md5: digest.md5 ?? '' },
      { uri: outgoing.uri, operation: 'PutObject' },
      progress,
      signal,
      (body, abortSignal) => client.send(command(body), { abortSignal }),
      meter,
    );
  });
}

/** The `file` event of a sent (or skipped) file; its content is always checked by SHA-256. */
function transferred(
  outgoing: Outgoing,
  action: FileTransferred['action'],
  bytes: number,
  partsReused: number,
): FileTransferred {
  return {
    type: 'file',
    direction: 'upload',
    file: outgoing.file.relative,
    uri: outgoing.uri,
    action,
    bytes,
    partsReused,
    verified: 'sha256',
  };
}
