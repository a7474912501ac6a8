/**
 * The guard's in-process PutObject and UploadPart. A plain PutObject — no copy source, no query but
 * `x-id` and a presigned URL's signature, nothing s3rver's CORS or website middlewares
 * act on (`Origin`, `x-amz-website-redirect-location`) — is stored by calling the
 * durable store directly instead of a second HTTP exchange with s3rver (re-signed,
 * routed through Koa and its middlewares): that exchange cost more CPU than the write.
 *
 * It does what s3rver 3.7.1 does for such a request (`routes.js` → `bucketExists` →
 * `controllers/object.js` `putObject`), with s3rver's own parts: the bucket must exist
 * (`NoSuchBucket`), the metadata is picked by s3rver's `S3Object` from the headers
 * s3rver would have got (`content-type` defaulting to `binary/octet-stream`, its
 * `ALLOWED_METADATA`, `x-amz-meta-*`; a bad `x-amz-storage-class` is
 * `InvalidStorageClass`), the answer is Koa's (200, the `ETag`, an empty `text/plain`
 * body), and errors are s3rver's XML documents with their statuses — a storage fault
 * (507 `InsufficientStorage`, naming the cause) as the durable store words it.
 * `plainPut.test.ts` pins both paths to the same answers.
 *
 * A plain UploadPart (`uploadId` and `partNumber`, otherwise the same conditions) is
 * stored the same way, as s3rver's `uploadPart` does: the bucket must exist, the part
 * goes to the store's `putPart` (`NoSuchUpload` when the upload is gone), the answer is
 * 200 with the part's `ETag`.
 * @module
 */
import type http from 'node:http';
import S3Error from 's3rver/lib/models/error.js';
import S3Object from 's3rver/lib/models/object.js';
import { type DurableStore, noSuchBucket, type ReceivedBody } from './durableStore.js';
import { isQueryAuthParam } from './sigv4.js';

/** The one query parameter (besides a presigned URL's) a plain PutObject may carry: the SDK's operation name. */
const OPERATION_QUERY = 'x-id';
/** Request headers s3rver's middlewares act on for a PutObject (CORS, website redirects): such requests go to s3rver. */
const S3RVER_MIDDLEWARE_HEADERS = ['origin', 'x-amz-website-redirect-location'] as const;
/** The answer of a stored object: Koa's for s3rver's `ctx.body = ''`. */
const STORED_CONTENT_TYPE = 'text/plain; charset=utf-8';
/** The content type of s3rver's error documents (Koa's for `ctx.type = 'application/xml'`). */
const ERROR_CONTENT_TYPE = 'application/xml';

/** The query parameters that make a PUT an UploadPart. */
const PART_QUERY = ['uploadId', 'partNumber'] as const;

/**
 * A PUT of an object that copies nothing and that none of s3rver's middlewares act on,
 * whose query holds only `allowed` names besides `x-id` and a presigned signature.
 */
function isPlainWrite(
  method: string,
  key: string,
  query: ReadonlyArray<readonly [string, string]>,
  headers: ReadonlyMap<string, string>,
  allowed: readonly string[],
): boolean {
  return (
    method === 'PUT' &&
    key !== '' &&
    !headers.has('x-amz-copy-source') &&
    S3RVER_MIDDLEWARE_HEADERS.every((name) => !headers.has(name)) &&
    query.every(([name]) => allowed.includes(name) || name === OPERATION_QUERY || isQueryAuthParam(name))
  );
}

/**
 * Whether a request is a plain PutObject the guard may store in-process (see the module
 * comment); everything else goes to s3rver.
 */
export function isPlainPut(
  method: string,
  key: string,
  query: ReadonlyArray<readonly [string, string]>,
  headers: ReadonlyMap<string, string>,
): boolean {
  return isPlainWrite(method, key, query, headers, []);
}

/**
 * Whether a request is a plain UploadPart the guard may store in-process: as a plain
 * PutObject, with `uploadId` and `partNumber` (checked by the guard before) in its query.
 */
export function isPlainPart(
  method: string,
  key: string,
  query: ReadonlyArray<readonly [string, string]>,
  headers: ReadonlyMap<string, string>,
): boolean {
  return (
    isPlainWrite(method, key, query, headers, PART_QUERY) &&
    PART_QUERY.every((required) => query.some(([name]) => name === required))
  );
}

/** What {@link putInProcess} stores and answers. */
export interface PlainPut {
  readonly bucket: string;
  readonly key: string;
  /** The body, received and checked by the guard. */
  readonly body: ReceivedBody;
  /** The request headers as the guard would forward them to s3rver (lower-case names). */
  readonly headers: Readonly<Record<string, string | string[]>>;
}

/** s3rver's answer to an error thrown by a controller: its XML document, its status, nothing else. */
export function sendS3rverError(res: http.ServerResponse, error: unknown): void {
  const s3Error = error instanceof S3Error ? error : S3Error.fromError(error);
  const body = s3Error.toXML();
  res.writeHead(s3Error.status, {
    'content-type': ERROR_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * Stores a plain PutObject in `store` and answers it on `res` as s3rver would. Never
 * rejects: every failure is answered (the store has already reported a storage fault
 * through its `onFault`).
 */
export function putInProcess(store: DurableStore, put: PlainPut, res: http.ServerResponse): Promise<void> {
  return answerStored(res, async () => {
    if (!(await store.hasBucket(put.bucket))) throw noSuchBucket(put.bucket);
    const { metadata } = new S3Object(put.bucket, put.key, null, put.headers);
    return store.putObject({ bucket: put.bucket, key: put.key, metadata, content: put.body });
  });
}

/** What {@link putPartInProcess} stores and answers. */
export interface PlainPart {
  readonly bucket: string;
  readonly uploadId: string;
  readonly partNumber: number;
  /** The body, received and checked by the guard. */
  readonly body: ReceivedBody;
}

/**
 * Stores a plain UploadPart in `store` and answers it on `res` as s3rver would. Never
 * rejects: every failure is answered.
 */
export function putPartInProcess(
  store: DurableStore,
  part: PlainPart,
  res: http.ServerResponse,
): Promise<void> {
  return answerStored(res, async () => {
    if (!(await store.hasBucket(part.bucket))) throw noSuchBucket(part.bucket);
    return store.putPart(part.bucket, part.uploadId, part.partNumber, part.body);
  });
}

/** Runs a write and answers it as s3rver answers a stored object or part: 200 with its `ETag`, or its error. */
async function answerStored(res: http.ServerResponse, write: () => Promise<{ md5: string }>): Promise<void> {
  try {
    const { md5 } = await write();
    res.writeHead(200, {
      etag: JSON.stringify(md5),
      'content-type': STORED_CONTENT_TYPE,
      'content-length': 0,
    });
    res.end();
  } catch (error) {
    if (res.headersSent) res.destroy(error as Error);
    else sendS3rverError(res, error);
  }
}
