import type { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { TrainVersionDetail } from '../../src/codecs/training.js';
import type { PollOptions } from '../../src/streams/poll.js';
import { trainingWatch } from '../../src/streams/share.js';
import type { StatusChange } from '../../src/streams/status.js';
import { detail, page, record, scriptedSource, testScheduler } from './support.js';

// full jitter at mid-draw: the first retry waits 10 ms, the second 20 ms
const base: PollOptions = { floorMs: 10, ceilingMs: 40, idleFactor: 2, retryBaseMs: 20, random: () => 0.5 };
const change = (status: string, terminal = false): StatusChange => ({
  status,
  terminal,
  detail: detail(status),
});

describe('trainingWatch', () => {
  it('gives the same watch for the same source and version, and another for another version or source', () => {
    const a = scriptedSource({});
    const b = scriptedSource({});
    expect(trainingWatch(a, 7)).toBe(trainingWatch(a, 7));
    expect(trainingWatch(a, 8)).not.toBe(trainingWatch(a, 7));
    expect(trainingWatch(b, 7)).not.toBe(trainingWatch(a, 7));
    expect(a.calls).toEqual([]); // nothing polls before a subscription
  });

  it('five subscribers share one status poller: one request per tick, the same values for all', () => {
    const ts = testScheduler();
    ts.run(({ cold }) => {
      const statuses = ['STARTING', 'TRAINING', 'FINISH'];
      const source = scriptedSource(
        { version: statuses.map((s) => (): Observable<TrainVersionDetail> => cold('-a|', { a: detail(s) })) },
        () => ts.now(),
      );
      const watch = trainingWatch(source, 7, { ...base, scheduler: ts });
      const seen = Array.from({ length: 5 }, () => record(watch.status$, () => ts.now()));
      ts.flush();
      expect(source.calls).toEqual(['@0 version', '@11 version', '@22 version']);
      for (const s of seen) {
        expect(s.values).toEqual([change('STARTING'), change('TRAINING'), change('FINISH', true)]);
        expect(s.completedAt).toBe(23);
      }
    });
  });

  it('five log subscribers: one log request per tick, each line to all five', () => {
    const ts = testScheduler();
    ts.run(({ cold }) => {
      const pages = [page([0, 1]), page([2]), page([]), page([])];
      const source = scriptedSource({
        logPage: pages.map((p) => () => cold('-a|', { a: p })),
        // the first lines, before any status is known, are delivered after one status read
        version: [() => cold('-a|', { a: detail('TRAINING') }), () => cold('-a|', { a: detail('FINISH') })],
      });
      const watch = trainingWatch(source, 7, { ...base, waitSeconds: 0, scheduler: ts });
      const seen = Array.from({ length: 5 }, () => record(watch.logs$, () => ts.now()));
      ts.flush();
      expect(source.logRequests.map((r) => r.lastId)).toEqual([0, 2, 3, 3]);
      expect(source.calls).toEqual(['log 0', 'version', 'log 2', 'log 3', 'version', 'log 3']);
      for (const s of seen) {
        expect(s.error).toBeUndefined();
        expect(s.values.map((e) => (e.type === 'line' ? e.line.id : -1))).toEqual([0, 1, 2]);
      }
    });
  });

  it('status$ learns TRAINING from the read the log makes before the first lines, before they are delivered', () => {
    const ts = testScheduler();
    ts.run(({ cold }) => {
      const source = scriptedSource(
        {
          // the status poller's first read answers late, with a status older than the log's read
          version: [
            () => cold('----------a|', { a: detail('DOWNLOAD_DATA') }),
            () => cold('-a|', { a: detail('TRAINING') }),
            () => cold('-a|', { a: detail('FINISH') }),
            () => cold('-a|', { a: detail('FINISH') }),
          ],
          logPage: [
            () => cold('--a|', { a: page([0]) }),
            () => cold('-a|', { a: page([]) }),
            () => cold('-a|', { a: page([]) }),
          ],
        },
        () => ts.now(),
      );
      const watch = trainingWatch(source, 7, { ...base, waitSeconds: 0, scheduler: ts });
      const order: string[] = [];
      watch.status$.subscribe((change) => order.push(`status ${change.status}`));
      watch.logs$.subscribe((event) => order.push(event.type === 'line' ? `line ${event.line.id}` : 'gap'));
      ts.flush();
      // the late DOWNLOAD_DATA (sent first) never moves the status back from TRAINING
      expect(order).toEqual(['status TRAINING', 'line 0', 'status FINISH']);
    });
  });

  it('the last unsubscribe stops the poller (releasing the in-flight request); the next subscriber starts anew', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const held = cold('30ms a|', { a: detail('TRAINING') });
      const source = scriptedSource({ version: [() => held, () => held] });
      const watch = trainingWatch(source, 7, { ...base, scheduler: ts });
      expectObservable(watch.status$, '^---!').toBe('');
      expectObservable(watch.status$, '-^-------!').toBe('');
      expectObservable(watch.status$, '20ms ^-!').toBe('');
      // one poller from 0 to 9 (when the last of the first two left), another from 20 to 22
      expectSubscriptions(held.subscriptions).toBe(['^--------!', '20ms ^-!']);
    });
  });

  it('forgets a watch nobody subscribes to any more', () => {
    const ts = testScheduler();
    ts.run(({ cold }) => {
      const source = scriptedSource({ version: [() => cold('-a|', { a: detail('FINISH') })] });
      const first = trainingWatch(source, 7, { ...base, scheduler: ts });
      const seen = record(first.status$, () => ts.now());
      expect(trainingWatch(source, 7)).toBe(first);
      ts.flush();
      expect(seen.completedAt).toBe(1);
      expect(trainingWatch(source, 7)).not.toBe(first);
    });
  });

  it('status$ replays the latest status to a late subscriber', () => {
    const ts = testScheduler();
    ts.run(({ cold }) => {
      const source = scriptedSource({
        version: [() => cold('-a|', { a: detail('TRAINING') }), () => cold('-a|', { a: detail('TRAINING') })],
      });
      const watch = trainingWatch(source, 7, { ...base, scheduler: ts });
      const early = record(watch.status$, () => ts.now());
      let late: ReturnType<typeof record<StatusChange>> | undefined;
      ts.schedule(() => {
        late = record(watch.status$, () => ts.now());
      }, 5);
      ts.schedule(() => undefined, 15);
      ts.flush();
      expect(early.values).toEqual([change('TRAINING')]);
      expect(late?.values).toEqual([change('TRAINING')]);
      expect(late?.frames).toEqual([5]);
    });
  });
});
