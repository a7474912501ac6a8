/**
 * The log long poll, shared by training versions and services: read a page of
 * lines after `lastId`; when it is empty and more may come, wait (at most `wait`
 * seconds, capped) for the owner's next change on its {@link ChangeHub}, then read
 * again. A client that goes away ends the wait at once.
 * @module
 */
import {
  DEFAULT_LOCAL_LOG_PAGE_SIZE,
  DEFAULT_LOCAL_LOG_WAIT_CAP_SECONDS,
  MAX_LOCAL_LOG_PAGE_SIZE,
} from '../defaults.js';
import type { ChangeHub } from './changeHub.js';

/** Limits of the log routes. */
export interface LogLimits {
  /** Longest `wait`, seconds. Default {@link DEFAULT_LOCAL_LOG_WAIT_CAP_SECONDS}. */
  readonly waitCapSeconds?: number;
  /** Lines per page without `limit`. Default {@link DEFAULT_LOCAL_LOG_PAGE_SIZE}. */
  readonly pageSize?: number;
  /** Largest `limit`. Default {@link MAX_LOCAL_LOG_PAGE_SIZE}. */
  readonly maxPageSize?: number;
}

/** What a log route's query asks for. */
export interface LogQuery {
  /** Lines with an id of at least this. */
  readonly lastId: number;
  readonly limit?: number | undefined;
  /** Seconds to wait for a line when there is none yet. */
  readonly wait?: number | undefined;
}

/** One long poll's source of lines. */
export interface LogSource<Line> {
  /** The owner's id on the hub (a version id or a service id). */
  readonly id: number;
  /** Woken when the owner stores a line or changes status. */
  readonly hub: ChangeHub;
  /** Up to `count` lines with an id of at least `fromId`, in order. */
  page(fromId: number, count: number): readonly Line[];
  /** True when no line will come without something new happening (the owner ended, stopped or is gone). */
  quiet(): boolean;
}

/** A page of lines; `hasMore` when lines beyond the page exist already. */
export interface LogPage<Line> {
  readonly lines: readonly Line[];
  readonly hasMore: boolean;
}

/** A log line as the store keeps it. */
export interface StoredLogLine {
  readonly id: number;
  readonly content: string;
  /** ms since the epoch. */
  readonly time: number;
  readonly instance: number;
  readonly stream: string;
}

/**
 * A page as the log routes answer it: times as ISO text, `stream` as `streamOf`
 * names it, `hasMore` only when true.
 */
export function logAnswer<S extends string>(page: LogPage<StoredLogLine>, streamOf: (stream: string) => S) {
  return {
    logs: page.lines.map((line) => ({
      id: line.id,
      content: line.content,
      time: new Date(line.time).toISOString(),
      instance: line.instance,
      stream: streamOf(line.stream),
    })),
    hasMore: page.hasMore ? true : undefined,
  };
}

/** The clock of deadlines (ms). */
export type Clock = () => number;

/**
 * Answers one long poll (see the module doc): the first non-empty page, or an empty
 * one once the source is quiet, the wait is over, or `signal` aborts.
 *
 * @example
 * ```ts
 * const page = await longPollLog(
 *   { id, hub, page: (from, n) => store.trainLogs.page(id, from, n), quiet: () => finished(id) },
 *   query, limits, signal,
 * );
 * ```
 */
export async function longPollLog<Line>(
  source: LogSource<Line>,
  query: LogQuery,
  limits: LogLimits | undefined,
  signal: AbortSignal,
  now: Clock = Date.now,
): Promise<LogPage<Line>> {
  const pageSize = limits?.pageSize ?? DEFAULT_LOCAL_LOG_PAGE_SIZE;
  const maxPageSize = limits?.maxPageSize ?? MAX_LOCAL_LOG_PAGE_SIZE;
  const waitCap = limits?.waitCapSeconds ?? DEFAULT_LOCAL_LOG_WAIT_CAP_SECONDS;
  const limit = Math.min(Math.max(query.limit ?? pageSize, 1), maxPageSize);
  const deadline = now() + Math.min(Math.max(query.wait ?? 0, 0), waitCap) * 1000;
  for (;;) {
    // One line more than the page tells whether more exist.
    const lines = source.page(query.lastId, limit + 1);
    const page = { lines: lines.slice(0, limit), hasMore: lines.length > limit };
    const remaining = deadline - now();
    if (page.lines.length > 0 || source.quiet() || remaining <= 0) return page;
    // Registered synchronously after the read: a line stored from here on wakes us.
    if ((await source.hub.waitFor(source.id, remaining, signal)) === 'aborted') {
      return { lines: [], hasMore: false };
    }
  }
}
