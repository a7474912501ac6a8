/**
 * Object bodies nobody reads. s3rver answers a conditional GET that matches
 * (`If-None-Match`, `If-Modified-Since`: 304) without reading or destroying the body
 * stream the store opened for it, so its file descriptor — and a pieced object's hold on
 * its pieces — would stay until garbage collection. The store gives every body it opens
 * a deadline: not flowing and never read by then, it is destroyed.
 * @module
 */
import type { Readable } from 'node:stream';

/** How long a body may wait for its first read (Koa pipes it at once when it answers with it). */
export const UNREAD_BODY_MS = 60_000;

/**
 * Destroys `body` if, `afterMs` from now, it has neither been read nor piped (a stream
 * that flows, or has been read from, is left alone). Returns `body`.
 *
 * @example
 * ```ts
 * return new S3Object(bucket, key, destroyWhenUnread(createReadStream(file)), metadata);
 * ```
 */
export function destroyWhenUnread<T extends Readable>(body: T, afterMs: number = UNREAD_BODY_MS): T {
  const deadline = setTimeout(() => {
    if (body.readableFlowing === null && !body.readableDidRead) body.destroy();
  }, afterMs);
  deadline.unref();
  body.once('close', () => clearTimeout(deadline));
  return body;
}
