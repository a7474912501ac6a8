/**
 * From log events to plain log lines.
 * @module
 */
import { Observable, type OperatorFunction } from 'rxjs';
import type { LogLine } from '../codecs/training.js';
import { LogGapError } from './errors.js';
import type { LogEvent } from './logs.js';

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
  // One subscriber hop per event (not a filter and a map): this runs once per line of a million-line log.
  return (source) =>
    new Observable<LogLine>((subscriber) =>
      source.subscribe({
        next: (event) => {
          if (event.type === 'line') subscriber.next(event.line);
          else if (!skip) subscriber.error(new LogGapError(event.from, event.to));
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
}
