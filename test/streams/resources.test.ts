import { describe, expect, it } from 'vitest';
import type { ResourceMonitor, ResourceSample } from '../../src/codecs/training.js';
import type { PollOptions } from '../../src/streams/poll.js';
import { resources$ } from '../../src/streams/resources.js';
import { detail, record, scriptedSource, testScheduler, unavailable } from './support.js';

// full jitter at mid-draw: the first retry waits 10 ms, the second 20 ms
const base: PollOptions = { floorMs: 10, ceilingMs: 40, idleFactor: 2, retryBaseMs: 20, random: () => 0.5 };
const s = (instance: number, time: number): ResourceSample => ({
  time,
  instance,
  cpu: 1 + instance,
  memory: 1e9,
});
const mon = (...samples: ResourceSample[]): ResourceMonitor => ({ samples });

describe('resources$', () => {
  it('emits new samples of every instance while the job runs, once each, and completes after it ends', () => {
    const ts = testScheduler();
    ts.run(({ cold }) => {
      const read = (m: ResourceMonitor) => () => cold('-a|', { a: m });
      const source = scriptedSource({
        resources: [
          read(mon(s(0, 1), s(1, 1))),
          () => cold<never>('-#', undefined, unavailable()),
          read(mon(s(0, 1), s(1, 1), s(0, 2))),
          read(mon(s(0, 1), s(1, 1), s(0, 2))),
          read(mon(s(0, 1), s(1, 1), s(0, 2), s(1, 2), s(1, 3))),
        ],
        version: [() => cold('-a|', { a: detail('FINISH') })],
      });
      const seen = record(resources$(source, 7, { ...base, scheduler: ts }), () => ts.now());
      ts.flush();
      expect(seen.values).toEqual([s(0, 1), s(1, 1), s(0, 2), s(1, 2), s(1, 3)]);
      expect(seen.error).toBeUndefined();
      expect(seen.completedAt).toBeDefined();
    });
  });

  it('a job that is already over: all samples once, then complete', () => {
    const ts = testScheduler();
    ts.run(({ cold }) => {
      const all = mon(s(0, 1), s(0, 2));
      const source = scriptedSource(
        {
          resources: [
            () => cold('-a|', { a: all }),
            () => cold('-a|', { a: all }),
            () => cold('-a|', { a: all }),
          ],
          version: [() => cold('-a|', { a: detail('TRAINING_FAIL') })],
        },
        () => ts.now(),
      );
      const seen = record(resources$(source, 7, { ...base, scheduler: ts }), () => ts.now());
      ts.flush();
      expect(seen.values).toEqual([s(0, 1), s(0, 2)]);
      expect(source.calls).toEqual(['@0 resources', '@11 resources', '@12 version', '@13 resources']);
    });
  });
});
