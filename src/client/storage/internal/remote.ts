/**
 * Reading what S3 holds: paged listings and `HeadObject`, through an {@link S3Caller}.
 * @module
 */
import { HeadObjectCommand, ListObjectsCommand, type ListObjectsCommandOutput } from '@aws-sdk/client-s3';
import { catchError, concatMap, EMPTY, expand, map, type Observable, of, throwError } from 'rxjs';
import { formatS3Uri } from '../../../codecs/s3uri.js';
import { SHA256_METADATA_KEY } from '../../../defaults.js';
import type { S3Caller } from './caller.js';
import { isNotFound } from './s3-errors.js';

/** An object as a listing or `HeadObject` shows it. */
export interface RemoteObject {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date | undefined;
  /** S3's ETag, quotes removed. An identifier, not a checksum (not an MD5 for multipart uploads). */
  readonly etag: string | undefined;
}

/** What `HeadObject` adds: our SHA-256 metadata, when the object has it. */
export interface RemoteHead extends RemoteObject {
  readonly sha256: string | undefined;
}

/** ETags without their quotes. */
export function bareEtag(etag: string | undefined): string | undefined {
  return etag?.replace(/"/g, '');
}

/**
 * Every object whose key starts with `prefix`, page by page (cold; unsubscribing stops
 * paging). Uses ListObjects (v1) with `Marker` = the last key of the previous page:
 * every S3-compatible store supports it, whereas s3rver 3.7.1 on OpenSSL 3 (Node 17+)
 * answers 500 to any truncated ListObjectsV2 page (its continuation tokens use DES).
 */
export function listRemote(
  caller: S3Caller,
  bucket: string,
  prefix: string,
  pageSize?: number,
): Observable<RemoteObject> {
  const uri = formatS3Uri({ bucket, key: prefix });
  const page = (marker: string | undefined): Observable<ListObjectsCommandOutput> =>
    caller.call('ListObjects', uri, (client, signal) =>
      client.send(
        new ListObjectsCommand({ Bucket: bucket, Prefix: prefix, Marker: marker, MaxKeys: pageSize }),
        {
          abortSignal: signal,
        },
      ),
    );
  const nextMarker = (output: ListObjectsCommandOutput): string | undefined =>
    output.IsTruncated
      ? (output.NextMarker ?? output.Contents?.[output.Contents.length - 1]?.Key)
      : undefined;
  return page(undefined).pipe(
    expand((output) => {
      const marker = nextMarker(output);
      return marker === undefined ? EMPTY : page(marker);
    }),
    concatMap((output) => output.Contents ?? []),
    map((item) => ({
      key: item.Key ?? '',
      size: item.Size ?? 0,
      lastModified: item.LastModified,
      etag: bareEtag(item.ETag),
    })),
  );
}

/** `HeadObject` of `key`, or `undefined` when there is no such object. */
export function headRemote(
  caller: S3Caller,
  bucket: string,
  key: string,
): Observable<RemoteHead | undefined> {
  return caller
    .call('HeadObject', formatS3Uri({ bucket, key }), (client, signal) =>
      client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal }),
    )
    .pipe(
      map((output): RemoteHead | undefined => ({
        key,
        size: output.ContentLength ?? 0,
        lastModified: output.LastModified,
        etag: bareEtag(output.ETag),
        sha256: output.Metadata?.[SHA256_METADATA_KEY],
      })),
      catchError((error: unknown) => (isNotFound(error) ? of(undefined) : throwError(() => error))),
    );
}
