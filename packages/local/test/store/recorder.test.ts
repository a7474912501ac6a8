import * as E from 'fp-ts/lib/Either.js';
import { compileMonitors } from 'modelmaker';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
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

  it('disables a monitor whose pattern backtracks catastrophically, says so in the log, and keeps the others', () => {
    const budgeted = new RunRecorder(store, { monitorBudgetMs: 20 });
    const monitors = compileMonitors([
      { name: 'evil', regular: '^(a+)+$' },
      { name: 'loss', regular: 'loss=([0-9.]+)' },
    ]);
    if (E.isLeft(monitors)) throw monitors.left;
    budgeted.track(versionId, monitors.right);
    budgeted.record(versionId, log('loss=0.5'));
    budgeted.record(versionId, log(`${'a'.repeat(40)}!`));
    budgeted.record(versionId, log('loss=0.25'));
    budgeted.flush();
    budgeted.record(versionId, log(`${'a'.repeat(50)}!`));
    budgeted.record(versionId, log('loss=0.125'));
    budgeted.close();
    expect(store.trainLogs.page(versionId, 0, 10).map((l) => l.content)).toEqual([
      'loss=0.5',
      `${'a'.repeat(40)}!`,
      'loss=0.25',
      expect.stringMatching(
        /^\[modelmaker\] monitor "evil" disabled: its pattern ran over 40 ms on one log line/,
      ),
      `${'a'.repeat(50)}!`,
      'loss=0.125',
    ]);
    expect(store.metrics.series(versionId)).toEqual([
      {
        name: 'loss',
        points: [
          { name: 'loss', value: 0.5, time: 1000, lineId: 0 },
          { name: 'loss', value: 0.25, time: 1000, lineId: 2 },
          { name: 'loss', value: 0.125, time: 1000, lineId: 5 },
        ],
      },
    ]);
  });
});

describe('the run recorder on a failing database', () => {
  it('fails the version whose lines cannot be written (SQLITE_FULL) with a reason naming the cause, and goes on', async () => {
    const faults: Array<[number, string]> = [];
    let recovered = 0;
    const failing = new RunRecorder(store, {
      onFault: (id, reason) => faults.push([id, reason]),
      onRecovered: () => recovered++,
      retryMs: 10,
    });
    const other = store.training.createJob('other', undefined, { spec: {}, cpu: 1, memory: 1 })!.versionId;
    failing.record(other, log('written before the disk filled'));
    failing.flush();
    // A real SQLITE_FULL: the database may not grow by another page.
    store.db.pragma(`max_page_count = ${store.db.pragma('page_count', { simple: true }) as number}`);
    for (let i = 0; i < 200; i++) failing.record(versionId, log(`${i} ${'x'.repeat(2000)}`));
    // The write runs at the end of the turn: it must not throw there (that would end the process).
    await new Promise((resolve) => setImmediate(resolve));
    const reason = `disk full while writing logs of version ${versionId} (SQLITE_FULL)`;
    expect(faults).toEqual([[versionId, reason]]);
    // What the failed version reports afterwards is dropped; its failure is its last status.
    failing.record(versionId, log('after the failure'));
    expect(failing.status(versionId, 'FINISH')).toBe(false);
    // Space again: the failure that could not be written gets written.
    store.db.pragma('max_page_count = 1073741823');
    await vi.waitFor(() =>
      expect(store.training.getVersion(versionId)).toMatchObject({ status: 'TRAINING_FAIL', reason }),
    );
    expect(recovered).toBe(1);
    expect(store.trainLogs.page(versionId, 0, 10)).toEqual([]);
    // The other version was never touched, and can still be written.
    failing.record(other, log('and after'));
    failing.close();
    expect(store.trainLogs.page(other, 0, 10).map((l) => l.content)).toEqual([
      'written before the disk filled',
      'and after',
    ]);
    expect(store.training.getVersion(other)!.status).not.toBe('TRAINING_FAIL');
  });
});
