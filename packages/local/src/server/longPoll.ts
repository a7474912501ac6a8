/**
 * The log long poll, shared by training versions and services: read a page of
 * lines at the cursor — from `lastId`, or strictly after the instant `lastTime` +
 * `lastNan` —; when it is empty and more may come, wait (at most `wait` seconds,
 * capped) for the owner's next change on its {@link ChangeHub}, then read again. A
 * client that goes away ends the wait at once.
 * @module
 */
import { type LogCursor, logCursorOf, NANOS_PER_SECOND, type LogQuery as WireLogQuery } from 'modelmaker';
import {
  DEFAULT_LOCAL_LOG_PAGE_SIZE,
  DEFAULT_LOCAL_LOG_WAIT_CAP_SECONDS,
  MAX_LOCAL_LOG_PAGE_SIZE,
} from '../defaults.js';
import type { LogRecord, LogStore } from '../store/logs.js';
import type { ChangeHub } from './changeHub.js';
import { invalid } from './problem.js';

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
  /** Which lines: from an id on, or printed strictly after an instant. */
  readonly cursor: LogCursor;
  readonly limit?: number | undefined;
  /** Seconds to wait for a line when there is none yet. */
  readonly wait?: number | undefined;
}

/**
 * The query of a log route as decoded from the URL, with its cursor.
 *
 * @throws HttpProblem 400 when both cursors are given, or `lastNan` without `lastTime`.
 */
export function logQueryOf(query: WireLogQuery): LogQuery {
  const read = logCursorOf(query);
  if ('problem' in read) throw invalid(read.problem);
  return { cursor: read.cursor, limit: query.limit, wait: query.wait };
}

const MS_PER_SECOND = 1000;
const NANOS_PER_MS = NANOS_PER_SECOND / MS_PER_SECOND;

/**
 * A page of `store`'s lines of `ownerId` at `cursor`. Lines are stored with ms times,
 * so a line at `t` ms is after the instant `s` s + `n` ns when `t·10⁶ > s·10⁹ + n`,
 * that is when `t > s·1000 + ⌊n / 10⁶⌋`.
 */
export function pageAt(store: LogStore, ownerId: number, cursor: LogCursor, count: number): LogRecord[] {
  if (cursor.kind === 'id') return store.page(ownerId, cursor.fromId, count);
  const { seconds, nanos } = cursor.after;
  return store.pageAfterTime(ownerId, seconds * MS_PER_SECOND + Math.floor(nanos / NANOS_PER_MS), count);
}

/** One long poll's source of lines. */
export interface LogSource<Line> {
  /** The owner's id on the hub (a version id or a service id). */
  readonly id: number;
  /** Woken when the owner stores a line or changes status. */
  readonly hub: ChangeHub;
  /** Up to `count` lines at `cursor`, in id order. */
  page(cursor: LogCursor, count: number): readonly Line[];
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
 * A page as the log routes answer it: times as ISO text with `nanTime`, the
 * nanoseconds within that second (the time cursor's `lastNan`), `stream` as
 * `streamOf` names it, `hasMore` only when true.
 */
export function logAnswer<S extends string>(page: LogPage<StoredLogLine>, streamOf: (stream: string) => S) {
  return {
    logs: page.lines.map((line) => ({
      id: line.id,
      content: line.content,
      time: new Date(line.time).toISOString(),
      nanTime: (((line.time % MS_PER_SECOND) + MS_PER_SECOND) % MS_PER_SECOND) * NANOS_PER_MS,
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
 *   { id, hub, page: (cursor, n) => pageAt(store.trainLogs, id, cursor, n), quiet: () => finished(id) },
 *   logQueryOf(query), limits, signal,
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
    const lines = source.page(query.cursor, limit + 1);
    const page = { lines: lines.slice(0, limit), hasMore: lines.length > limit };
    const remaining = deadline - now();
    if (page.lines.length > 0 || source.quiet() || remaining <= 0) return page;
    // Registered synchronously after the read: a line stored from here on wakes us.
    if ((await source.hub.waitFor(source.id, remaining, signal)) === 'aborted') {
      return { lines: [], hasMore: false };
    }
  }
}
