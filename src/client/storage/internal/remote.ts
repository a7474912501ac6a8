/**
 * Reading what S3 holds: paged listings and `HeadObject`, through an {@link S3Caller}.
 * @module
 */
import {
  type _Object,
  HeadObjectCommand,
  ListObjectsCommand,
  type ListObjectsCommandOutput,
} from '@aws-sdk/client-s3';
import {
  catchError,
  concat,
  concatMap,
  defer,
  EMPTY,
  expand,
  filter,
  from as fromArray,
  map,
  type Observable,
  of,
  throwError,
} from 'rxjs';
import { formatS3Uri } from '../../../codecs/s3uri.js';
import { SHA256_METADATA_KEY } from '../../../defaults.js';
import { PagingError } from '../../../errors.js';
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

/** The next marker of a listing page, checked to move forward: `undefined` at the end. */
export function nextListingMarker(
  output: ListObjectsCommandOutput,
  previous: string | undefined,
  pages: number,
  uri: string,
): string | undefined {
  if (!output.IsTruncated) return undefined;
  const marker = output.NextMarker ?? output.Contents?.[output.Contents.length - 1]?.Key;
  const fields = { method: 'ListObjects', url: uri };
  if (marker === undefined || marker === '') {
    throw new PagingError(
      `listing of ${uri} does not advance: page ${pages} says it is truncated but gives no marker to go on from`,
      pages,
      fields,
    );
  }
  // S3 lists keys in UTF-8 byte order, so each marker must sort after the one before.
  if (previous !== undefined && Buffer.compare(Buffer.from(marker), Buffer.from(previous)) <= 0) {
    throw new PagingError(
      `listing of ${uri} does not advance: page ${pages} asks to go on after ${quoted(marker)}, not after the previous marker ${quoted(previous)}`,
      pages,
      fields,
    );
  }
  return marker;
}

const MAX_QUOTED_KEY = 120;

function quoted(key: string): string {
  const text = JSON.stringify(key);
  return text.length > MAX_QUOTED_KEY ? `${text.slice(0, MAX_QUOTED_KEY)}…` : text;
}

/**
 * Runs `consume` on each page of the listing of `prefix`, one page after the other: the
 * next page is asked only once `consume` of the previous one has completed, so a
 * listing is never held whole (a million keys cost one page of memory) and a download
 * streams from it. Uses ListObjects (v1) with `Marker` = `NextMarker`, else the last key
 * of the previous page: every S3-compatible store supports it, whereas s3rver 3.7.1 on
 * OpenSSL 3 (Node 17+) answers 500 to any truncated ListObjectsV2 page (its continuation
 * tokens use DES).
 *
 * Each marker must sort after the previous one: a listing that repeats or goes back
 * (a looping or hostile store), or says it is truncated without a way on, fails with
 * `PagingError` at that page instead of asking forever. Cold; unsubscribing stops paging.
 */
export function eachListingPage<T>(
  caller: S3Caller,
  bucket: string,
  prefix: string,
  consume: (objects: readonly RemoteObject[]) => Observable<T>,
  pageSize?: number,
): Observable<T> {
  const uri = formatS3Uri({ bucket, key: prefix });
  const page = (marker: string | undefined): Observable<ListObjectsCommandOutput> =>
    caller.call('ListObjects', uri, (client, signal) =>
      client.send(
        new ListObjectsCommand({ Bucket: bucket, Prefix: prefix, Marker: marker, MaxKeys: pageSize }),
        { abortSignal: signal },
      ),
    );
  // One step: a page, its consumption, then (only once consumed) where to go on from.
  type Step = { readonly value: T } | { readonly next: string; readonly pages: number };
  const step = (marker: string | undefined, pages: number): Observable<Step> =>
    page(marker).pipe(
      concatMap((output) => {
        const next = nextListingMarker(output, marker, pages, uri);
        const consumed = consume((output.Contents ?? []).map(toRemoteObject)).pipe(
          map((value): Step => ({ value })),
        );
        return next === undefined ? consumed : concat(consumed, of<Step>({ next, pages: pages + 1 }));
      }),
    );
  // `expand` keeps the steps flat (no nesting per page, so no deep stacks on long listings).
  return defer(() => step(undefined, 1)).pipe(
    expand((item) => ('next' in item ? step(item.next, item.pages) : EMPTY)),
    filter((item): item is { readonly value: T } => 'value' in item),
    map((item) => item.value),
  );
}

function toRemoteObject(item: _Object): RemoteObject {
  return {
    key: item.Key ?? '',
    size: item.Size ?? 0,
    lastModified: item.LastModified,
    etag: bareEtag(item.ETag),
  };
}

/**
 * Every object whose key starts with `prefix`, page by page (cold; unsubscribing stops
 * paging; a listing that does not advance fails with `PagingError`). See {@link eachListingPage}.
 */
export function listRemote(
  caller: S3Caller,
  bucket: string,
  prefix: string,
  pageSize?: number,
): Observable<RemoteObject> {
  return eachListingPage(caller, bucket, prefix, (objects) => fromArray(objects), pageSize);
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
