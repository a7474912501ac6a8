/**
 * Printing a log — a training version's or a service's — once (`logs`) or following
 * it (`logs -f`): text lines with escape sequences neutralised, or NDJSON events.
 * @module
 */

import type { LogEvent, LogPage } from 'modelmaker';
import { DEFAULT_LOG_PAGE_LIMIT } from 'modelmaker';
import { EMPTY, expand, from as fromArray, map, mergeMap, type Observable } from 'rxjs';
import type { Context } from './context.js';
import { jsonText, neutralise, styleOf } from './output.js';

/** Reads one page of a log: lines with `id >= lastId`, at most `limit`. */
export type ReadLogPage = (lastId: number, limit: number) => Observable<LogPage>;

/**
 * The lines a log has now, from `from`: pages read one after the other while they
 * come full (or say `hasMore`), then completes. Gaps are reported like `logs$` does.
 */
export function logSnapshot(
  read: ReadLogPage,
  from: number,
  limit = DEFAULT_LOG_PAGE_LIMIT,
): Observable<LogEvent> {
  interface Step {
    readonly page: LogPage;
    readonly next: number;
    readonly events: LogEvent[];
  }
  const step =
    (cursor: number) =>
    (page: LogPage): Step => {
      const events: LogEvent[] = [];
      let next = cursor;
      for (const line of page.logs) {
        if (line.id < next) continue;
        if (line.id > next) events.push({ type: 'gap', from: next, to: line.id - 1 });
        events.push({ type: 'line', line });
        next = line.id + 1;
      }
      return { page, next, events };
    };
  const readFrom = (cursor: number) => read(cursor, limit).pipe(map(step(cursor)));
  return readFrom(from).pipe(
    expand((done) => {
      const cut = done.page.hasMore === true || done.page.logs.length >= limit;
      return cut && done.events.length > 0 ? readFrom(done.next) : EMPTY;
    }),
    mergeMap((done) => fromArray(done.events)),
  );
}

/**
 * Prints log events: with `--json` each as one NDJSON line, the SDK's event as is
 * (`{ "type": "line", "line": { "id", "content", … } }`, `{ "type": "gap", "from", "to" }`); otherwise each line's
 * content (neutralised, `stderr` lines dimmed on a colour terminal) on stdout, and a
 * gap as a note on stderr.
 */
export function logPrinter(context: Context): (event: LogEvent) => void {
  const style = styleOf(context.out);
  return (event) => {
    if (context.json) {
      context.out.line(jsonText(event));
    } else if (event.type === 'line') {
      const text = neutralise(event.line.content);
      context.out.line(event.line.stream === 'stderr' ? style.dim(text) : text);
    } else {
      context.err.line(`[log lines ${event.from}..${event.to} are missing]`);
    }
  };
}
