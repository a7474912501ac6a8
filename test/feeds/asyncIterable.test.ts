/**
 * toAsyncIterable: `for await` over logs$ — every line in order for a slow loop
 * with bounded memory (the Demand paces the polling), the overflow policies when
 * nothing paces it, and `break` leaving no timer, request or poll behind.
 */
import { concat, interval, map, of, Subject, take, throwError } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { toAsyncIterable } from '../../src/feeds/asyncIterable.js';
import { createDemand, withDemand } from '../../src/feeds/demand.js';
import { FeedOverflowError } from '../../src/feeds/errors.js';
import { lines } from '../../src/streams/lines.js';
import { logs$ } from '../../src/streams/logs.js';
import { content, generatedSource, settle } from './sources.js';

const VERSION_ID = 7;
const MB = 1024 * 1024;
/** Heap growth allowed while a million lines pass (each line is ≈ 150 B: keeping them all would be ≈ 150 MB). */
const HEAP_GROWTH_CEILING = 64 * MB;

afterEach(() => {
  vi.useRealTimers();
});

describe('toAsyncIterable', () => {
  it('gives a slow for-await loop all 1,000,000 lines of logs$ in order; at most highWater + one page wait (bounded memory)', async () => {
    const TOTAL = 1_000_000;
    const LIMIT = 1000;
    const BUFFER = 4096;
    const HIGH_WATER = 2048;
    const source = generatedSource({ total: TOTAL });
    const demand = createDemand();
    const events = logs$(withDemand(source, demand), VERSION_ID, { limit: LIMIT, waitSeconds: 0 });

    const baseline = process.memoryUsage().heapUsed;
    let peakHeap = baseline;
    let count = 0;
    let wrong = 0;
    let mostAhead = 0;
    for await (const line of toAsyncIterable(events.pipe(lines()), {
      demand,
      buffer: BUFFER,
      highWater: HIGH_WATER,
    })) {
      if (line.id !== count || line.content !== content(count)) wrong++;
      count++;
      mostAhead = Math.max(mostAhead, source.served() - count);
      // slow: the loop lets the event loop turn every 256 lines, while the source could answer at once
      if ((count & 0xff) === 0) await new Promise((resolve) => setImmediate(resolve));
      if ((count & 0x3fff) === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }

    expect(wrong).toBe(0);
    expect(count).toBe(TOTAL);
    // the bound: lines served but not yet consumed never exceed highWater + one page (the answer in flight)
    expect(mostAhead).toBeLessThanOrEqual(HIGH_WATER + LIMIT);
    expect(mostAhead).toBeGreaterThan(LIMIT); // the loop was slow: pages did wait for it
    expect(peakHeap - baseline).toBeLessThan(HEAP_GROWTH_CEILING);
  }, 60_000);

  it("fails a slow loop that nothing paces with FeedOverflowError ('error' is the default), after the buffered lines", async () => {
    const source = generatedSource({ total: 100_000 });
    const iterable = toAsyncIterable(logs$(source, VERSION_ID, { waitSeconds: 0 }).pipe(lines()), {
      buffer: 1500,
    });
    let count = 0;
    const error = await (async () => {
      for await (const line of iterable) {
        expect(line.id).toBe(count++);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(FeedOverflowError);
    expect((error as FeedOverflowError)._tag).toBe('FeedOverflowError');
    expect(count).toBeGreaterThanOrEqual(1500); // every line buffered before the overflow was delivered
    await settle();
    expect(source.requests.length).toBeLessThan(10); // and the poll stopped there
  });

  it("drops the oldest or the newest waiting values with 'drop-oldest' / 'drop-newest', telling onDrop", async () => {
    const run = async (overflow: 'drop-oldest' | 'drop-newest') => {
      const values = new Subject<number>();
      const dropped: number[] = [];
      const iterator = toAsyncIterable(values, { buffer: 3, overflow, onDrop: (v) => dropped.push(v) });
      const first = iterator.next(); // subscribes, and waits
      for (let i = 0; i < 6; i++) values.next(i);
      values.complete();
      const got = [(await first).value];
      for await (const value of iterator) got.push(value);
      return { got, dropped };
    };

    expect(await run('drop-oldest')).toEqual({ got: [0, 3, 4, 5], dropped: [1, 2] });
    expect(await run('drop-newest')).toEqual({ got: [0, 1, 2, 3], dropped: [4, 5] });
  });

  it("throws the source's error after the values that came before it", async () => {
    const failure = new Error('boom');
    const got: number[] = [];
    const error = await (async () => {
      for await (const value of toAsyncIterable(
        concat(
          of(1, 2, 3),
          throwError(() => failure),
        ),
      ))
        got.push(value);
    })().catch((e: unknown) => e);

    expect(got).toEqual([1, 2, 3]);
    expect(error).toBe(failure);
  });

  it('subscribes on the first next(), not before', async () => {
    let subscribed = 0;
    const source = of(null).pipe(
      map(() => {
        subscribed++;
        return 1;
      }),
    );
    const iterator = toAsyncIterable(source);
    expect(subscribed).toBe(0);
    expect(await iterator.next()).toEqual({ done: false, value: 1 });
    expect(subscribed).toBe(1);
  });

  it('break after 10 lines aborts the request in flight and sends no other', async () => {
    // a running job of 20 lines whose next (long-poll) request is held by the server
    const source = generatedSource({ total: 20, holdWhenCaughtUp: true, status: () => 'TRAINING' });
    let count = 0;
    for await (const line of toAsyncIterable(logs$(source, VERSION_ID).pipe(lines()))) {
      expect(line.id).toBe(count);
      if (++count === 10) {
        await settle(); // the long poll for line 20 goes out while the loop is busy
        expect(source.inFlight()).toBe(1);
        break;
      }
    }

    expect(source.inFlight()).toBe(0);
    expect(source.aborted()).toBe(1);
    const sent = source.requests.length;
    await settle();
    expect(source.requests.length).toBe(sent);
  });

  it('break after 10 lines clears the poll timer (plain polling, waiting for the next tick)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const source = generatedSource({ total: 20, status: () => 'TRAINING' });
    let count = 0;
    for await (const line of toAsyncIterable(logs$(source, VERSION_ID, { waitSeconds: 0 }).pipe(lines()))) {
      expect(line.id).toBe(count);
      if (++count === 10) {
        expect(vi.getTimerCount()).toBe(1); // the poll waits for its next tick
        break;
      }
    }

    expect(vi.getTimerCount()).toBe(0);
    const sent = source.requests.length;
    vi.advanceTimersByTime(60_000);
    await settle();
    expect(source.requests.length).toBe(sent);
  });

  it('return() on an interval stops it: nothing arrives after', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const iterator = toAsyncIterable(interval(10).pipe(take(100)));
    const first = iterator.next();
    vi.advanceTimersByTime(10);
    expect(await first).toEqual({ done: false, value: 0 });
    expect(await iterator.return!()).toEqual({ done: true, value: undefined });
    expect(vi.getTimerCount()).toBe(0);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('rejects bad options at once, naming each field', () => {
    let caught: unknown;
    try {
      toAsyncIterable(of(1), { buffer: 0, overflow: 'drop-all' as 'error', highWater: 5 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).problems.map((p) => p.field)).toEqual([
      'buffer',
      'overflow',
      'highWater',
    ]);
  });
});
