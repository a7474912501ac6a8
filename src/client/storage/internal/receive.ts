/**
 * Fetches one object into a local file: skipped when the file already has the
 * object's size and SHA-256; otherwise written to a temporary name in the same
 * directory, checked (size, and SHA-256 when the object carries our metadata), and
 * only then renamed over the final name. A failed check or an interrupted transfer
 * removes the temporary file, so a truncated or corrupt file never has the final name.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { lstat, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { defer, map, Observable, of, switchMap } from 'rxjs';
import { formatS3Uri } from '../../../codecs/s3uri.js';
import { SHA256_METADATA_KEY } from '../../../defaults.js';
import { onAbort } from '../../kernel/signals.js';
import { IntegrityError, StorageError } from '../errors.js';
import type { FileTransferred, Verification } from '../events.js';
import type { S3Caller } from './caller.js';
import { digestFile } from './hash.js';
import type { Delta } from './progress.js';
import { headRemote, type RemoteHead } from './remote.js';
import { asStorageError } from './s3-errors.js';

/** Where one object goes. */
export interface ReceiveTarget {
  readonly key: string;
  /** Real path of the directory the file goes into (already checked to be inside the target). */
  readonly directory: string;
  readonly name: string;
  /** Path relative to the transfer's root, `/`-separated (for events). */
  readonly relative: string;
  /** The object's size as listed. */
  readonly size: number;
  /** `HeadObject` of the object, when it was already asked. */
  readonly head?: RemoteHead | undefined;
}

/** Suffix of temporary download files (`.<random>.mmpart` beside the final name). */
export const PARTIAL_SUFFIX = '.mmpart';

function code(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
}

/** Emits byte deltas while `target` is fetched, then one `file` delta. Unsubscribing aborts and removes the temporary file. */
export function receiveObject(caller: S3Caller, bucket: string, target: ReceiveTarget): Observable<Delta> {
  return new Observable<Delta>((subscriber) => {
    let reported = 0;
    const onTotal = (attemptTotal: number): void => {
      if (attemptTotal > reported) {
        subscriber.next({
          kind: 'bytes',
          file: target.relative,
          bytes: attemptTotal - reported,
          moved: true,
        });
        reported = attemptTotal;
      }
    };
    return receiveFlow(caller, bucket, target, onTotal)
      .pipe(map((event): Delta => ({ kind: 'file', event })))
      .subscribe(subscriber);
  });
}

function receiveFlow(
  caller: S3Caller,
  bucket: string,
  target: ReceiveTarget,
  onTotal: (attemptTotal: number) => void,
): Observable<FileTransferred> {
  const uri = formatS3Uri({ bucket, key: target.key });
  const final = join(target.directory, target.name);
  const done = (
    action: FileTransferred['action'],
    bytes: number,
    verified: Verification,
  ): FileTransferred => ({
    type: 'file',
    direction: 'download',
    file: target.relative,
    uri,
    action,
    bytes,
    partsReused: 0,
    verified,
  });

  const unchanged$: Observable<boolean> = defer(async () => {
    const info = await lstat(final).catch((error: unknown) => {
      if (code(error) === 'ENOENT') return undefined;
      throw error;
    });
    if (info?.isDirectory()) {
      throw new StorageError(`${final} is a directory`, { method: 'GetObject', url: uri, reason: 'EISDIR' });
    }
    return info?.isFile() === true && info.size === target.size;
  }).pipe(
    asStorageError('stat', final),
    switchMap((sameSize) => {
      if (!sameSize) return of(false);
      const head$ = target.head ? of(target.head) : headRemote(caller, bucket, target.key);
      return head$.pipe(
        switchMap((head) => {
          // Without our SHA-256 the local file cannot be compared: fetch it again.
          if (!head?.sha256 || head.size !== target.size) return of(false);
          const expected = head.sha256;
          return defer(() => digestFile(final)).pipe(
            asStorageError('read', final),
            map((local) => local.sha256 === expected),
          );
        }),
      );
    }),
  );

  return unchanged$.pipe(
    switchMap((unchanged) => {
      if (unchanged) return of(done('skipped', target.size, 'sha256'));
      return fetchInto(caller, bucket, target.key, target.directory, final, onTotal, target.size).pipe(
        map((result) => done('sent', result.bytes, result.verified)),
      );
    }),
  );
}

/**
 * `GetObject` of `key` streamed into a temporary file in `directory`, checked, then
 * renamed to `final`. The size checked is `expectedSize` — the size the listing or
 * `HeadObject` gave, not the GET's own `Content-Length` (a store answering a 29-byte
 * listing with a 5-byte body is caught) — and the GET's `Content-Length` must agree
 * with it too. Fails with `IntegrityError` (the temporary file removed).
 */
export function fetchInto(
  caller: S3Caller,
  bucket: string,
  key: string,
  directory: string,
  final: string,
  onTotal: (attemptTotal: number) => void,
  expectedSize?: number,
): Observable<{ bytes: number; verified: Verification }> {
  const uri = formatS3Uri({ bucket, key });
  return caller.call('GetObject', uri, async (client, signal, { meter, arm }) => {
    const temp = join(directory, `.${randomBytes(8).toString('hex')}${PARTIAL_SUFFIX}`);
    // Removed at once on unsubscribe, so nothing is left behind even before the stream unwinds.
    const removeNow = (): void => {
      try {
        rmSync(temp, { force: true });
      } catch {
        // Still open on a platform that refuses (Windows): the catch below removes it once closed.
      }
    };
    const stopRemoving = onAbort(signal, removeNow);
    // The wait for the answer counts against the minimum throughput too.
    arm();
    try {
      const output = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), {
        abortSignal: signal,
      });
      const declared = output.ContentLength;
      const size = expectedSize ?? declared;
      if (expectedSize !== undefined && declared !== undefined && declared !== expectedSize) {
        throw new IntegrityError('size', String(expectedSize), String(declared), {
          method: 'GetObject',
          url: uri,
          reason: 'listed-size',
        });
      }
      const expectedSha = output.Metadata?.[SHA256_METADATA_KEY];
      const hash = createHash('sha256');
      let bytes = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          hash.update(chunk);
          bytes += chunk.length;
          meter(chunk.length);
          onTotal(bytes);
          callback(null, chunk);
        },
      });
      const body = output.Body instanceof Readable ? output.Body : Readable.from([]);
      await pipeline(body, counter, createWriteStream(temp, { flags: 'wx' }), { signal });
      if (size !== undefined && bytes !== size) {
        throw new IntegrityError('size', String(size), String(bytes), {
          method: 'GetObject',
          url: uri,
        });
      }
      const actualSha = hash.digest('hex');
      if (expectedSha !== undefined && expectedSha !== actualSha) {
        throw new IntegrityError('sha256', expectedSha, actualSha, { method: 'GetObject', url: uri });
      }
      await rename(temp, final);
      return { bytes, verified: expectedSha !== undefined ? 'sha256' : 'size' };
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    } finally {
      stopRemoving();
    }
  });
}
