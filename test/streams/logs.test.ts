import type { Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { LogLine, LogPage, TrainVersionDetail } from '../../src/codecs/training.js';
import { type LogEvent, type LogsOptions, logs$ } from '../../src/streams/logs.js';
import type { LogPageRequest } from '../../src/streams/source.js';
import {
  detail,
  lineIds,
  page,
  record,
  reset,
  scriptedSource,
  testScheduler,
  unavailable,
} from './support.js';

type Cold = TestScheduler['createColdObservable'];
type PageScript = (request: LogPageRequest) => Observable<LogPage>;
type VersionScript = () => Observable<TrainVersionDetail>;

const line = (id: number, extra: Partial<LogLine> = {}): LogEvent => ({
  type: 'line',
  line: { id, content: `line ${id}`, ...extra },
});
const gap = (from: number, to: number): LogEvent => ({ type: 'gap', from, to });
const lines = (...ids: number[]) => ids.map((id) => line(id));

/** A page answered after `after` ms. */
const answer =
  (cold: Cold, logs: LogPage, after = 1): PageScript =>
  () =>
    cold(`${after}ms a|`, { a: logs });
const status =
  (cold: Cold, s: string, after = 1): VersionScript =>
  () =>
    cold(`${after}ms a|`, { a: detail(s) });
const failing =
  (cold: Cold, error: unknown, after = 1): PageScript =>
  () =>
    cold(`${after}ms #`, undefined, error);

function options(ts: TestScheduler, extra: LogsOptions = {}): LogsOptions {
  return {
    floorMs: 10,
    ceilingMs: 40,
    idleFactor: 2,
    retryBaseMs: 20,
    // full jitter at mid-draw: the first retry waits 10 ms, the second 20 ms
    random: () => 0.5,
    waitSeconds: 0.02,
    scheduler: ts,
    ...extra,
  };
}

describe('logs$', () => {
  it('with `after`, asks by the time cursor until a line comes, then goes on by id, with no gap for what came before', () => {
    const ts = testScheduler();
    ts.run(({ cold }) => {
      const source = scriptedSource(
        {
          logPage: [
            answer(cold, page([])),
            answer(cold, page([57, 58])),
            answer(cold, page([59])),
            answer(cold, page([])),
            answer(cold, page([])),
          ],
          version: [status(cold, 'TRAINING'), status(cold, 'FINISH')],
        },
        () => ts.now(),
      );
      const after = { seconds: 1_714_557_600, nanos: 250_000_000 };
      const seen = record(logs$(source, 7, options(ts, { after, waitSeconds: 0 })), () => ts.now());
      ts.flush();
      expect(seen.values).toEqual(lines(57, 58, 59));
      expect(seen.completedAt).toBeDefined();
      expect(source.logRequests.map((r) => r.after)).toEqual([after, after, undefined, undefined, undefined]);
      expect(source.logRequests.slice(2).map((r) => r.lastId)).toEqual([59, 60, 60]);
    });
  });

  it('delivers every line once, in order, dropping ids at or below the last delivered, then completes', () => {
    const ts = testScheduler();
    ts.run(({ cold }) => {
      const source = scriptedSource(
        {
          logPage: [
            answer(cold, page([0, 1, 2])),
            answer(cold, page([1, 2, 3, 4])),
            answer(cold, page([])),
            answer(cold, page([])),
          ],
          version: [status(cold, 'FINISH')],
        },
        () => ts.now(),
      );
      const seen = record(logs$(source, 7, options(ts)), () => ts.now());
      ts.flush();
      expect(seen.values).toEqual(lines(0, 1, 2, 3, 4));
      expect(seen.completedAt).toBe(5);
      expect(source.calls).toEqual([
        '@0 log 0 wait=0.02',
        '@1 log 3 wait=0.02',
        '@2 log 5 wait=0.02',
        '@3 version',
        '@4 log 5',
      ]);
    });
  });

  it('reports a jump over missing ids as a gap event, between pages and inside a page, and goes on', () => {
    const ts = testScheduler();
    ts.run(({ cold }) => {
      const source = scriptedSource({
        logPage: [
          answer(cold, page([0, 1])),
          answer(cold, page([5, 6, 7, 9])),
          answer(cold, page([])),
          answer(cold, page([])),
        ],
        version: [status(cold, 'FINISH')],
      });
      const seen = record(logs$(source, 7, options(ts)), () => ts.now());
      ts.flush();
      expect(seen.values).toEqual([...lines(0, 1), gap(2, 4), ...lines(5, 6, 7), gap(8, 8), line(9)]);
      expect(seen.completedAt).toBeDefined();
    });
  });

  it('attaches from a given id: asks that cursor first and reports lines the server no longer has', () => {
    const ts = testScheduler();
    ts.run(({ cold }) => {
      const source = scriptedSource({
        logPage: [answer(cold, page([5, 6])), answer(cold, page([])), answer(cold, page([]))],
        version: [status(cold, 'STOPPED')],
      });
      const seen = record(logs$(source, 7, options(ts, { from: 3 })), () => ts.now());
      ts.flush();
      expect(source.logRequests[0]?.lastId).toBe(3);
      expect(seen.values).toEqual([gap(3, 4), ...lines(5, 6)]);
    });
  });

  it('drains after the job ends: lines written before the terminal status are delivered, then it completes', () => {
    const ts = testScheduler();
    ts.run(({ cold }) => {
      const source = scriptedSource(
        {
          logPage: [
            answer(cold, page([0])),
            answer(cold, page([])),
            answer(cold, page([1, 2])),
            answer(cold, page([])),
            answer(cold, page([3])),
            answer(cold, page([])),
          ],
          version: [status(cold, 'TRAINING'), status(cold, 'FINISH')],
        },
        () => ts.now(),
      );
      const seen = record(logs$(source, 7, options(ts)), () => ts.now());
      ts.flush();
      expect(seen.values).toEqual(lines(0, 1, 2, 3));
      expect(source.calls).toEqual([
        '@0 log 0 wait=0.02',
        '@1 log 1 wait=0.02', // answered empty at once…
        '@2 version', //         …for a running job: this server does not long-poll
        '@13 log 1', //          plain polling from now on, after the idle interval
        '@24 log 3', //          lines came: the floor
        '@25 version',
        '@26 log 3', //          FINISH: drain
        '@27 log 4', //          until an empty page
      ]);
      expect(seen.completedAt).toBe(28);
    });
  });

  it('detects long polling: after a held empty page the next request goes at once, still with wait', () => {
    const ts = testScheduler();
    ts.run(({ cold }) => {
      const source = scriptedSource(
        {
          logPage: [
            answer(cold, page([0])),
            answer(cold, page([]), 15), // held 15 ms of the 20 asked
            answer(cold, page([1]), 3), // held until a line came
            answer(cold, page([]), 1), //  answered early for a running job: not long-polling after all
            answer(cold, page([])),
            answer(cold, page([])),
          ],
          version: [status(cold, 'TRAINING'), status(cold, 'TRAINING'), status(cold, 'FINISH')],
        },
        () => ts.now(),
      );
      const seen = record(logs$(source, 7, options(ts)), () => ts.now());
      ts.flush();
      expect(seen.values).toEqual(lines(0, 1));
      expect(seen.frames).toEqual([1, 20]);
      expect(source.calls).toEqual([
        '@0 log 0 wait=0.02',
        '@1 log 1 wait=0.02',
        '@16 version',
        '@17 log 1 wait=0.02',
        '@20 log 2 wait=0.02',
        '@21 version',
        '@32 log 2',
        '@33 version',
        '@34 log 2',
      ]);
    });
  });

  it('with waitSeconds 0 never asks wait: polls at the floor while lines come, backing off while idle', () => {
    const ts = testScheduler();
    ts.run(({ cold }) => {
      const source = scriptedSource(
        {
          logPage: [
            answer(cold, page([0, 1])),
            answer(cold, page([])),
            answer(cold, page([])),
            answer(cold, page([2])),
            answer(cold, page([])),
            answer(cold, page([])),
          ],
          version: [status(cold, 'TRAINING'), status(cold, 'TRAINING'), status(cold, 'FINISH')],
        },
        () => ts.now(),
      );
      const seen = record(logs$(source, 7, options(ts, { waitSeconds: 0 })), () => ts.now());
      ts.flush();
      expect(seen.values).toEqual(lines(0, 1, 2));
      expect(source.calls).toEqual([
        '@0 log 0',
        '@11 log 2',
        '@12 version',
        '@23 log 2', // idle: 10
        '@24 version',
        '@45 log 2', // idle: 20
        '@56 log 3', // progress: back to the floor
        '@57 version',
        '@58 log 3',
      ]);
    });
  });

  it('follows a cut page at once (hasMore, or a full page of limit lines), and sends limit', () => {
    const ts = testScheduler();
    ts.run(({ cold }) => {
      const source = scriptedSource(
        {
          logPage: [
            answer(cold, page([0, 1, 2])),
            answer(cold, page([3, 4], true)),
            answer(cold, page([5])),
            answer(cold, page([])),
            answer(cold, page([])),
          ],
          version: [status(cold, 'FINISH')],
        },
        () => ts.now(),
      );
      const seen = record(logs$(source, 7, options(ts, { waitSeconds: 0, limit: 3 })), () => ts.now());
      ts.flush();
      expect(seen.values).toEqual(lines(0, 1, 2, 3, 4, 5));
      expect(source.calls.slice(0, 4)).toEqual(['@0 log 0', '@1 log 3', '@2 log 5', '@13 log 6']);
      expect(source.logRequests.every((r) => r.limit === 3)).toBe(true);
    });
  });

  it('does not spin on a server that ignores lastId: a cut page with no new line counts as empty', () => {
    const ts = testScheduler();
    ts.run(({ cold }) => {
      const same = () => answer(cold, page([0, 1], true));
      const source = scriptedSource(
        { logPage: [same(), same(), same()], version: [status(cold, 'FINISH')] },
        () => ts.now(),
      );
      const seen = record(logs$(source, 7, options(ts, { waitSeconds: 0 })), () => ts.now());
      ts.flush();
      expect(seen.values).toEqual(lines(0, 1));
      expect(source.calls).toEqual(['@0 log 0', '@1 log 2', '@2 version', '@3 log 2']);
      expect(seen.completedAt).toBe(4);
    });
  });

  it('retries a 503 and a connection reset from the same cursor: no line lost or repeated', () => {
    const ts = testScheduler();
    ts.run(({ cold }) => {
      const source = scriptedSource({
        logPage: [
          answer(cold, page([0, 1])),
          failing(cold, unavailable()),
          failing(cold, reset()),
          answer(cold, page([0, 1, 2, 3])),
          answer(cold, page([])),
          answer(cold, page([])),
        ],
        version: [status(cold, 'FINISH')],
      });
      const seen = record(logs$(source, 7, options(ts, { waitSeconds: 0 })), () => ts.now());
      ts.flush();
      expect(seen.values).toEqual(lines(0, 1, 2, 3));
      expect(source.logRequests.map((r) => r.lastId)).toEqual([0, 2, 2, 2, 4, 4]);
      expect(seen.error).toBeUndefined();
    });
  });

  it('rides out a server restart (down for a while, then serving the same cursor)', () => {
    const ts = testScheduler();
    ts.run(({ cold }) => {
      const down = Array.from({ length: 6 }, () => failing(cold, reset('ECONNREFUSED')));
      const source = scriptedSource({
        logPage: [
          answer(cold, page([0, 1, 2])),
          ...down,
          answer(cold, page([3, 4, 5])),
          answer(cold, page([])),
          answer(cold, page([])),
        ],
        version: [status(cold, 'FINISH')],
      });
      const seen = record(logs$(source, 7, options(ts, { waitSeconds: 0 })), () => ts.now());
      ts.flush();
      expect(seen.values).toEqual(lines(0, 1, 2, 3, 4, 5));
      expect(source.logRequests.map((r) => r.lastId)).toEqual([0, 3, 3, 3, 3, 3, 3, 3, 6, 6]);
    });
  });

  it('gives up with the last error when the server stays down past maxFailures', () => {
    const ts = testScheduler();
    ts.run(({ cold }) => {
      const last = reset('still refused');
      const source = scriptedSource({
        logPage: [answer(cold, page([0])), failing(cold, reset()), failing(cold, last)],
      });
      const seen = record(logs$(source, 7, options(ts, { waitSeconds: 0, maxFailures: 2 })), () => ts.now());
      ts.flush();
      expect(seen.values).toEqual(lines(0));
      expect(seen.error).toBe(last);
    });
  });

  it('keeps the instance (and stream) of each line of a multi-instance job', () => {
    const ts = testScheduler();
    ts.run(({ cold }) => {
      const logs: LogLine[] = [
        { id: 0, content: 'rank 0 up', instance: 0, stream: 'stdout' },
        { id: 1, content: 'rank 1 up', instance: 1, stream: 'stdout' },
        { id: 2, content: 'rank 1 warn', instance: 1, stream: 'stderr' },
      ];
      const source = scriptedSource({
        logPage: [answer(cold, { logs }), answer(cold, page([])), answer(cold, page([]))],
        version: [status(cold, 'FINISH')],
      });
      const seen = record(logs$(source, 7, options(ts)), () => ts.now());
      ts.flush();
      expect(seen.values).toEqual(logs.map((l) => ({ type: 'line', line: l })));
    });
  });

  it('unsubscribing during a long poll unsubscribes the held request (which aborts it)', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const held = cold('20ms a|', { a: page([]) });
      const source = scriptedSource({ logPage: [answer(cold, page([0])), () => held] });
      expectObservable(logs$(source, 7, options(ts)), '6ms !').toBe('-a', { a: line(0) });
      expectSubscriptions(held.subscriptions).toBe('1ms ^----!');
    });
  });

  it('keeps nothing but the cursor: the same page objects pass through, nothing is buffered', () => {
    const ts = testScheduler();
    ts.run(({ cold }) => {
      const first = lineIds(0, 1);
      const source = scriptedSource({
        logPage: [answer(cold, { logs: first }), answer(cold, page([])), answer(cold, page([]))],
        version: [status(cold, 'FINISH')],
      });
      const seen = record(logs$(source, 7, options(ts)), () => ts.now());
      ts.flush();
      expect(seen.values.map((e) => (e.type === 'line' ? e.line : undefined))).toEqual(first);
      expect((seen.values[0] as { line: LogLine }).line).toBe(first[0]);
    });
  });
});
