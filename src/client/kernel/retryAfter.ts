/**
 * The server's `Retry-After` header as a wait. Whoever reads the header puts the
 * wait on the error it reports (`retryAfterMs`, see `ErrorFields`), where the retry
 * engine finds it.
 * @module
 */

const DELAY_SECONDS = /^\d+(\.\d+)?$/;
const MS_PER_SECOND = 1000;

/**
 * A `Retry-After` header as a wait in ms: delay-seconds (`"2"`, `"1.5"`) or an HTTP
 * date (relative to `nowMs`, never negative). `undefined` when absent or unreadable.
 *
 * @example
 * ```ts
 * parseRetryAfter(response.headers.get('retry-after'), Date.now()); // 2000 for "2"
 * ```
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (DELAY_SECONDS.test(text)) return Math.round(Number(text) * MS_PER_SECOND);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
