/**
 * Sends one local file to S3. What is known of the object decides how much is read first:
 *
 * ```
 * up to the multipart threshold:
 *   digest (one read: SHA-256, MD5, small files kept) ─▶ unchanged? ─▶ skip, else PutObject
 *      "unchanged": the listing's size and ETag (no request), else HeadObject's size and sha256
 * above it (resumable):
 *   loadRecorded ─▶ object of this size there? ── no ─▶ multipartUpload (one read pass: hashed while sent)
 *                        └─ yes ─▶ digest (SHA-256, part MD5s) ─▶ unchanged? ─▶ skip, else multipartUpload
 * ```
 * @module
 */
import type { Readable } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { concat, defer, EMPTY, ignoreElements, map, Observable, of, switchMap } from 'rxjs';
import { formatS3Uri } from '../../../codecs/s3uri.js';
import { S3_MAX_COPY_BYTES, S3_MAX_PARTS, S3_MIN_PART_SIZE, SHA256_METADATA_KEY } from '../../../defaults.js';
import { fromAbortable } from '../../kernel/abortable.js';
import { StorageError } from '../errors.js';
import type { FileTransferred, Verification } from '../events.js';
import { highWater, type OnBytes, sendMetered } from './body.js';
import type { S3Caller } from './caller.js';
import type { SmallFileDigests } from './digest-pool.js';
import { etagMatches } from './etag.js';
import { digestFile, type FileDigest } from './hash.js';
import type { LocalFile } from './local-tree.js';
import { abandon, type MultipartTarget, multipartUpload, writeSha256 } from './multipart.js';
import { partSizeFor } from './part-size.js';
import type { Delta } from './progress.js';
import { headRemote, type RemoteObject } from './remote.js';
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
  /** Reads and digests the files up to `bufferedBytes` (a worker thread; see `digest-pool.ts`). */
  readonly digests: SmallFileDigests;
}

/** What is known about the object before sending: nothing (ask S3), or what a listing showed (absent: `undefined`). */
export type RemoteHint =
  | { readonly known: false }
  | { readonly known: true; readonly object: RemoteObject | undefined };

/** One file on its way to S3: what every step of sending it needs. */
interface Outgoing extends MultipartTarget {
  readonly settings: SendSettings;
  readonly file: LocalFile;
  /** Larger than the multipart threshold: sent in parts, resumable. */
  readonly multipart: boolean;
}

/** Whether S3 already holds the file's content, and by which check. */
type Comparison = { readonly unchanged: false } | { readonly unchanged: true; readonly by: Verification };

const CHANGED: Comparison = { unchanged: false };
const SAME_SHA256: Comparison = { unchanged: true, by: 'sha256' };

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
    const target = outgoing(settings, file, key, onBytes);
    const flow = target.multipart ? sendLarge(target, hint) : sendSmall(target, hint);
    return flow.pipe(map((event): Delta => ({ kind: 'file', event }))).subscribe(subscriber);
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

// ── up to the multipart threshold ───────────────────────────────────────────

/** Digest, compare, then skip or put (see the module's doc). */
function sendSmall(outgoing: Outgoing, hint: RemoteHint): Observable<FileTransferred> {
  const { file, settings } = outgoing;
  return fromAbortable((signal) =>
    file.size <= settings.bufferedBytes
      ? settings.digests.digest(file.path, signal)
      : digestFile(file.path, { keepUpTo: settings.bufferedBytes, signal }),
  ).pipe(
    asStorageError('read', file.path),
    map((digest) => checkedSize(outgoing, digest)),
    switchMap((digest) =>
      compareRemote(outgoing, hint, digest).pipe(
        switchMap((compared) =>
          compared.unchanged
            ? of(transferred(outgoing, 'skipped', digest.size, 0, compared.by))
            : putObject(outgoing, digest).pipe(map(() => transferred(outgoing, 'sent', digest.size, 0))),
        ),
      ),
    ),
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

// ── above it: multipart, resumable ──────────────────────────────────────────

/** Recorded state, what S3 holds, then skip, or a multipart upload (see the module's doc). */
function sendLarge(outgoing: Outgoing, hint: RemoteHint): Observable<FileTransferred> {
  const { file, settings, stateFile } = outgoing;
  const recorded$ = defer(() => stateFile.load()).pipe(asStorageError('state', stateFile.path));
  const remote$: Observable<RemoteObject | undefined> = hint.known
    ? of(hint.object)
    : headRemote(outgoing.caller, outgoing.bucket, outgoing.key);
  return recorded$.pipe(
    switchMap((recorded) =>
      remote$.pipe(
        switchMap((remote) => {
          const partSize =
            recorded && recorded.size === file.size && validPartSize(file.size, recorded.partSize)
              ? recorded.partSize
              : partSizeFor(file.size, settings.partSize);
          // Only an object of this very size may already be this file: then read it first to compare.
          // A file too big to get its SHA-256 by a copy afterwards (S3's CopyObject limit) is read first too.
          if (remote?.size !== file.size && file.size <= S3_MAX_COPY_BYTES) {
            return upload(outgoing, recorded, partSize, undefined);
          }
          return digestParts(outgoing, partSize).pipe(
            switchMap((digest) =>
              (remote?.size === file.size ? compareLarge(outgoing, digest) : of(CHANGED)).pipe(
                switchMap((compared) =>
                  compared.unchanged
                    ? skipRecorded(outgoing, recorded, digest.size, compared.by)
                    : upload(outgoing, recorded, partSize, digest),
                ),
              ),
            ),
          );
        }),
      ),
    ),
  );
}

/**
 * Whether the object (of the file's size) holds the digest's content, by `HeadObject`: its
 * `sha256` metadata; without it (an upload that stopped between completing and writing its
 * SHA-256), an ETag this file's parts make shows the content is there, and the metadata is
 * written now.
 */
function compareLarge(outgoing: Outgoing, digest: FileDigest): Observable<Comparison> {
  return headRemote(outgoing.caller, outgoing.bucket, outgoing.key).pipe(
    switchMap((head): Observable<Comparison> => {
      if (head === undefined || head.size !== digest.size) return of(CHANGED);
      if (head.sha256 !== undefined) return of(head.sha256 === digest.sha256 ? SAME_SHA256 : CHANGED);
      if (!etagMatches(head.etag, digest)) return of(CHANGED);
      return concat(writeSha256(outgoing, digest.sha256, head.etag), of(SAME_SHA256));
    }),
  );
}

/** Reads the whole file for its SHA-256 and the MD5 of each part. */
function digestParts(outgoing: Outgoing, partSize: number): Observable<FileDigest> {
  const { file } = outgoing;
  return fromAbortable((signal) => digestFile(file.path, { partSize, signal })).pipe(
    asStorageError('read', file.path),
    map((digest) => checkedSize(outgoing, digest)),
  );
}

/** The multipart upload (resumed from `recorded` when it is this file's). */
function upload(
  outgoing: Outgoing,
  recorded: UploadState | undefined,
  partSize: number,
  digest: FileDigest | undefined,
): Observable<FileTransferred> {
  const { file } = outgoing;
  return multipartUpload({
    target: outgoing,
    size: file.size,
    mtimeMs: file.mtimeMs,
    partSize,
    digest,
    recorded,
  }).pipe(map((reused) => transferred(outgoing, reused > 0 ? 'resumed' : 'sent', file.size, reused)));
}

/** Nothing to send. A state left by an interrupted run of an upload someone else finished is dropped. */
function skipRecorded(
  outgoing: Outgoing,
  recorded: UploadState | undefined,
  size: number,
  by: Verification,
): Observable<FileTransferred> {
  const stale$ = recorded
    ? concat(
        abandon(outgoing, recorded.uploadId),
        defer(() => outgoing.stateFile.remove()),
      ).pipe(asStorageError('state', outgoing.stateFile.path), ignoreElements())
    : EMPTY;
  return concat(stale$, of(transferred(outgoing, 'skipped', size, 0, by)));
}

function validPartSize(fileSize: number, partSize: number): boolean {
  return partSize >= S3_MIN_PART_SIZE && Math.ceil(fileSize / partSize) <= S3_MAX_PARTS;
}

// ── shared ──────────────────────────────────────────────────────────────────

/** The digest, when the file still has the size it was listed with; else `StorageError` reason `changed`. */
function checkedSize(outgoing: Outgoing, digest: FileDigest): FileDigest {
  if (digest.size !== outgoing.file.size) {
    throw new StorageError(
      `file changed while uploading: ${digest.size} bytes, listed with ${outgoing.file.size}`,
      { method: 'read', url: outgoing.uri, reason: 'changed' },
    );
  }
  return digest;
}

/**
 * Whether S3 holds the key with exactly the digest's content: decided from the listing
 * alone when it shows another size or an ETag that is this content's MD5; else by
 * `HeadObject` (our `sha256` metadata; or the ETag, for an object without it).
 */
function compareRemote(outgoing: Outgoing, hint: RemoteHint, digest: FileDigest): Observable<Comparison> {
  if (hint.known) {
    const listed = hint.object;
    if (listed === undefined || listed.size !== digest.size) return of(CHANGED);
    if (etagMatches(listed.etag, digest)) return of({ unchanged: true, by: 'md5' });
  }
  return headRemote(outgoing.caller, outgoing.bucket, outgoing.key).pipe(
    map((head): Comparison => {
      if (head === undefined || head.size !== digest.size) return CHANGED;
      if (head.sha256 !== undefined) return head.sha256 === digest.sha256 ? SAME_SHA256 : CHANGED;
      return etagMatches(head.etag, digest) ? { unchanged: true, by: 'md5' } : CHANGED;
    }),
  );
}

/** The `file` event of a sent (or skipped) file. */
function transferred(
  outgoing: Outgoing,
  action: FileTransferred['action'],
  bytes: number,
  partsReused: number,
  verified: Verification = 'sha256',
): FileTransferred {
  return {
    type: 'file',
    direction: 'upload',
    file: outgoing.file.relative,
    uri: outgoing.uri,
    action,
    bytes,
    partsReused,
    verified,
  };
}
