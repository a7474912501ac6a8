/**
 * Server-Sent Events end to end: a real `node:http` server streams a running
 * job's `logs$` through `toServerSentEvents` and `toReadableStream`, and a real
 * client (the `eventsource` package, a WHATWG EventSource) reads it. The server
 * cuts every connection twice mid-job; the client reconnects on its own with
 * `Last-Event-ID`, and `resumeCursor` turns that back into the log cursor: every
 * line arrives exactly once, in order.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventSource } from 'eventsource';
import { defer, type Observable, of } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLine, LogPage } from '../../src/codecs/training.js';
import type { ValidationError } from '../../src/errors.js';
import { createDemand, withDemand } from '../../src/feeds/demand.js';
import { toReadableStream } from '../../src/feeds/readableStream.js';
import { resumeCursor } from '../../src/feeds/resume.js';
import { SSE_CONTENT_TYPE, toServerSentEvents } from '../../src/feeds/sse.js';
import { logs$ } from '../../src/streams/logs.js';
import type { TrainingSource } from '../../src/streams/source.js';
import { content } from './sources.js';

const VERSION_ID = 7;
const TOTAL = 300;
/** Lines the job prints between two log requests: it runs while it is watched. */
const LINES_PER_REQUEST = 4;

/** A job that prints LINES_PER_REQUEST more lines each time its log is read, up to TOTAL, then finishes. */
function progressingJob(): TrainingSource {
  let printed = 0;
  const unused = (): Observable<never> => {
    throw new Error('not part of this test');
  };
  return {
    version: () => of({ status: printed >= TOTAL ? 'FINISH' : 'TRAINING' }),
    logPage: (_id, { lastId, limit = 1000 }) =>
      defer(() => {
        printed = Math.min(TOTAL, printed + LINES_PER_REQUEST);
        const logs: LogLine[] = [];
        for (let id = lastId; id < Math.min(printed, lastId + limit); id++)
          logs.push({ id, content: content(id) });
        return of<LogPage>({ logs });
      }),
    performance: unused,
    resources: unused,
  };
}

/** Writes a byte stream into a Node response; a client that leaves cancels the stream (and so the poll). */
async function pipeTo(body: ReadableStream<Uint8Array>, response: ServerResponse): Promise<void> {
  const reader = body.getReader();
  response.on('close', () => void reader.cancel());
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!response.write(value)) await new Promise((resolve) => response.once('drain', resolve));
  }
  response.end();
}

const source = progressingJob();
const lastEventIds: Array<string | undefined> = [];
let served = 0;
const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  const header = request.headers['last-event-id'];
  lastEventIds.push(header as string | undefined);
  let cursor: ReturnType<typeof resumeCursor>;
  try {
    cursor = resumeCursor(header as string | undefined);
  } catch (error) {
    response.writeHead(400, { 'content-type': 'text/plain' }).end((error as ValidationError).message);
    return;
  }
  served++;
  response.writeHead(200, { 'content-type': SSE_CONTENT_TYPE, 'cache-control': 'no-cache' });
  const demand = createDemand();
  const frames$ = logs$(withDemand(source, demand), VERSION_ID, {
    ...cursor,
    waitSeconds: 0,
    floorMs: 2,
  }).pipe(toServerSentEvents({ resume: cursor, retryMs: 20, endEvent: 'end' }));
  void pipeTo(
    toReadableStream(frames$, (frame) => frame, { demand }),
    response,
  );
});

let url: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('SSE over HTTP with a real EventSource client', () => {
  it('cut twice mid-job, the client reconnects with Last-Event-ID and gets every line exactly once', async () => {
    const cutAt = [60, 170];
    const received: Array<{ id: string; lineId: number; content: string }> = [];
    const client = new EventSource(url);
    try {
      await new Promise<void>((resolve, reject) => {
        client.addEventListener('line', (event) => {
          const { line } = JSON.parse(event.data) as { line: LogLine };
          received.push({ id: event.lastEventId, lineId: line.id, content: line.content });
          // the server drops every connection (what a proxy timeout or a network blip does)
          if (received.length === cutAt[0]) {
            cutAt.shift();
            server.closeAllConnections();
          }
        });
        client.addEventListener('end', () => resolve());
        client.addEventListener('error', () => {
          if (client.readyState === EventSource.CLOSED) reject(new Error('the client gave up'));
        });
      });
    } finally {
      client.close();
    }

    expect(received.map((r) => r.lineId)).toEqual(Array.from({ length: TOTAL }, (_, id) => id));
    expect(received.every((r) => r.id === String(r.lineId) && r.content === content(r.lineId))).toBe(true);
    expect(cutAt).toEqual([]);
    // three connections: the first without Last-Event-ID, each reconnection with the last id it saw
    expect(served).toBe(3);
    expect(lastEventIds[0]).toBeUndefined();
    const resumedFrom = lastEventIds.slice(1).map(Number);
    expect(resumedFrom).toHaveLength(2);
    expect(resumedFrom[0]).toBeGreaterThanOrEqual(59);
    expect(resumedFrom[1]).toBeGreaterThan(resumedFrom[0]!);
  });

  it('answers 400 naming Last-Event-ID to a client that sends one this feed never wrote', async () => {
    const response = await fetch(url, { headers: { 'last-event-id': 'yesterday' } });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/Last-Event-ID: expected the id of an event/);
  });
});
