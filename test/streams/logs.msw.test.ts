/**
 * logs$ over HTTP: the real Session (ky transport, token refresh, per-call
 * retries) against an msw platform, in real time.
 */
import { setupServer } from 'msw/node';
import { filter, firstValueFrom, lastValueFrom, type Observable, take, tap, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LogLine } from '../../src/codecs/training.js';
import { hasTag } from '../../src/errors.js';
import { lines } from '../../src/streams/lines.js';
import { type LogEvent, type LogsOptions, logs$ } from '../../src/streams/logs.js';
import { sourceFromSession } from '../../src/streams/sessionSource.js';
import { FakeTraining, type FakeTrainingOptions, fastSession, VERSION_ID } from './platform.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const fast: LogsOptions = { floorMs: 2, ceilingMs: 10, retryBaseMs: 1, retryCapMs: 5, waitSeconds: 0.05 };

function platform(options: FakeTrainingOptions): FakeTraining {
  const fake = new FakeTraining(options);
  server.use(...fake.handlers());
  return fake;
}

function follow(options: LogsOptions = {}): Observable<LogEvent> {
  return logs$(sourceFromSession(fastSession()), VERSION_ID, { ...fast, ...options });
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('logs$ on HTTP', () => {
  // The real platform answers an expired token (1003) with HTTP 200; a server may use 401.
  it.each([200, 401])(
    'delivers every line once, in order, across 503s, connection resets, a broken body and an expired token (HTTP %i)',
    async (refusalStatus) => {
      const fake = platform({ total: 60, burst: () => 4, refusalStatus });
      fake.faults.push(
        'none',
        '503',
        'none',
        'reset',
        'midbody',
        'none',
        'expired',
        'none',
        '503',
        '503',
        'slow',
      );
      fake.faults.push('reset', 'reset', 'expired', 'midbody', '503', 'none', 'expired');
      const delivered = await lastValueFrom(follow({ limit: 7 }).pipe(lines(), toArray()));
      expect(delivered).toEqual(fake.expected());
      expect(delivered).toHaveLength(60);
      expect(fake.requests.auth).toBeGreaterThanOrEqual(4); // the first token and one per expiry
      expect(fake.faults).toHaveLength(0);
    },
  );

  it('rides out a platform restart (refused for a while, tokens forgotten) and resumes from the same cursor', async () => {
    const fake = platform({ total: 40, burst: () => 3 });
    let restarted = false;
    const delivered = await lastValueFrom(
      follow({ maxFailures: 10_000, maxOutageMs: 10_000 }).pipe(
        lines(),
        tap((line) => {
          if (line.id === 10 && !restarted) {
            restarted = true;
            fake.restart();
            setTimeout(() => fake.up(), 150);
          }
        }),
        toArray(),
      ),
    );
    expect(restarted).toBe(true);
    expect(delivered).toEqual(fake.expected());
    expect(delivered.map((l) => l.id)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('reports lines the platform no longer has as a gap event, and lines() refuses to skip it silently', async () => {
    const lost = (id: number) => id >= 5 && id < 9;
    const fake = platform({ total: 12, lost });
    const events = await lastValueFrom(follow().pipe(toArray()));
    expect(events.filter((e) => e.type === 'gap')).toEqual([{ type: 'gap', from: 5, to: 8 }]);
    expect(events.flatMap((e) => (e.type === 'line' ? [e.line] : []))).toEqual(fake.expected());

    const error = await lastValueFrom(follow().pipe(lines())).catch((e: unknown) => e);
    expect(hasTag(error, 'LogGapError')).toBe(true);
    expect(error).toMatchObject({ from: 5, to: 8 });
  });

  it('long-polls a platform that holds requests: every request carries wait', async () => {
    const fake = platform({ total: 30, burst: (n) => (n % 3 === 0 ? 2 : 0), longPoll: true });
    const delivered = await lastValueFrom(follow().pipe(lines(), toArray()));
    expect(delivered).toEqual(fake.expected());
    const tailing = fake.logQueries.slice(0, -1); // the last one is the drain, which never waits
    expect(tailing.every((q) => q.wait === 0.05)).toBe(true);
  });

  it('polls plainly a platform that ignores wait: after its first quick empty answer, wait is not sent', async () => {
    const fake = platform({ total: 30, burst: (n) => (n % 3 === 0 ? 2 : 0) });
    // wait=2 s: an answer counts as held after 1 s, which no quick answer takes even on a loaded
    // machine (with the file's 50 ms, a 25 ms hiccup looked like a held request)
    const delivered = await lastValueFrom(follow({ waitSeconds: 2 }).pipe(lines(), toArray()));
    expect(delivered).toEqual(fake.expected());
    const firstEmpty = fake.logQueries.findIndex((q, i) => fake.logQueries[i + 1]?.lastId === q.lastId);
    expect(firstEmpty).toBeGreaterThanOrEqual(0);
    expect(fake.logQueries.slice(firstEmpty + 1).every((q) => q.wait === undefined)).toBe(true);
  });

  it('works against a platform that ignores limit and sends no hasMore', async () => {
    const fake = platform({ total: 25, burst: () => 10, honoursLimit: false });
    const delivered = await lastValueFrom(follow({ limit: 3 }).pipe(lines(), toArray()));
    expect(delivered).toEqual(fake.expected());
  });

  it('keeps the instance of each line of a multi-instance job', async () => {
    const fake = platform({ total: 9, instances: 3 });
    const delivered = await lastValueFrom(follow().pipe(lines(), toArray()));
    expect(delivered.map((l: LogLine) => l.instance)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
    expect(delivered).toEqual(fake.expected());
  });

  it('unsubscribing aborts the held request and stops all traffic', async () => {
    const fake = platform({ total: 100, burst: (n) => (n === 0 ? 1 : 0), longPoll: true });
    const subscription = follow({ waitSeconds: 5 }).subscribe();
    await waitFor(() => fake.inFlight === 1 && fake.written === 1 && fake.logQueries.length >= 2);
    subscription.unsubscribe();
    await waitFor(() => fake.aborted === 1);
    const seen = { ...fake.requests };
    await settle(50);
    expect(fake.requests).toEqual(seen);
    expect(fake.inFlight).toBe(0);
  });

  it('attaches to a version started elsewhere from a given id', async () => {
    const fake = platform({ total: 20 });
    const first = await firstValueFrom(
      follow({ from: 15 }).pipe(
        filter((e) => e.type === 'line'),
        take(1),
      ),
    );
    expect(first).toEqual({ type: 'line', line: fake.expected()[15] });
    expect(fake.logQueries[0]?.lastId).toBe(15);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await settle(2);
  }
}
