/**
 * The `ListBucketResult` documents of ListObjects (V1) and ListObjectsV2, written by
 * the guard from a {@link ListPage}.
 * @module
 */
import type { ListPage } from './listing.js';

/** The namespace S3 answers listings in. */
const S3_XML_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
/** The owner s3rver 3.7.1 records for every object (its built-in account). */
const STORE_OWNER = { id: '123456789000', displayName: 'S3rver' } as const;
/** The only storage class the embedded store has. */
const STORAGE_CLASS = 'STANDARD';

/** The request fields echoed in a listing and the options that shape it. */
export interface ListEcho {
  readonly bucket: string;
  readonly prefix: string;
  readonly delimiter: string;
  /** `MaxKeys` as requested (S3 echoes it even above its 1,000-key cap). */
  readonly maxKeys: number;
  /** `encoding-type=url`: keys, prefixes, delimiter, marker and start-after are URL-encoded. */
  readonly encodeUrl: boolean;
  /** Each object's `Owner` is included. */
  readonly fetchOwner: boolean;
}

/** V1 fields. */
export interface V1Echo extends ListEcho {
  readonly marker: string;
}

/** V2 fields. */
export interface V2Echo extends ListEcho {
  readonly continuationToken?: string;
  readonly startAfter?: string;
  /** The token of the next page, when truncated. */
  readonly nextContinuationToken?: string;
}

/** Named references for XML's markup characters; `\r` as a numeric one, since XML parsers turn a raw one into `\n`. */
const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#13;',
};

function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => XML_ESCAPES[c] ?? c);
}

/** URL-encodes as S3's `encoding-type=url` does (`/` kept; `+` and space escaped, so `unquote_plus` reads it back). */
function urlEncode(text: string): string {
  return encodeURIComponent(text).replace(/%2F/g, '/');
}

function element(name: string, value: string | number | boolean): string {
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

function listBody(echo: ListEcho, page: ListPage): string {
  const text = (value: string) => (echo.encodeUrl ? urlEncode(value) : value);
  const owner = echo.fetchOwner
    ? `<Owner>${element('ID', STORE_OWNER.id)}${element('DisplayName', STORE_OWNER.displayName)}</Owner>`
    : '';
  return (
    page.contents
      .map(
        (o) =>
          '<Contents>' +
          element('Key', text(o.key)) +
          element('LastModified', o.lastModified.toISOString()) +
          element('ETag', o.etag) +
          element('Size', o.size) +
          owner +
          element('StorageClass', STORAGE_CLASS) +
          '</Contents>',
      )
      .join('') +
    page.commonPrefixes.map((p) => `<CommonPrefixes>${element('Prefix', text(p))}</CommonPrefixes>`).join('')
  );
}

function document(fields: string, echo: ListEcho, page: ListPage): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<ListBucketResult xmlns="${S3_XML_NAMESPACE}">${fields}${listBody(echo, page)}</ListBucketResult>`
  );
}

function common(echo: ListEcho): { head: string; tail: string } {
  const text = (value: string) => (echo.encodeUrl ? urlEncode(value) : value);
  return {
    head: element('Name', echo.bucket) + element('Prefix', text(echo.prefix)),
    tail:
      element('MaxKeys', echo.maxKeys) +
      (echo.delimiter === '' ? '' : element('Delimiter', text(echo.delimiter))) +
      (echo.encodeUrl ? element('EncodingType', 'url') : ''),
  };
}

/** ListObjects (V1): `Marker` always, `NextMarker` when truncated and a delimiter was given (as S3). */
export function listObjectsV1Xml(echo: V1Echo, page: ListPage): string {
  const text = (value: string) => (echo.encodeUrl ? urlEncode(value) : value);
  const { head, tail } = common(echo);
  const nextMarker =
    page.isTruncated && echo.delimiter !== '' && page.last !== undefined
      ? element('NextMarker', text(page.last))
      : '';
  return document(
    head +
      element('Marker', text(echo.marker)) +
      nextMarker +
      tail +
      element('IsTruncated', page.isTruncated),
    echo,
    page,
  );
}

/** ListObjectsV2: `KeyCount` counts keys and common prefixes; tokens are echoed as given. */
export function listObjectsV2Xml(echo: V2Echo, page: ListPage): string {
  const text = (value: string) => (echo.encodeUrl ? urlEncode(value) : value);
  const { head, tail } = common(echo);
  return document(
    head +
      tail +
      element('KeyCount', page.contents.length + page.commonPrefixes.length) +
      element('IsTruncated', page.isTruncated) +
      (echo.continuationToken === undefined ? '' : element('ContinuationToken', echo.continuationToken)) +
      (echo.nextContinuationToken === undefined
        ? ''
        : element('NextContinuationToken', echo.nextContinuationToken)) +
      (echo.startAfter === undefined ? '' : element('StartAfter', text(echo.startAfter))),
    echo,
    page,
  );
}
