/**
 * NDJSON (newline-delimited JSON): one JSON document per line.
 * @module
 */
import { map, type OperatorFunction } from 'rxjs';

/** The `Content-Type` of an NDJSON response. */
export const NDJSON_CONTENT_TYPE = 'application/x-ndjson';

/**
 * `value` as one NDJSON line: its JSON and a `\n` (JSON text never holds a raw
 * line break, so each value is exactly one line). A value JSON cannot express
 * (`undefined`, a function) becomes `null`. Pass it as the `encode` of
 * `toReadableStream` for a byte stream, or map with it.
 *
 * @example
 * ```ts
 * new Response(toReadableStream(metrics$(source, versionId), ndjsonLine), {
 *   headers: { 'content-type': NDJSON_CONTENT_TYPE },
 * });
 * ```
 */
export function ndjsonLine(value: unknown): string {
  return `${JSON.stringify(value) ?? 'null'}\n`;
}

/**
 * Each value as one NDJSON line (see {@link ndjsonLine}).
 *
 * ```
 * metrics$:   --a----b--|
 * toNdjson(): --a'---b'-|     a' = '{"name":"loss","value":0.5,…}\n'
 * ```
 *
 * @example
 * ```ts
 * logs$(source, versionId).pipe(toNdjson()).subscribe((line) => process.stdout.write(line));
 * ```
 */
export function toNdjson<T>(): OperatorFunction<T, string> {
  return map(ndjsonLine);
}
