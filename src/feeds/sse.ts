/**
 * Server-Sent Events: any stream of the SDK as `text/event-stream` frames, with
 * ids a reconnecting client sends back as `Last-Event-ID` (see `resumeCursor`).
 * @module
 */
import {
  asyncScheduler,
  connect,
  endWith,
  ignoreElements,
  interval,
  map,
  merge,
  Observable,
  type OperatorFunction,
  type SchedulerLike,
  startWith,
  takeUntil,
} from 'rxjs';
import { ValidationError } from '../errors.js';
import { logPosition } from './position.js';
import type { FeedCursor } from './resume.js';

/**
 * How each event's `id:` is chosen.
 * - `'auto'`: the stream's own cursor for log streams — the line id of a log
 *   line, the last id of a gap (see `logPosition`) — so `resumeCursor` gives back
 *   a `logs$` `from`; for any other stream, the event's sequence number (0, 1, 2 …
 *   counted from the start of the stream). The first event decides; a log feed
 *   that later carries an event without a log position fails with a
 *   `ValidationError` (use `'sequence'` for streams that mix both, like `fit`).
 * - `'sequence'`: always the sequence number.
 * - a function: its answer (`undefined`: no `id:` for that event).
 */
export type ServerSentEventId<T> =
  | 'auto'
  | 'sequence'
  | ((value: T, sequence: number) => string | number | undefined);

/** Options of {@link toServerSentEvents}. Every field has a default. */
export interface ServerSentEventsOptions<T> {
  /** How each event's `id:` is chosen. Default `'auto'`. */
  readonly id?: ServerSentEventId<T> | undefined;
  /**
   * `event:` of each event. Default: the value's `type` when it is a string
   * (`line`, `gap`, `status` … of the SDK's tagged events), else none (the
   * client's `message` event).
   */
  readonly event?: ((value: T) => string | undefined) | undefined;
  /** `data:` of each event. Default `JSON.stringify(value)`. Line breaks become several `data:` lines. */
  readonly data?: ((value: T) => string) | undefined;
  /**
   * Where the client left off (`resumeCursor(lastEventId)`): events whose id
   * position is below `resume.from` are not sent — the log positions of a log
   * feed, the sequence numbers of any other (and with an `id` function). A log stream already started at
   * the cursor (`logs$(…, { ...cursor })`) passes the same cursor harmlessly; a
   * stream that replays from the start (a shared `trainingWatch(…).logs$`, a
   * cold `metrics$`) gets what came before skipped.
   */
  readonly resume?: FeedCursor | undefined;
  /** `retry:` sent before the first event: how long (ms) the client waits before reconnecting. Default: none. */
  readonly retryMs?: number | undefined;
  /**
   * Sends a comment frame (`:` then a blank line) every `heartbeatMs` while the
   * stream is open, so proxies keep an idle connection. Default: none.
   */
  readonly heartbeatMs?: number | undefined;
  /**
   * When the stream completes, one last event of this name (no id, data `{}`),
   * so a client knows the feed is over and closes instead of reconnecting (an
   * `EventSource` reconnects whenever the response ends). Default: none.
   */
  readonly endEvent?: string | undefined;
  /** Timers of the heartbeat. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike | undefined;
}

/** The frame {@link toServerSentEvents} sends as a heartbeat: an empty comment. */
export const SSE_HEARTBEAT_FRAME = ':\n\n';

/** The `Content-Type` of a Server-Sent Events response. */
export const SSE_CONTENT_TYPE = 'text/event-stream';

const LINE_BREAK = /\r\n|\r|\n/;

/** The data of the `endEvent`. */
const END_DATA = '{}';

/**
 * Encodes each value as one Server-Sent Events frame (a string ending with a
 * blank line): `id:` (see {@link ServerSentEventId}), `event:` (the value's
 * `type`), `data:` (its JSON). Pipe the frames into an HTTP response with the
 * `text/event-stream` content type ({@link SSE_CONTENT_TYPE}), e.g. through
 * `toReadableStream(frames$, (frame) => frame)`.
 *
 * ```
 * logs$:               --L0------L1--gap(2..4)--L5--|
 * toServerSentEvents(): --f0------f1--f4---------f5--|
 *   f0 = "id: 0\nevent: line\ndata: {\"type\":\"line\",\"line\":{\"id\":0,…}}\n\n"
 * ```
 *
 * Cold, per subscription: the sequence starts at 0 for each subscriber. Errors
 * pass through (end the response; the client reconnects with `Last-Event-ID`).
 * Invalid options throw a `ValidationError` at once; an `event` or `id` with a
 * line break (which would break the framing) errors the stream with one.
 *
 * @example
 * ```ts
 * // a handler: (request: Request) => Response
 * const cursor = resumeCursor(request.headers.get('last-event-id'));
 * const frames$ = logs$(source, versionId, { ...cursor }).pipe(toServerSentEvents({ resume: cursor }));
 * return new Response(toReadableStream(frames$, (frame) => frame), {
 *   headers: { 'content-type': SSE_CONTENT_TYPE, 'cache-control': 'no-cache' },
 * });
 * ```
 */
export function toServerSentEvents<T>(options: ServerSentEventsOptions<T> = {}): OperatorFunction<T, string> {
  const { retryMs, heartbeatMs, endEvent } = options;
  const from = options.resume?.from ?? 0;
  const problems = [
    ...wholeNumber('retryMs', retryMs, 0),
    ...wholeNumber('heartbeatMs', heartbeatMs, 1),
    ...wholeNumber('resume.from', options.resume === undefined ? undefined : from, 0),
  ];
  if (endEvent !== undefined && (endEvent === '' || LINE_BREAK.test(endEvent))) {
    problems.push({
      field: 'endEvent',
      message: `expected a one-line event name, got ${JSON.stringify(endEvent)}`,
    });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  const idOption = options.id ?? 'auto';
  const eventOf = options.event ?? defaultEventName;
  const dataOf = options.data ?? defaultData;

  const encode = (source: Observable<T>): Observable<string> =>
    new Observable<string>((subscriber) => {
      let sequence = 0;
      let logMode: boolean | undefined;
      return source.subscribe({
        next: (value) => {
          const current = sequence++;
          let id: string | number | undefined;
          let position = current;
          if (typeof idOption === 'function') {
            id = idOption(value, current);
          } else {
            const logAt = idOption === 'auto' ? logPosition(value) : undefined;
            logMode ??= logAt !== undefined;
            if (logMode && logAt === undefined) {
              subscriber.error(mixedFeed(value));
              return;
            }
            position = logAt ?? current;
            id = position;
          }
          if (position < from) return;
          let frame: string;
          try {
            frame = serverSentEvent(id, eventOf(value), dataOf(value));
          } catch (error) {
            subscriber.error(error);
            return;
          }
          subscriber.next(frame);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          if (endEvent !== undefined) subscriber.next(serverSentEvent(undefined, endEvent, END_DATA));
          subscriber.complete();
        },
      });
    });

  return (source) => {
    let frames = encode(source);
    if (heartbeatMs !== undefined) {
      const scheduler = options.scheduler ?? asyncScheduler;
      frames = frames.pipe(
        connect((shared) =>
          merge(
            shared,
            interval(heartbeatMs, scheduler).pipe(
              map(() => SSE_HEARTBEAT_FRAME),
              takeUntil(shared.pipe(ignoreElements(), endWith(true))),
            ),
          ),
        ),
      );
    }
    return retryMs === undefined ? frames : frames.pipe(startWith(`retry: ${retryMs}\n\n`));
  };
}

/**
 * One Server-Sent Events frame: `id:` when given, `event:` when given, one
 * `data:` line per line of `data`, then a blank line. Throws a
 * `ValidationError` when `id` or `event` holds a line break (or `id` a NUL,
 * which clients ignore), since that would break the framing.
 */
export function serverSentEvent(
  id: string | number | undefined,
  event: string | undefined,
  data: string,
): string {
  let frame = '';
  if (id !== undefined) {
    const text = String(id);
    if (LINE_BREAK.test(text) || text.includes('\0')) throw fieldError('id', text);
    frame += `id: ${text}\n`;
  }
  if (event !== undefined) {
    if (LINE_BREAK.test(event)) throw fieldError('event', event);
    frame += `event: ${event}\n`;
  }
  for (const line of data.split(LINE_BREAK)) frame += `data: ${line}\n`;
  return `${frame}\n`;
}

function defaultEventName(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const type = (value as { readonly type?: unknown }).type;
  return typeof type === 'string' ? type : undefined;
}

function defaultData(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

function wholeNumber(field: string, value: number | undefined, min: number) {
  if (value === undefined || (Number.isSafeInteger(value) && value >= min)) return [];
  return [{ field, message: `expected a whole number, ${min} or more, got ${String(value)}` }];
}

function fieldError(field: 'id' | 'event', text: string): ValidationError {
  return new ValidationError([
    { field, message: `an SSE ${field} must be one line without NUL, got ${JSON.stringify(text)}` },
  ]);
}

function mixedFeed(value: unknown): ValidationError {
  return new ValidationError([
    {
      field: 'id',
      message: `'auto' ids follow the log positions of a log feed, and this event has none (type ${JSON.stringify(defaultEventName(value) ?? typeof value)}); use id: 'sequence' for a stream that mixes log events with others`,
    },
  ]);
}
