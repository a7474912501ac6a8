/**
 * Splits a byte stream into lines as they arrive: on `\n`, dropping a trailing `\r`,
 * decoding UTF-8 across chunk boundaries, keeping a partial last line until its
 * newline or the end. Nothing is buffered beyond the current partial line.
 * @module
 */
import { StringDecoder } from 'node:string_decoder';
import { DEFAULT_MAX_LOG_LINE_CHARS } from '../defaults.js';

/** Feed chunks with `push`, then call `end` once the stream ended. */
export interface LineSplitter {
  push(chunk: Buffer): void;
  end(): void;
}

const strip = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);

/**
 * A splitter calling `emit` for every complete line, in order. A line longer than
 * `maxChars` (default {@link DEFAULT_MAX_LOG_LINE_CHARS}) is emitted in pieces of that size.
 */
export function lineSplitter(
  emit: (line: string) => void,
  maxChars = DEFAULT_MAX_LOG_LINE_CHARS,
): LineSplitter {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const take = (text: string) => {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      emit(strip(pending + text.slice(start, nl)));
      pending = '';
      start = nl + 1;
    }
    pending += text.slice(start);
    while (pending.length > maxChars) {
      emit(pending.slice(0, maxChars));
      pending = pending.slice(maxChars);
    }
  };
  return {
    push: (chunk) => take(decoder.write(chunk)),
    end: () => {
      take(decoder.end());
      if (pending !== '') emit(strip(pending));
      pending = '';
    },
  };
}
