/**
 * AbortMultipartUpload, answered by the guard: s3rver 3.7.1 has no route for it (a
 * `DELETE …?uploadId=` is its `405 MethodNotAllowed`), so an abandoned upload's parts
 * stayed on disk for good. The guard deletes them through the durable store and answers
 * as S3 does: `204` with no body, or `404 NoSuchUpload` (s3rver's error document) when
 * the upload is not there — never started, completed, or aborted before.
 * @module
 */
import type http from 'node:http';
import type { DurableStore } from './durableStore.js';
import { sendS3rverError } from './plainPut.js';

/** The upload a request aborts: a `DELETE` of an object with an `uploadId` query; `undefined` for any other request. */
export function abortedUploadId(
  method: string,
  key: string,
  query: ReadonlyArray<readonly [string, string]>,
): string | undefined {
  if (method !== 'DELETE' || key === '') return undefined;
  return query.find(([name]) => name === 'uploadId')?.[1];
}

/**
 * Aborts the upload `uploadId` of `bucket`/`key` in `store` and answers on `res`. Never
 * rejects: every failure is answered (a storage fault as the store words it).
 *
 * @example
 * ```ts
 * const uploadId = abortedUploadId(method, key, query);
 * if (uploadId !== undefined) return abortUpload(store, { bucket, key, uploadId }, res);
 * ```
 */
export async function abortUpload(
  store: DurableStore,
  upload: { readonly bucket: string; readonly key: string; readonly uploadId: string },
  res: http.ServerResponse,
): Promise<void> {
  try {
    await store.abortMultipartUpload(upload.bucket, upload.key, upload.uploadId);
    res.writeHead(204);
    res.end();
  } catch (error) {
    sendS3rverError(res, error);
  }
}
