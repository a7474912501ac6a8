import * as E from 'fp-ts/lib/Either.js';
import { compileMonitors } from 'modelmaker';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunRecorder } from '../../src/store/recorder.js';
import { openStore, type Store } from '../../src/store/store.js';

let store: Store;
let notified: number[][];
let recorder: RunRecorder;
let versionId: number;

beforeEach(() => {
  store = openStore(':memory:');
  notified = [];
  recorder = new RunRecorder(store, { onStored: (ids) => notified.push([...ids]) });
  versionId = store.training.createJob('job', undefined, { spec: {}, cpu: 1, memory: 1 })!.versionId;
});

afterEach(() => {
  recorder.close();
  store.close();
});

const log = (content: string) => ({
  kind: 'log' as const,
  instance: 0,
  stream: 'stdout',
  content,
  time: 1000,
});

describe('the run recorder', () => {
  it('writes buffered lines at the end of the event-loop turn, in one notification', async () => {
    recorder.record(versionId, log('a'));
    recorder.record(versionId, log('b'));
    expect(store.trainLogs.page(versionId, 0, 10)).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.trainLogs.page(versionId, 0, 10).map((l) => l.content)).toEqual(['a', 'b']);
    expect(notified).toEqual([[versionId]]);
  });

  it('writes the lines before a status, so a terminal status implies every line is readable', () => {
    recorder.record(versionId, log('last words'));
    recorder.record(versionId, { kind: 'status', status: 'TRAINING_FAIL', reason: 'exit 1', exitCode: 1 });
    expect(store.trainLogs.page(versionId, 0, 10).map((l) => l.content)).toEqual(['last words']);
    expect(store.training.getVersion(versionId)).toMatchObject({
      status: 'TRAINING_FAIL',
      reason: 'exit 1',
      exitCode: 1,
    });
  });

  it('stores the metric points the monitors find, with the line they came from', () => {
    const monitors = compileMonitors([{ name: 'loss', regular: 'loss=([0-9.]+)' }]);
    if (E.isLeft(monitors)) throw monitors.left;
    recorder.track(versionId, monitors.right);
    recorder.record(versionId, log('epoch 1'));
    recorder.record(versionId, log('loss=0.5'));
    recorder.flush();
    expect(store.metrics.series(versionId)).toEqual([
      { name: 'loss', points: [{ name: 'loss', value: 0.5, time: 1000, lineId: 1 }] },
    ]);
  });

  it('stores resource samples with ISO or epoch times', () => {
    recorder.record(versionId, {
      kind: 'resource',
      instance: 1,
      time: '1970-01-01T00:00:02.000Z',
      cpu: 0.25,
      memory: 4096,
    });
    expect(store.resources.list(versionId)).toEqual([
      { instance: 1, time: 2000, cpu: 0.25, memory: 4096, gpu: undefined },
    ]);
  });

  it('drops lines of a version deleted while they were buffered', () => {
    recorder.record(versionId, log('late'));
    store.training.deleteVersion(versionId);
    expect(() => recorder.flush()).not.toThrow();
  });
});
