/**
 * toReadableStream: pull-based — a reader that pauses pauses the polling (the
 * requests are counted), cancel aborts the request in flight; NDJSON bytes.
 */
import { concat, of, Subject, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../src/codecs/training.js';
import { createDemand, withDemand } from '../../src/feeds/demand.js';
import { FeedOverflowError } from '../../src/feeds/errors.js';
import { ndjsonLine } from '../../src/feeds/ndjson.js';
import { toReadableStream } from '../../src/feeds/readableStream.js';
import { lines } from '../../src/streams/lines.js';
import { logs$ } from '../../src/streams/logs.js';
import { generatedSource, settle } from './sources.js';

const VERSION_ID = 7;
/** A job that never stops printing: every log request answers a full page. */
const endless = () => generatedSource({ total: Number.POSITIVE_INFINITY, status: () => 'TRAINING' });

async function read<T>(reader: ReadableStreamDefaultReader<T>, count: number): Promise<T[]> {
  const got: T[] = [];
  for (let i = 0; i < count; i++) {
    const { done, value } = await reader.read();
    if (done) break;
    got.push(value);
  }
  return got;
}

describe('toReadableStream', () => {
  it('stops asking for pages while the reader pauses, and asks again when it reads', async () => {
    const LIMIT = 20;
    const source = endless();
    const demand = createDemand();
    const stream = toReadableStream(
      logs$(withDemand(source, demand), VERSION_ID, { limit: LIMIT, waitSeconds: 0 }).pipe(lines()),
      { demand, buffer: 100, highWater: 50 },
    );
    const reader = stream.getReader();

    expect((await read(reader, 5)).map((l) => l.id)).toEqual([0, 1, 2, 3, 4]);
    await settle();
    const whilePaused = source.requests.length;
    // enough pages to reach the high-water mark, then nothing: the reader is not reading
    expect(whilePaused).toBe(Math.ceil(50 / LIMIT));
    await settle(50);
    expect(source.requests.length).toBe(whilePaused);
    expect(source.served()).toBeLessThanOrEqual(100);

    // reading on lets the polling go on, from where it was
    const next = await read(reader, 200);
    expect(next.map((l) => l.id)).toEqual(Array.from({ length: 200 }, (_, i) => i + 5));
    await settle();
    expect(source.requests.length).toBeGreaterThan(whilePaused);
    expect(source.served() - 205).toBeLessThanOrEqual(50 + LIMIT);

    await reader.cancel();
    const sent = source.requests.length;
    await settle();
    expect(source.requests.length).toBe(sent);
    expect(source.inFlight()).toBe(0);
  });

  it('without a Demand the same paused reader gets FeedOverflowError instead of an unbounded queue', async () => {
    const source = endless();
    const reader = toReadableStream(logs$(source, VERSION_ID, { limit: 20, waitSeconds: 0 }).pipe(lines()), {
      buffer: 100,
    }).getReader();

    expect(await read(reader, 5)).toHaveLength(5);
    await settle(50);
    const sent = source.requests.length;
    await settle(20);
    expect(source.requests.length).toBe(sent); // the source was stopped at the overflow
    expect(source.served()).toBeLessThanOrEqual(5 + 100 + 20);
    const rest = await read(reader, 1000).catch((e: unknown) => e);
    expect(rest).toBeInstanceOf(FeedOverflowError);
  });

  it('cancel aborts the request in flight (a held long poll)', async () => {
    const source = generatedSource({ total: 3, holdWhenCaughtUp: true, status: () => 'TRAINING' });
    const reader = toReadableStream(logs$(source, VERSION_ID).pipe(lines())).getReader();

    expect((await read(reader, 3)).map((l) => l.id)).toEqual([0, 1, 2]);
    await settle();
    expect(source.inFlight()).toBe(1);
    await reader.cancel();
    expect(source.inFlight()).toBe(0);
    expect(source.aborted()).toBe(1);
  });

  it('encodes values to bytes: NDJSON lines, several values per chunk when they wait', async () => {
    const sample: LogLine[] = Array.from({ length: 1000 }, (_, id) => ({ id, content: `line ${id} ✓` }));
    const stream = toReadableStream(of(...sample), ndjsonLine);
    const chunks: Uint8Array[] = [];
    for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);

    const text = new TextDecoder().decode(Buffer.concat(chunks));
    expect(
      text
        .split('\n')
        .slice(0, -1)
        .map((line) => JSON.parse(line)),
    ).toEqual(sample);
    expect(text.endsWith('\n')).toBe(true);
    expect(chunks.length).toBeLessThan(sample.length);
  });

  it('hands over one value per read and errors the stream after the values before the error', async () => {
    const values = new Subject<number>();
    const reader = toReadableStream(
      concat(
        values,
        throwError(() => new Error('gone')),
      ),
    ).getReader();
    const first = reader.read();
    await settle(1); // the stream calls pull (which subscribes) once it has started
    expect(values.observed).toBe(true);
    values.next(1);
    values.next(2);
    values.complete();
    expect(await first).toEqual({ done: false, value: 1 });
    expect(await reader.read()).toEqual({ done: false, value: 2 });
    await expect(reader.read()).rejects.toThrow('gone');
  });
});
