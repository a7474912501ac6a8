/**
 * A training version's log as a stream: tails the `lastId` cursor, delivers every
 * line once and in order, reports gaps, drains after the job ends.
 * @module
 */
import { defer, map, type Observable } from 'rxjs';
import { isTerminalTrainStatus, type LogInstant, type LogLine, type LogPage } from '../codecs/training.js';
import { DEFAULT_LOG_PAGE_LIMIT, DEFAULT_LOG_WAIT_SECONDS, LONG_POLL_HELD_FRACTION } from '../defaults.js';
import { type PollOptions, type PollStep, poll, resolvePollOptions } from './poll.js';
import type { TrainingSource } from './source.js';

/** A log line, delivered once, in `id` order. `line.instance` tells which training instance printed it. */
export interface LogLineEvent {
  readonly type: 'line';
  readonly line: LogLine;
}

/** Lines `from`..`to` (inclusive) are missing: the server skipped them (rotated, truncated). Never silent. */
export interface LogGapEvent {
  readonly type: 'gap';
  readonly from: number;
  readonly to: number;
}

/** What {@link logs$} emits: lines, and a gap event wherever ids jump. */
export type LogEvent = LogLineEvent | LogGapEvent;

/** Options of {@link logs$}, beside the polling engine's. */
export interface LogsOptions extends PollOptions {
  /** Id of the first line wanted (the cursor). Default 0: from the start. */
  readonly from?: number | undefined;
  /**
   * Start with the lines printed strictly after this instant instead (the time
   * cursor, `lastTime` + `lastNan`; `logInstantOf(line)` gives a line's instant).
   * Once a line came, the stream goes on by id. Without a gap event for the lines
   * before it: they were not asked for.
   */
  readonly after?: LogInstant | undefined;
  /** Lines asked per page (`limit`). Default {@link DEFAULT_LOG_PAGE_LIMIT} (1000). */
  readonly limit?: number | undefined;
  /**
   * How long to ask the server to hold a request while there is no new line
   * (`wait`, in s). Default {@link DEFAULT_LOG_WAIT_SECONDS} (20). 0 never asks:
   * plain polling only. Keep it below the transport's per-attempt timeout.
   */
  readonly waitSeconds?: number | undefined;
}

/** Whether the server holds log requests (`wait`), as learned from its answers. */
type LongPoll = 'unknown' | 'yes' | 'no';

interface Cursor {
  /** The next id wanted: every line below it was delivered (or reported missing). */
  readonly next: number;
  /** While no line came yet: ask for the lines after this instant rather than from `next`. */
  readonly after?: LogInstant | undefined;
  readonly longPoll: LongPoll;
  /**
   * `tail`: following a running job; `check`: an empty page came, read the status
   * next; `drain`: the job is over, read pages until an empty one.
   */
  readonly phase: 'tail' | 'check' | 'drain';
  /** What the empty page before a `check` says about long polling, should the job still be running. */
  readonly verdict: LongPoll;
}

/**
 * Follows the log of a training version from `options.from` (default 0) and
 * completes once the job has ended and every line is delivered. Works the same
 * on a version started elsewhere (attach by id).
 *
 * **Exactly once, in order.** The cursor moves only past delivered lines; a
 * failed page is asked again from the same cursor after a full-jitter wait (see
 * {@link poll}), so retries, token refreshes and a server that restarts (down
 * for a while, then serving the same cursor) neither lose nor repeat a line.
 * Lines with an id below the cursor are dropped. Where ids jump (the server no
 * longer has some lines), a `{ type: 'gap', from, to }` event precedes the next
 * line: nothing is skipped silently. Pipe `lines()` for plain lines.
 *
 * **End.** After each empty page the status is read; once it is terminal,
 * pages are read until one is empty without `hasMore`, then the stream completes.
 *
 * **Long poll, detected.** Requests ask `wait=waitSeconds`. An empty page held
 * at least {@link LONG_POLL_HELD_FRACTION} of that time, for a job still
 * running, shows a server that long-polls: the next request goes at once. An
 * empty page answered sooner, for a job still running, shows a server that does
 * not: from then on `wait` is no longer sent and the engine's adaptive interval
 * paces the requests (floor while lines come, backing off toward the ceiling
 * while idle). The latest empty page decides, so a long-polling server that once
 * answers early is polled plainly for the rest of the stream. Until the first
 * empty page, requests follow each other as long as each brings lines. A cut
 * page (`hasMore`, or `limit` lines) is followed at once.
 *
 * **Bounded memory.** Nothing is kept but the cursor; each page is emitted and dropped.
 *
 * ```
 * requests: page  page  status    page  page      page  status  page
 * answers:  [0,1] []    TRAINING  [2]   [5,6]     []    FINISH  []
 * logs$:    0 1                   2     gap(3..4) 5 6                 |
 * ```
 *
 * Cold: each subscription has its own cursor. Fails like {@link poll}: with the
 * last error when giving up, or at once with a non-transient one.
 */
export function logs$(
  source: TrainingSource,
  versionId: number,
  options: LogsOptions = {},
): Observable<LogEvent> {
  const limit = options.limit ?? DEFAULT_LOG_PAGE_LIMIT;
  const waitSeconds = options.waitSeconds ?? DEFAULT_LOG_WAIT_SECONDS;
  const { scheduler } = resolvePollOptions(options);
  const heldMs = waitSeconds * 1000 * LONG_POLL_HELD_FRACTION;

  const readPage = (cursor: Cursor): Observable<PollStep<Cursor, LogEvent>> =>
    defer(() => {
      const wait = cursor.phase === 'tail' && cursor.longPoll !== 'no' ? waitSeconds : undefined;
      const sentAt = scheduler.now();
      return source
        .logPage(versionId, { lastId: cursor.next, after: cursor.after, wait, limit })
        .pipe(
          map((page) =>
            onPage(cursor, page, wait === undefined ? undefined : scheduler.now() - sentAt >= heldMs),
          ),
        );
    });

  /** `held`: for a `wait` request, whether the server held it; `undefined` without `wait`. */
  const onPage = (cursor: Cursor, page: LogPage, held: boolean | undefined): PollStep<Cursor, LogEvent> => {
    const events: LogEvent[] = [];
    // Under the time cursor the first line sets the id cursor: the lines before it were not asked for.
    let next = cursor.after !== undefined && page.logs.length > 0 ? page.logs[0]!.id : cursor.next;
    for (const line of page.logs) {
      if (line.id < next) continue;
      if (line.id > next) events.push({ type: 'gap', from: next, to: line.id - 1 });
      events.push({ type: 'line', line });
      next = line.id + 1;
    }
    const moved: Cursor = { ...cursor, next, after: events.length > 0 ? undefined : cursor.after };
    // a cut page is followed at once, as long as it moved the cursor (a server that ignores lastId cannot spin us)
    const cut = page.hasMore === true || page.logs.length >= limit;
    if (cut && next !== cursor.next) return { state: moved, emit: events, pace: 'now' };
    if (events.length > 0) {
      return {
        state: moved,
        emit: events,
        pace: cursor.phase === 'drain' || cursor.longPoll !== 'no' ? 'now' : 'progress',
      };
    }
    if (cursor.phase === 'drain') return { state: moved, pace: 'done' };
    const verdict: LongPoll = held === undefined ? cursor.longPoll : held ? 'yes' : 'no';
    return { state: { ...moved, phase: 'check', verdict }, pace: 'now' };
  };

  const readStatus = (cursor: Cursor): Observable<PollStep<Cursor, LogEvent>> =>
    source.version(versionId).pipe(
      map((detail): PollStep<Cursor, LogEvent> => {
        if (isTerminalTrainStatus(detail.status))
          return { state: { ...cursor, phase: 'drain' }, pace: 'now' };
        const longPoll = cursor.verdict;
        return { state: { ...cursor, phase: 'tail', longPoll }, pace: longPoll === 'yes' ? 'now' : 'idle' };
      }),
    );

  const start: Cursor = {
    next: options.from ?? 0,
    after: options.after,
    longPoll: waitSeconds > 0 ? 'unknown' : 'no',
    phase: 'tail',
    verdict: 'unknown',
  };
  return poll(start, (cursor) => (cursor.phase === 'check' ? readStatus(cursor) : readPage(cursor)), options);
}
