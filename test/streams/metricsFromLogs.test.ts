import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../src/codecs/training.js';
import { hasTag, ValidationError } from '../../src/errors.js';
import { metricsFromLogs } from '../../src/streams/metricsFromLogs.js';
import { testScheduler } from './support.js';

const monitors = [
  { name: 'loss', regular: 'loss=([0-9.]+)' },
  { name: 'acc', regular: 'acc: ?([0-9.]+)' },
];

describe('metricsFromLogs', () => {
  it('turns each matching line into one point per matching monitor, with the line time and id', async () => {
    const logs: LogLine[] = [
      { id: 0, content: 'starting', time: 100 },
      { id: 1, content: 'epoch 1 loss=0.9 acc: 0.5', time: 110 },
      { id: 2, content: 'epoch 2 loss=0.4', time: '2024-01-01T00:00:00Z' },
      { id: 3, content: 'loss=nan' },
    ];
    const points = await lastValueFrom(from(logs).pipe(metricsFromLogs(monitors), toArray()));
    expect(points).toEqual([
      { name: 'loss', value: 0.9, time: 110, lineId: 1 },
      { name: 'acc', value: 0.5, time: 110, lineId: 1 },
      { name: 'loss', value: 0.4, time: '2024-01-01T00:00:00Z', lineId: 2 },
    ]);
  });

  it('is a pure operator: timing follows the lines, completion and unsubscription pass through', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const lines = cold('-a-b-c-|', {
        a: { id: 0, content: 'hello' },
        b: { id: 1, content: 'loss=1' },
        c: { id: 2, content: 'loss=0.5' },
      });
      expectObservable(lines.pipe(metricsFromLogs(monitors))).toBe('---x-y-|', {
        x: { name: 'loss', value: 1, time: undefined, lineId: 1 },
        y: { name: 'loss', value: 0.5, time: undefined, lineId: 2 },
      });
      expectSubscriptions(lines.subscriptions).toBe('^------!');
    });
  });

  it("reads the seed's monitor example verbatim: loss=\\d+ gives 20 for loss=20", async () => {
    const seed = [{ name: 'Loss', regular: String.raw`loss=\d+`, sample: 'loss=20' }];
    const logs: LogLine[] = [
      { id: 0, content: 'loss=20' },
      { id: 1, content: 'epoch 2 loss=13' },
      { id: 2, content: 'done' },
    ];
    const points = await lastValueFrom(from(logs).pipe(metricsFromLogs(seed), toArray()));
    expect(points).toEqual([
      { name: 'Loss', value: 20, time: undefined, lineId: 0 },
      { name: 'Loss', value: 13, time: undefined, lineId: 1 },
    ]);
  });

  it('throws a ValidationError naming monitors[i].regular up front, before anything is subscribed', () => {
    let thrown: unknown;
    try {
      metricsFromLogs([
        { name: 'ok', regular: 'x=(\\d+)' },
        { name: 'bad', regular: 'loss=([0-9' },
      ]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect(hasTag(thrown, 'ValidationError')).toBe(true);
    expect((thrown as ValidationError).problems.map((p) => p.field)).toEqual(['monitors[1].regular']);
  });
});
