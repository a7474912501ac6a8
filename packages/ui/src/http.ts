/**
 * The HTTP plumbing of the dashboard: JSON answers and bodies, and the open
 * event streams (each one an SDK subscription, ended with its connection).
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Observable, SchedulerLike, Subscription } from 'rxjs';
import { RequestError } from './failure.js';
import { type ServerSentEvent, toFrames } from './sse.js';

/** Headers on every answer: no caching of live data, no sniffing, no framing, no referrer. */
export const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/** Answers `value` as JSON with `status`. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value ?? null);
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** The request's JSON body; fails with 413 past `maxBytes`, 400 when it is not JSON. */
export async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new RequestError(413, `request body larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new RequestError(400, `request body is not JSON: ${(error as Error).message}`);
  }
}

/** Options of {@link EventStreams}. */
export interface EventStreamOptions {
  /** A comment line this often, ms. */
  readonly heartbeatMs: number;
  /** The `retry:` a browser waits before reconnecting, ms. */
  readonly retryMs: number;
  readonly scheduler?: SchedulerLike | undefined;
}

/**
 * The open event streams of a server. `open` answers a request with a stream of
 * Server-Sent Events: it subscribes to `events` (starting the SDK pollers behind
 * it), writes each event, a heartbeat comment now and then, and ends the answer
 * when `events` completes. The client leaving (or {@link drop}/{@link close})
 * unsubscribes, which stops the pollers and aborts their requests.
 */
export class EventStreams {
  readonly #open = new Map<ServerResponse, Subscription>();
  readonly #options: EventStreamOptions;

  constructor(options: EventStreamOptions) {
    this.#options = { ...options };
  }

  /** Streams `events` as the answer to `req`. */
  open(req: IncomingMessage, res: ServerResponse, events: Observable<ServerSentEvent>): void {
    res.writeHead(200, {
      ...COMMON_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const frames = events.pipe(
      toFrames({
        retryMs: this.#options.retryMs,
        heartbeatMs: this.#options.heartbeatMs,
        scheduler: this.#options.scheduler,
      }),
    );
    const subscription = frames.subscribe({
      next: (chunk) => res.write(chunk),
      error: () => res.destroy(),
      complete: () => res.end(),
    });
    this.#open.set(res, subscription);
    const done = () => {
      subscription.unsubscribe();
      this.#open.delete(res);
    };
    res.once('close', done);
    req.once('close', () => {
      if (!res.writableEnded) res.destroy();
    });
    if (subscription.closed) done();
  }

  /** How many streams are open. */
  get size(): number {
    return this.#open.size;
  }

  /**
   * Ends every open stream mid-way, as a proxy timeout or a restart would: the
   * SDK subscriptions stop, and the browsers reconnect and resume from their
   * `Last-Event-ID`.
   */
  drop(): void {
    for (const [res, subscription] of [...this.#open]) {
      subscription.unsubscribe();
      res.end();
    }
  }

  /** Ends every open stream (server shutdown). */
  close(): void {
    for (const [res, subscription] of [...this.#open]) {
      subscription.unsubscribe();
      res.end();
    }
    this.#open.clear();
  }
}
