/**
 * A job that prints a great many lines: logs$ delivers them all, in order, and
 * the heap does not grow with them (nothing is accumulated).
 *
 * The 1,000,000-line run uses a source that generates pages lazily, in process:
 * msw costs ~35 ms per 5,000-line page (about 15 s for a million lines), which
 * would measure msw, not the SDK. The HTTP path at volume runs with 100,000
 * lines through the real Session on msw.
 */
import { setupServer } from 'msw/node';
import { defer, lastValueFrom, type Observable, of, tap } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLine, LogPage } from '../../src/codecs/training.js';
import { lines } from '../../src/streams/lines.js';
import { logs$ } from '../../src/streams/logs.js';
import { sourceFromSession } from '../../src/streams/sessionSource.js';
import type { TrainingSource } from '../../src/streams/source.js';
import { FakeTraining, fastSession, VERSION_ID } from './platform.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

const MB = 1024 * 1024;
const HEAP_GROWTH_CEILING = 100 * MB;
const content = (id: number) =>
  `epoch ${id >> 10} step ${id} loss=${(1 / (id + 1)).toFixed(8)} ${'#'.repeat(60)}`;

/** A finished job of `total` lines whose pages are made when asked for, and dropped after. */
function generatedSource(total: number): TrainingSource {
  const unused = (): Observable<never> => {
    throw new Error('not part of this test');
  };
  return {
    version: () => of({ status: 'FINISH' }),
    logPage: (_id, { lastId, limit = 1000 }) =>
      defer(() => {
        const end = Math.min(total, lastId + limit);
        const logs: LogLine[] = [];
        for (let id = lastId; id < end; id++) logs.push({ id, content: content(id) });
        const page: LogPage = end < total ? { logs, hasMore: true } : { logs };
        return of(page);
      }),
    performance: unused,
    resources: unused,
  };
}

/** Follows `stream` to its end, checking order and content, sampling the heap; what it saw. */
async function follow(stream: Observable<LogLine>) {
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  let count = 0;
  let wrong = 0;
  await lastValueFrom(
    stream.pipe(
      tap((line) => {
        if (line.id !== count || line.content !== content(count)) wrong++;
        count++;
        if ((count & 0x3fff) === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
      }),
    ),
    { defaultValue: undefined },
  );
  return { count, wrong, growth: peak - baseline };
}

describe('logs$ at volume', () => {
  it('delivers 1,000,000 lines in order with heap growth under 100 MB (generated pages of 1,000)', async () => {
    const seen = await follow(
      logs$(generatedSource(1_000_000), VERSION_ID, { waitSeconds: 0 }).pipe(lines()),
    );
    expect(seen.wrong).toBe(0);
    expect(seen.count).toBe(1_000_000);
    expect(seen.growth).toBeLessThan(HEAP_GROWTH_CEILING);
  });

  it('delivers 100,000 lines in order through the real Session on msw, heap growth under 100 MB', async () => {
    const fake = new FakeTraining({ total: 100_000, content, burst: () => 25_000, progressOn: 'log' });
    server.resetHandlers(...fake.handlers());
    const source = sourceFromSession(fastSession());
    const seen = await follow(
      logs$(source, VERSION_ID, { limit: 5000, waitSeconds: 0, floorMs: 1 }).pipe(lines()),
    );
    expect(seen.wrong).toBe(0);
    expect(seen.count).toBe(100_000);
    expect(seen.growth).toBeLessThan(HEAP_GROWTH_CEILING);
  });
});
