/**
 * `for await` over any stream of the SDK.
 * @module
 */
import type { Observable } from 'rxjs';
import { Puller } from './internal/puller.js';
import { type FeedOptions, resolveFeedOptions } from './options.js';

/** Options of {@link toAsyncIterable}: a bounded buffer, its overflow policy, and optional demand. */
export type AsyncIterableOptions<T> = FeedOptions<T>;

/**
 * Reads `source` with `for await`. The first `next()` subscribes; values the
 * loop has not reached yet wait in a buffer of at most `buffer` values (default
 * 4096), and a value arriving while it is full follows the `overflow` policy:
 * `'error'` (default: after the buffered values, the loop throws a
 * `FeedOverflowError`), `'drop-oldest'` or `'drop-newest'`. With a `demand`
 * (see `withDemand`), the source's polling waits for the loop instead, so a
 * slow loop gets every value with memory bounded by `buffer`.
 *
 * Leaving the loop (`break`, `return`, a throw in its body) calls `return()`,
 * which unsubscribes: the poll's timer stops and its request is aborted. The
 * source's error is thrown by the loop after the values buffered before it.
 * One subscription per call: iterate the result once.
 *
 * Throws a `ValidationError` at once for bad options.
 *
 * @example
 * ```ts
 * for await (const event of toAsyncIterable(logs$(source, versionId))) {
 *   if (event.type === 'line') console.log(event.line.content);
 *   if (done) break; // stops polling
 * }
 * ```
 */
export function toAsyncIterable<T>(
  source: Observable<T>,
  options: AsyncIterableOptions<T> = {},
): AsyncIterableIterator<T> {
  const puller = new Puller(source, resolveFeedOptions(options));
  const iterator: AsyncIterableIterator<T> = {
    next: () => {
      try {
        return Promise.resolve(puller.pull());
      } catch (error) {
        return Promise.reject(error);
      }
    },
    return: () => {
      puller.cancel();
      return Promise.resolve({ done: true, value: undefined });
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
