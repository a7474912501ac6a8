/**
 * The dashboard's events on the wire: each a name, a JSON payload and, for log
 * batches, the cursor a reconnecting browser sends back as `Last-Event-ID`.
 * Framing and resume are the SDK's feeds (`toServerSentEvents`, `resumeCursor`);
 * this module only says how a dashboard event maps onto them.
 * @module
 */
import { type FeedCursor, resumeCursor, toServerSentEvents } from 'modelmaker';
import type { OperatorFunction, SchedulerLike } from 'rxjs';

/** One event: its name (`event:`), its JSON payload (`data:`), and optionally its cursor (`id:`). */
export interface ServerSentEvent {
  /** The event name the page listens for; absent means `message`. */
  readonly event?: string | undefined;
  /** Serialized as JSON. */
  readonly data: unknown;
  /** The cursor a reconnecting browser sends back as `Last-Event-ID` (absent: the browser keeps the last one). */
  readonly id?: string | undefined;
}

/** Options of {@link toFrames}. */
export interface FrameOptions {
  /** `retry:` sent first: how long (ms) a browser waits before reconnecting. */
  readonly retryMs?: number | undefined;
  /** A comment frame this often (ms) while the stream is open. */
  readonly heartbeatMs?: number | undefined;
  readonly scheduler?: SchedulerLike | undefined;
}

/**
 * Encodes dashboard events as Server-Sent Events frames with the SDK's encoder:
 * `event:` and `id:` as each event says, `data:` its JSON.
 *
 * @example
 * ```ts
 * of({ event: 'status', data: { status: 'TRAINING' } }).pipe(toFrames());
 * // 'event: status\ndata: {"status":"TRAINING"}\n\n'
 * ```
 */
export function toFrames(options: FrameOptions = {}): OperatorFunction<ServerSentEvent, string> {
  return toServerSentEvents<ServerSentEvent>({
    id: (value) => value.id,
    event: (value) => value.event,
    data: (value) => JSON.stringify(value.data ?? null),
    retryMs: options.retryMs,
    heartbeatMs: options.heartbeatMs,
    scheduler: options.scheduler,
  });
}

/**
 * The first log line id a reconnecting page wants: after the `Last-Event-ID` it
 * sends (the SDK's `resumeCursor`), 0 without one. An id this server never sent
 * fails with the SDK's `ValidationError` (answered 400).
 */
export function resumeFrom(lastEventId: string | readonly string[] | undefined): number {
  const value: string | undefined = Array.isArray(lastEventId)
    ? lastEventId[0]
    : (lastEventId as string | undefined);
  const cursor: FeedCursor = resumeCursor(value);
  return cursor.from;
}
