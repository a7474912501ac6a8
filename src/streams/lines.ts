/**
 * From log events to plain log lines.
 * @module
 */
import { filter, map, type OperatorFunction, pipe } from 'rxjs';
import type { LogLine } from '../codecs/training.js';
import { LogGapError } from './errors.js';
import type { LogEvent, LogLineEvent } from './logs.js';

/** Options of {@link lines}. */
export interface LinesOptions {
  /**
   * What a gap event becomes: `'error'` (default) errors the stream with a
   * `LogGapError`, so nothing is skipped silently; `'skip'` drops it, for a
   * consumer that knowingly only wants the lines that exist.
   */
  readonly onGap?: 'error' | 'skip' | undefined;
}

/**
 * Keeps the lines of a {@link LogEvent} stream.
 *
 * ```
 * logs$:   --L0--L1--gap(2..4)--L5--|
 * lines(): --0---1---#                       (LogGapError 2..4)
 * lines({ onGap: 'skip' }):
 *          --0---1--------------5---|
 * ```
 *
 * @example
 * ```ts
 * logs$(source, versionId).pipe(lines()).subscribe((line) => console.log(line.content));
 * ```
 */
export function lines(options: LinesOptions = {}): OperatorFunction<LogEvent, LogLine> {
  const skip = options.onGap === 'skip';
  return pipe(
    filter((event): event is LogLineEvent => {
      if (event.type === 'line') return true;
      if (skip) return false;
      throw new LogGapError(event.from, event.to);
    }),
    map((event) => event.line),
  );
}
