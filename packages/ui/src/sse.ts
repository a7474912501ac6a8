/**
 * Server-Sent Events: the wire format of the dashboard's live streams, and the
 * `Last-Event-ID` cursor a reconnecting browser sends back.
 *
 * This is the small local interface the server is written against; the SDK's
 * feeds module (`toServerSentEvents`, `resumeCursor`, issue 17) can replace it
 * without touching the feeds, which only produce {@link ServerSentEvent} values.
 * @module
 */
import { map, type Observable, type OperatorFunction } from 'rxjs';

/** One event: its name (`event:`), its JSON payload (`data:`), and optionally its cursor (`id:`). */
export interface ServerSentEvent {
  /** The event name the page listens for; absent means `message`. */
  readonly event?: string | undefined;
  /** Serialized as JSON. */
  readonly data: unknown;
  /** The cursor a reconnecting browser sends back as `Last-Event-ID` (no newlines). */
  readonly id?: string | undefined;
}

/**
 * The text of one event. The JSON payload goes on as many `data:` lines as it has
 * lines (JSON.stringify never makes more than one, but a payload's own newlines
 * would otherwise end the event early).
 *
 * @example
 * ```ts
 * encodeEvent({ event: 'status', data: { status: 'TRAINING' } });
 * // 'event: status\ndata: {"status":"TRAINING"}\n\n'
 * ```
 */
export function encodeEvent(event: ServerSentEvent): string {
  let text = '';
  if (event.id !== undefined) text += `id: ${singleLine(event.id)}\n`;
  if (event.event !== undefined) text += `event: ${singleLine(event.event)}\n`;
  for (const line of JSON.stringify(event.data ?? null).split('\n')) text += `data: ${line}\n`;
  return `${text}\n`;
}

/** A comment line: ignored by browsers, keeps the connection busy. */
export function encodeComment(text: string): string {
  return `: ${singleLine(text)}\n\n`;
}

/** The `retry:` field: how long a browser waits before reconnecting, ms. */
export function encodeRetry(ms: number): string {
  return `retry: ${Math.max(0, Math.round(ms))}\n\n`;
}

/** Encodes each event: a pipeable operator from events to the text chunks to write. */
export function toServerSentEvents(): OperatorFunction<ServerSentEvent, string> {
  return (events: Observable<ServerSentEvent>) => events.pipe(map(encodeEvent));
}

/**
 * The numeric cursor in a `Last-Event-ID` header: a non-negative integer, or
 * `undefined` when there is none or it is not one (a fresh start, not an error:
 * a browser only sends back what the server gave it).
 */
export function resumeCursor(lastEventId: string | readonly string[] | undefined): number | undefined {
  const value = Array.isArray(lastEventId) ? lastEventId[0] : lastEventId;
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

function singleLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
