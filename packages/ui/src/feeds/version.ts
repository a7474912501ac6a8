/**
 * The live feed of one training version, as the version page reads it: status,
 * log lines (resumable), metric points and resource samples, as one stream of
 * Server-Sent Events.
 * @module
 */
import {
  type LogEvent,
  logs$,
  metrics$,
  type PollOptions,
  resources$,
  type TrainingSource,
  trainingWatch,
} from 'modelmaker';
import { catchError, concat, defer, map, merge, type Observable, of, tap } from 'rxjs';
import { batchBursts } from '../batch.js';
import { DEFAULT_LOG_BATCH_LINES } from '../defaults.js';
import { describeFailure } from '../failure.js';
import { mask } from '../mask.js';
import type { ServerSentEvent } from '../sse.js';

/** A log line or gap as the page receives it (flat: `{ type: 'line', id, content, … }` or `{ type: 'gap', from, to }`). */
export type WireLogEvent =
  | ({ readonly type: 'line' } & Record<string, unknown>)
  | { readonly type: 'gap'; readonly from: number; readonly to: number };

/** Options of the log part of a feed. */
export interface LogFeedOptions extends PollOptions {
  /** First line id wanted (the resume cursor + 1); default 0. */
  readonly from?: number | undefined;
  /** Most lines per event; default {@link DEFAULT_LOG_BATCH_LINES}. */
  readonly batchLines?: number | undefined;
  /** The long-poll wait asked of the platform, s (see the SDK's `LogsOptions.waitSeconds`). */
  readonly waitSeconds?: number | undefined;
}

/** The last id a batch of log events accounts for (a line's id, or the end of a gap). */
function lastIdOf(batch: readonly LogEvent[]): number {
  const last = batch[batch.length - 1]!;
  return last.type === 'line' ? last.line.id : last.to;
}

/** A log event flattened for the wire. */
export function wireLogEvent(event: LogEvent): WireLogEvent {
  return event.type === 'line' ? { type: 'line', ...event.line } : event;
}

/**
 * Log events as `log` events whose `id` is the last line id they carry: a browser
 * that reconnects sends it back as `Last-Event-ID`, and the feed resumes after it.
 */
export function logEvents(
  events: Observable<LogEvent>,
  batchLines = DEFAULT_LOG_BATCH_LINES,
): Observable<ServerSentEvent> {
  return events.pipe(
    batchBursts(batchLines),
    map((batch) => ({ event: 'log', id: String(lastIdOf(batch)), data: batch.map(wireLogEvent) })),
  );
}

/**
 * The feed of version `versionId`:
 * - `hello` `{ versionId, from }` first (a page clears its charts on it: metric points
 *   and resource samples are sent again from the start on every connection);
 * - `status` `{ status, terminal, detail }` on each change (the detail masked: no
 *   secret parameters), shared with every other watcher of the version;
 * - `log` `[line | gap, …]` with `id` the last line id, from `options.from`;
 * - `metrics` `[{ name, value, time, step }, …]` and `resources` `[{ time, instance, cpu, memory, gpu }, …]`;
 * - `end` `{ status }` once the version has ended and every line, point and sample was sent;
 * - `failure` `{ tag, message }` instead when the version cannot be read (deleted…).
 */
export function versionFeed(
  source: TrainingSource,
  versionId: number,
  options: LogFeedOptions = {},
): Observable<ServerSentEvent> {
  return defer(() => {
    const from = options.from ?? 0;
    let last: string | undefined;
    const watch = trainingWatch(source, versionId, options);
    const status = watch.status$.pipe(
      tap((change) => {
        last = change.status;
      }),
      map((change) => ({
        event: 'status',
        data: { status: change.status, terminal: change.terminal, detail: mask(change.detail) },
      })),
    );
    const batch = (name: string) => (stream: Observable<unknown>) =>
      stream.pipe(
        batchBursts(DEFAULT_LOG_BATCH_LINES),
        map((items): ServerSentEvent => ({ event: name, data: items })),
      );
    const live = merge(
      status,
      logEvents(logs$(source, versionId, { ...options, from }), options.batchLines),
      metrics$(source, versionId, options).pipe(batch('metrics')),
      resources$(source, versionId, options).pipe(batch('resources')),
    );
    return concat(
      of({ event: 'hello', data: { versionId, from } }),
      live,
      defer(() => of({ event: 'end', data: { status: last } })),
    ).pipe(catchError((error: unknown) => of({ event: 'failure', data: describeFailure(error) })));
  });
}
