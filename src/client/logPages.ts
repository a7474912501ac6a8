/**
 * What the client makes sure of in every log page before anyone reads it: lines in
 * ascending `id` order, and a cursor that can move.
 * @module
 */
import { map, type OperatorFunction } from 'rxjs';
import type { LogPage, LogQuery } from '../codecs/training.js';
import { PagingError, type RequestInfo } from '../errors.js';

/**
 * `page` with its lines **sorted** by `id` (stable; a page already in order is returned
 * as is). The contract says pages are ascending; a server that sends them descending
 * (newest first) or shuffled loses nothing: sorting is chosen over refusing because
 * every line is still there, and over reporting the jump as a gap because nothing is
 * missing. Duplicate ids are kept (readers skip ids below their cursor).
 *
 * Fails with `PagingError` when the page says more lines follow (`hasMore`) yet holds
 * no line at or after `query.lastId` (under the time cursor: no line at all): asking
 * again from the same cursor would get the same page forever. (A full page of old lines without `hasMore` — a server that ignores
 * `lastId` — is left to the readers, which treat it as empty.)
 */
export function checkLogPage(query: LogQuery, page: LogPage, where: RequestInfo = {}): LogPage {
  let ordered = page;
  for (let i = 1; i < page.logs.length; i++) {
    if (page.logs[i]!.id < page.logs[i - 1]!.id) {
      ordered = { ...page, logs: [...page.logs].sort((a, b) => a.id - b.id) };
      break;
    }
  }
  if (ordered.hasMore === true) {
    const last = ordered.logs[ordered.logs.length - 1];
    // Under the time cursor (no lastId) any line moves the cursor; an empty page does not.
    if (last === undefined || (query.lastId !== undefined && last.id < query.lastId)) {
      const cursor =
        query.lastId !== undefined
          ? `lastId ${query.lastId}`
          : `lastTime ${query.lastTime} lastNan ${query.lastNan ?? 0}`;
      throw new PagingError(
        `log page from ${cursor} says more lines follow but holds ${ordered.logs.length === 0 ? 'no line' : `only lines up to id ${last!.id}`}: the cursor cannot move`,
        1,
        where,
      );
    }
  }
  return ordered;
}

/** {@link checkLogPage} as an operator on the pages of `query`. */
export function checkedLogPages(
  query: LogQuery,
  where: RequestInfo = {},
): OperatorFunction<LogPage, LogPage> {
  return map((page) => checkLogPage(query, page, where));
}
