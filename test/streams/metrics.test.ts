import { describe, expect, it } from 'vitest';
import type { MetricPoint, PerformanceMonitor } from '../../src/codecs/training.js';
import { type MetricSample, metrics$ } from '../../src/streams/metrics.js';
import type { PollOptions } from '../../src/streams/poll.js';
import { detail, record, scriptedSource, testScheduler } from './support.js';

// full jitter at mid-draw: the first retry waits 10 ms, the second 20 ms
const base: PollOptions = { floorMs: 10, ceilingMs: 40, idleFactor: 2, retryBaseMs: 20, random: () => 0.5 };
const pt = (step: number): MetricPoint => ({ time: 1000 + step, value: step / 10, step });
const monitor = (series: Record<string, number[]>): PerformanceMonitor => ({
  metrics: Object.entries(series).map(([name, steps]) => ({ name, points: steps.map(pt) })),
});
const sample = (name: string, step: number): MetricSample => ({ name, ...pt(step) });

describe('metrics$', () => {
  it('emits each new point once, reads the status only when nothing is new, and completes after the end', () => {
    const ts = testScheduler();
    ts.run(({ cold }) => {
      const perf = (m: PerformanceMonitor) => () => cold('-a|', { a: m });
      const version = (s: string) => () => cold('-a|', { a: detail(s) });
      const source = scriptedSource(
        {
          performance: [
            perf(monitor({ loss: [1, 2] })),
            perf(monitor({ loss: [1, 2] })),
            perf(monitor({ loss: [1, 2, 3], acc: [1] })),
            perf(monitor({ loss: [1, 2, 3], acc: [1] })),
            perf(monitor({ loss: [1, 2, 3, 4], acc: [1] })),
          ],
          version: [version('TRAINING'), version('FINISH')],
        },
        () => ts.now(),
      );
      const seen = record(metrics$(source, 7, { ...base, scheduler: ts }), () => ts.now());
      ts.flush();
      expect(seen.values).toEqual([
        sample('loss', 1),
        sample('loss', 2),
        sample('loss', 3),
        sample('acc', 1),
        sample('loss', 4), // written before the end, read by the last read after FINISH
      ]);
      expect(source.calls).toEqual([
        '@0 performance',
        '@11 performance', // floor after news
        '@12 version', //     nothing new: is it over?
        '@23 performance', // no: idle interval
        '@34 performance',
        '@35 version',
        '@36 performance', // FINISH: one last read
      ]);
      expect(seen.completedAt).toBe(37);
    });
  });

  it('dedupes by time when points have no step, points sharing a time included', () => {
    const ts = testScheduler();
    ts.run(({ cold }) => {
      const at = (time: number, value: number): MetricPoint => ({ time, value });
      const m1: PerformanceMonitor = { metrics: [{ name: 'lr', points: [at(1, 0.1), at(2, 0.2)] }] };
      const m2: PerformanceMonitor = {
        metrics: [{ name: 'lr', points: [at(1, 0.1), at(2, 0.2), at(2, 0.25), at(3, 0.3)] }],
      };
      const source = scriptedSource({
        performance: [
          () => cold('-a|', { a: m1 }),
          () => cold('-a|', { a: m2 }),
          () => cold('-a|', { a: m2 }),
          () => cold('-a|', { a: m2 }),
        ],
        version: [() => cold('-a|', { a: detail('STOPPED') })],
      });
      const seen = record(metrics$(source, 7, { ...base, scheduler: ts }), () => ts.now());
      ts.flush();
      expect(seen.values.map((s) => s.value)).toEqual([0.1, 0.2, 0.25, 0.3]);
      expect(seen.completedAt).toBeDefined();
    });
  });

  it('unsubscribing stops polling: the in-flight read is released', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const slow = cold('10ms a|', { a: monitor({ loss: [1] }) });
      const source = scriptedSource({ performance: [() => slow] });
      expectObservable(metrics$(source, 7, { ...base, scheduler: ts }), '4ms !').toBe('');
      expectSubscriptions(slow.subscriptions).toBe('^---!');
    });
  });

  it('wake cuts the idle wait short; a wake during a read brings one more read right after it', () => {
    const ts = testScheduler();
    ts.run(({ cold, hot }) => {
      const perf =
        (m: PerformanceMonitor, reply = '-a|') =>
        () =>
          cold(reply, { a: m });
      const version = (s: string) => () => cold('-a|', { a: detail(s) });
      const source = scriptedSource(
        {
          performance: [
            perf(monitor({})),
            perf(monitor({ loss: [1] })), // woken at 30
            perf(monitor({ loss: [1, 2] }), '---a|'), // woken at 50, a wake at 52 during it
            perf(monitor({ loss: [1, 2, 3] })), // right after the read in flight
            perf(monitor({ loss: [1, 2, 3] })),
            perf(monitor({ loss: [1, 2, 3] })),
          ],
          version: [version('TRAINING'), version('FINISH')],
        },
        () => ts.now(),
      );
      const wake = hot('30ms a 19ms b-c', { a: 1, b: 2, c: 3 });
      const options = { ...base, floorMs: 100, ceilingMs: 1000, scheduler: ts, wake };
      const seen = record(metrics$(source, 7, options), () => ts.now());
      ts.flush();
      expect(seen.values).toEqual([sample('loss', 1), sample('loss', 2), sample('loss', 3)]);
      expect(source.calls.slice(0, 5)).toEqual([
        '@0 performance',
        '@1 version', // TRAINING: idle wait of 100 ms…
        '@30 performance', // …cut short by the wake at 30
        '@50 performance', // the wake at 50; the one at 52 comes during the read
        '@53 performance', // so one more read follows it at once
      ]);
      expect(seen.error).toBeUndefined();
      expect(seen.completedAt).toBeDefined();
    });
  });

  it('without wake, the same script waits out the idle interval', () => {
    const ts = testScheduler();
    ts.run(({ cold }) => {
      const source = scriptedSource(
        {
          performance: [
            () => cold('-a|', { a: monitor({}) }),
            () => cold('-a|', { a: monitor({ loss: [1] }) }),
          ],
          version: [() => cold('-a|', { a: detail('TRAINING') })],
        },
        () => ts.now(),
      );
      const seen = record(
        metrics$(source, 7, { ...base, floorMs: 100, ceilingMs: 1000, scheduler: ts }),
        () => ts.now(),
      );
      ts.flush();
      expect(seen.values).toEqual([sample('loss', 1)]);
      expect(source.calls.slice(0, 3)).toEqual(['@0 performance', '@1 version', '@102 performance']);
    });
  });
});
