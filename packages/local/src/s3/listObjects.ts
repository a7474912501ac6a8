/**
 * ListObjects (V1) and ListObjectsV2, answered by the guard from the store instead of
 * forwarded to s3rver 3.7.1, whose listing is broken two ways:
 *
 * - a truncated V2 page answers 500: its continuation tokens use DES, which Node 20's
 *   OpenSSL 3 no longer has;
 * - its pages follow directory-entry order, not key order, and truncate in that order,
 *   so marker or start-after paging loses and repeats keys (see `storeLayout.ts`); and
 *   its page size counts keys only, never common prefixes.
 *
 * Translating V2 into a V1 request would keep the second fault, so both versions are
 * listed here (`listing.ts`) with S3's semantics, for every client. Requests are
 * verified (SigV4, bucket name) by the guard before they get here; nothing is written.
 * @module
 */
import { join } from 'node:path';
import { decodeContinuationToken, encodeContinuationToken } from './continuationToken.js';
import { type ListPage, listPage } from './listing.js';
import { type ListEcho, listObjectsV1Xml, listObjectsV2Xml } from './listObjectsXml.js';
import { S3RequestError } from './s3Error.js';

/** The most keys plus common prefixes S3 returns in one page, whatever `max-keys` asks. */
export const S3_MAX_LIST_KEYS = 1000;
/** The largest `max-keys` S3 accepts (a signed 32-bit integer). */
const MAX_KEYS_LIMIT = 2_147_483_647;
/** The `list-type` of ListObjectsV2. */
const LIST_TYPE_V2 = '2';
/** The one `encoding-type` S3 knows. */
const ENCODING_URL = 'url';

/**
 * Query parameters that make a bucket GET something other than a listing (S3's bucket
 * subresources); such requests go to s3rver as before.
 */
const BUCKET_SUBRESOURCES = new Set([
  'accelerate',
  'acl',
  'analytics',
  'cors',
  'delete',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'lifecycle',
  'location',
  'logging',
  'metrics',
  'notification',
  'object-lock',
  'ownershipControls',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'session',
  'tagging',
  'uploads',
  'versioning',
  'versions',
  'website',
]);

/** Whether a request (bucket and key decoded, query decoded) is ListObjects or ListObjectsV2. */
export function isListObjects(
  method: string,
  bucket: string,
  key: string,
  query: ReadonlyArray<readonly [string, string]>,
): boolean {
  return (
    method === 'GET' && bucket !== '' && key === '' && !query.some(([name]) => BUCKET_SUBRESOURCES.has(name))
  );
}

function invalidArgument(message: string): S3RequestError {
  return new S3RequestError(400, 'InvalidArgument', message);
}

function parseMaxKeys(value: string | undefined): number {
  if (value === undefined) return S3_MAX_LIST_KEYS;
  if (!/^-?\d+$/.test(value))
    throw invalidArgument('Provided max-keys not an integer or within integer range');
  const maxKeys = Number(value);
  if (maxKeys < 0 || maxKeys > MAX_KEYS_LIMIT) {
    throw invalidArgument(`Argument maxKeys must be an integer between 0 and ${MAX_KEYS_LIMIT}`);
  }
  return maxKeys;
}

function parseEncodeUrl(value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  if (value.toLowerCase() !== ENCODING_URL)
    throw invalidArgument('Invalid Encoding Method specified in Request');
  return true;
}

/**
 * Answers a ListObjects or ListObjectsV2 request (see {@link isListObjects}) of `bucket`
 * (already checked as a bucket name) from the store under `storeDirectory`, as the
 * `ListBucketResult` XML document.
 *
 * Fails with `S3RequestError`: 404 `NoSuchBucket`; 400 `InvalidArgument` for a bad
 * `max-keys` or `encoding-type`, a malformed or foreign continuation token, `marker` in
 * a V2 request, or `continuation-token` / `start-after` in a V1 one.
 */
export async function listObjects(
  storeDirectory: string,
  bucket: string,
  query: ReadonlyArray<readonly [string, string]>,
): Promise<string> {
  const params = new Map<string, string>();
  for (const [name, value] of query) if (!params.has(name)) params.set(name, value);
  const requestedMaxKeys = parseMaxKeys(params.get('max-keys'));
  const echo: ListEcho = {
    bucket,
    prefix: params.get('prefix') ?? '',
    delimiter: params.get('delimiter') ?? '',
    maxKeys: requestedMaxKeys,
    encodeUrl: parseEncodeUrl(params.get('encoding-type')),
    fetchOwner: true,
  };
  const maxKeys = Math.min(requestedMaxKeys, S3_MAX_LIST_KEYS);
  const list = (after: string | undefined): Promise<ListPage> =>
    listPage(join(storeDirectory, bucket), {
      prefix: echo.prefix,
      delimiter: echo.delimiter,
      maxKeys,
      ...(after === undefined || after === '' ? {} : { after }),
    });

  if (params.get('list-type') !== LIST_TYPE_V2) {
    if (params.has('continuation-token')) {
      throw invalidArgument('continuation-token only supported in REST.GET.BUCKET with list-type=2');
    }
    if (params.has('start-after')) {
      throw invalidArgument('startAfter only supported in REST.GET.BUCKET with list-type=2');
    }
    const marker = params.get('marker') ?? '';
    return listObjectsV1Xml({ ...echo, marker }, await list(marker));
  }

  if (params.has('marker')) throw invalidArgument('Marker unsupported with REST.GET.BUCKET in list-type=2');
  const continuationToken = params.get('continuation-token');
  const startAfter = params.get('start-after') || undefined;
  // A token wins over start-after, which S3 then only echoes.
  const after =
    continuationToken === undefined ? startAfter : decodeContinuationToken(bucket, continuationToken);
  const page = await list(after);
  const nextContinuationToken =
    page.isTruncated && page.last !== undefined ? encodeContinuationToken(bucket, page.last) : undefined;
  return listObjectsV2Xml(
    {
      ...echo,
      fetchOwner: params.get('fetch-owner')?.toLowerCase() === 'true',
      ...(continuationToken === undefined ? {} : { continuationToken }),
      ...(startAfter === undefined ? {} : { startAfter }),
      ...(nextContinuationToken === undefined ? {} : { nextContinuationToken }),
    },
    page,
  );
}
