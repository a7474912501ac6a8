/**
 * Any stream of the SDK as a WHATWG `ReadableStream`.
 * @module
 */
import type { Observable } from 'rxjs';
import { Puller } from './internal/puller.js';
import { type FeedOptions, resolveFeedOptions } from './options.js';

/** Most characters of encoded values a byte stream joins into one chunk. */
export const FEED_CHUNK_CHARS = 64 * 1024;

/** Options of {@link toReadableStream}: a bounded buffer, its overflow policy, and optional demand. */
export type ReadableStreamOptions<T> = FeedOptions<T>;

/** Turns a value into the bytes a byte stream carries (strings are UTF-8 encoded). */
export type FeedEncoder<T> = (value: T) => string | Uint8Array;

/**
 * A `ReadableStream` of `source`'s values, or with `encode` of their bytes
 * (`Uint8Array`, ready for `new Response(stream)` or a Node `Readable.fromWeb`;
 * `ndjsonLine` and SSE frames are encoders).
 *
 * **Pull-based.** The stream's own queue is empty (`highWaterMark` 0): a value
 * is handed over only when the reader asks. The first read subscribes; values
 * the reader has not asked for yet wait in a buffer of at most `buffer` values,
 * with the `overflow` policy beyond it (see `toAsyncIterable`). Give a `demand`
 * and wrap the polled source with `withDemand(source, demand)`: a reader that
 * pauses then pauses the polling (no request goes out while `highWater` values
 * wait), and memory stays bounded however slow the reader.
 *
 * `cancel()` (or `reader.cancel()`, or a `Response` whose client went away)
 * unsubscribes: timers stop, the request in flight is aborted. The source's
 * error errors the stream after the values buffered before it.
 *
 * Throws a `ValidationError` at once for bad options.
 *
 * @example
 * ```ts
 * // an HTTP handler streaming a job's metrics as NDJSON
 * const body = toReadableStream(metrics$(source, versionId), ndjsonLine);
 * return new Response(body, { headers: { 'content-type': NDJSON_CONTENT_TYPE } });
 * ```
 */
export function toReadableStream<T>(
  source: Observable<T>,
  options?: ReadableStreamOptions<T>,
): ReadableStream<T>;
export function toReadableStream<T>(
  source: Observable<T>,
  encode: FeedEncoder<T>,
  options?: ReadableStreamOptions<T>,
): ReadableStream<Uint8Array>;
export function toReadableStream<T>(
  source: Observable<T>,
  encodeOrOptions?: FeedEncoder<T> | ReadableStreamOptions<T>,
  maybeOptions?: ReadableStreamOptions<T>,
): ReadableStream<T> | ReadableStream<Uint8Array> {
  const encode = typeof encodeOrOptions === 'function' ? encodeOrOptions : undefined;
  const options = (typeof encodeOrOptions === 'function' ? maybeOptions : encodeOrOptions) ?? {};
  const puller = new Puller(source, resolveFeedOptions(options));
  return encode === undefined ? valueStream(puller) : byteStream(puller, encode);
}

/** A value the reader asked for (or the end) goes into the stream's controller. */
type Deliver<T, C> = (controller: ReadableStreamDefaultController<C>, result: IteratorYieldResult<T>) => void;

/**
 * A stream with no queue of its own (`highWaterMark` 0): each read pulls the next
 * value from `puller` and `deliver`s it; the end closes the stream, an error errors it.
 */
function pulledStream<T, C>(puller: Puller<T>, deliver: Deliver<T, C>): ReadableStream<C> {
  const settle = (controller: ReadableStreamDefaultController<C>, result: IteratorResult<T, undefined>) => {
    if (result.done) controller.close();
    else deliver(controller, result);
  };
  return new ReadableStream<C>(
    {
      pull: (controller) => {
        const result = puller.pull();
        if (result instanceof Promise) return result.then((settled) => settle(controller, settled));
        settle(controller, result);
        return undefined;
      },
      cancel: () => puller.cancel(),
    },
    { highWaterMark: 0 },
  );
}

/** One value per read: the reader's pace is the source's. */
function valueStream<T>(puller: Puller<T>): ReadableStream<T> {
  return pulledStream<T, T>(puller, (controller, result) => controller.enqueue(result.value));
}

/**
 * Bytes: each read gets the next value's encoding joined with those of the
 * values already buffered behind it, up to {@link FEED_CHUNK_CHARS} characters
 * (byte streams have no value boundaries; one `TextEncoder` call per chunk
 * instead of per value).
 */
function byteStream<T>(puller: Puller<T>, encode: FeedEncoder<T>): ReadableStream<Uint8Array> {
  const utf8 = new TextEncoder();
  return pulledStream<T, Uint8Array>(puller, (controller, first) => {
    let text = '';
    let next: IteratorYieldResult<T> | undefined = first;
    while (next !== undefined) {
      const encoded = encode(next.value);
      if (typeof encoded === 'string') {
        text += encoded;
      } else {
        if (text !== '') controller.enqueue(utf8.encode(text));
        text = '';
        controller.enqueue(encoded);
      }
      next = text.length < FEED_CHUNK_CHARS ? puller.takeBuffered() : undefined;
    }
    if (text !== '') controller.enqueue(utf8.encode(text));
  });
}
