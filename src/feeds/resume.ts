/**
 * Resuming a feed where a client left it: the `Last-Event-ID` a reconnecting
 * Server-Sent Events client sends, turned back into the stream's cursor.
 * @module
 */
import { ValidationError } from '../errors.js';

/**
 * Where a feed picks up: `from` is the position of the first event wanted. For a
 * log feed it is a log line id, so it spreads straight into `logs$` options
 * (`logs$(source, versionId, { ...cursor })`); for a feed numbered by sequence it
 * is the sequence number of the first event wanted. Either way, everything below
 * `from` was delivered before.
 */
export interface FeedCursor {
  readonly from: number;
}

/** Where a feed starts when the client has seen nothing: every event, from position 0. */
export const FEED_START: FeedCursor = { from: 0 };

/** How many characters of a rejected `Last-Event-ID` an error message quotes. */
export const LAST_EVENT_ID_QUOTE_CHARS = 40;

const EVENT_ID = /^\d+$/;

/**
 * The cursor after the event a client saw last. `lastEventId` is the value of
 * the `Last-Event-ID` request header (or the `lastEventId` query parameter a
 * browser page can send): absent or empty → {@link FEED_START}; an id this
 * SDK's SSE encoder wrote (a log line id, a gap's last id, or a sequence number)
 * → `{ from: id + 1 }`, so the client misses nothing and sees nothing twice.
 *
 * Throws a `ValidationError` naming `Last-Event-ID` for anything else (the
 * header is the client's to send: answer it with a 400, not a feed from the
 * start that the client would see twice).
 *
 * @example
 * ```ts
 * const cursor = resumeCursor(request.headers.get('last-event-id'));
 * logs$(source, versionId, { ...cursor }).pipe(toServerSentEvents({ resume: cursor }));
 * ```
 */
export function resumeCursor(lastEventId: string | null | undefined): FeedCursor {
  const text = lastEventId?.trim() ?? '';
  if (text === '') return FEED_START;
  const id = EVENT_ID.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(id)) {
    const quoted = JSON.stringify(text.slice(0, LAST_EVENT_ID_QUOTE_CHARS));
    throw new ValidationError([
      {
        field: 'Last-Event-ID',
        message: `expected the id of an event this feed sent (a whole number, 0 or more), got ${quoted}${text.length > LAST_EVENT_ID_QUOTE_CHARS ? '…' : ''}`,
      },
    ]);
  }
  return { from: id + 1 };
}
