import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, SchemaTooNewError } from '../../src/store/database.js';
import { RESTARTED_REASON, recoverUnfinishedVersions } from '../../src/store/recovery.js';
import { openStore, type Store } from '../../src/store/store.js';

const spec = { name: 'job', type: 'CUSTOM', output: 's3://modelmaker/out', mirrorUrl: 'img' };
const demand = { spec, cpu: 1, memory: 1024 };

let dir: string;
let file: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mm-store-'));
  file = join(dir, 'modelmaker.db');
  store = openStore(file);
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function count(table: string): number {
  return (store.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
}

describe('the SQLite store', () => {
  it('opens in WAL mode with foreign keys, readable by its owner only', () => {
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a database written by a newer schema', () => {
    store.db.pragma('user_version = 999');
    store.close();
    expect(() => openDatabase(file)).toThrow(SchemaTooNewError);
    store = openStore(':memory:');
  });

  it('creates a job with its first version in STARTING, numbered 1', () => {
    const created = store.training.createJob('job', 'd', demand, 1000)!;
    const version = store.training.getVersion(created.versionId)!;
    expect(version).toMatchObject({ jobId: created.jobId, jobName: 'job', number: 1, status: 'STARTING' });
    expect(version.spec).toEqual(spec);
    expect(store.training.history(created.versionId)).toEqual([
      { status: 'STARTING', reason: undefined, time: 1000 },
    ]);
  });

  it('writes nothing when the job name is taken', () => {
    store.training.createJob('job', undefined, demand);
    const before = [count('train_jobs'), count('train_versions')];
    expect(store.training.createJob('job', undefined, demand)).toBeUndefined();
    expect([count('train_jobs'), count('train_versions')]).toEqual(before);
  });

  it('numbers versions within their job and refuses a version of a missing job', () => {
    const { jobId } = store.training.createJob('job', undefined, demand)!;
    const second = store.training.createVersion(jobId, demand)!;
    expect(store.training.getVersion(second)!.number).toBe(2);
    expect(store.training.createVersion(jobId + 100, demand)).toBeUndefined();
  });

  it('sets startedAt on leaving STARTING, finishedAt on a terminal status, and never changes a terminal version', () => {
    const { versionId } = store.training.createJob('job', undefined, demand)!;
    store.training.setStatus(versionId, { status: 'DOWNLOAD_DATA', time: 10 });
    store.training.setStatus(versionId, { status: 'TRAINING', time: 20 });
    store.training.setStatus(versionId, { status: 'FINISH', time: 30, exitCode: 0 });
    expect(store.training.setStatus(versionId, { status: 'TRAINING_FAIL', time: 40 })).toBe(false);
    expect(store.training.getVersion(versionId)).toMatchObject({
      status: 'FINISH',
      startedAt: 10,
      finishedAt: 30,
      exitCode: 0,
    });
    expect(store.training.history(versionId).map((h) => h.status)).toEqual([
      'STARTING',
      'DOWNLOAD_DATA',
      'TRAINING',
      'FINISH',
    ]);
  });

  it('gives log lines ids 0, 1, 2, … per version across batches and restarts', () => {
    const a = store.training.createJob('a', undefined, demand)!.versionId;
    const b = store.training.createJob('b', undefined, demand)!.versionId;
    const line = (content: string) => ({ instance: 0, stream: 'stdout', content, time: 1 });
    store.trainLogs.append(a, [line('a0'), line('a1')]);
    store.trainLogs.append(b, [line('b0')]);
    store.trainLogs.append(a, [line('a2')]);
    store.close();
    store = openStore(file);
    store.trainLogs.append(a, [line('a3')]);
    expect(store.trainLogs.page(a, 0, 10).map((l) => [l.id, l.content])).toEqual([
      [0, 'a0'],
      [1, 'a1'],
      [2, 'a2'],
      [3, 'a3'],
    ]);
    expect(store.trainLogs.page(a, 2, 1).map((l) => l.id)).toEqual([2]);
    expect(store.trainLogs.page(b, 0, 10).map((l) => l.id)).toEqual([0]);
  });

  it('stores 200,000 lines in batched transactions in well under 5 s', () => {
    const id = store.training.createJob('big', undefined, demand)!.versionId;
    const started = performance.now();
    for (let batch = 0; batch < 40; batch++) {
      const lines = Array.from({ length: 5000 }, (_, i) => ({
        instance: 0,
        stream: 'stdout',
        content: `line ${batch * 5000 + i}`,
        time: Date.now(),
      }));
      store.db.transaction(() => store.trainLogs.append(id, lines))();
    }
    const elapsed = performance.now() - started;
    expect(store.trainLogs.nextId(id)).toBe(200_000);
    expect(store.trainLogs.page(id, 199_999, 5).map((l) => l.content)).toEqual(['line 199999']);
    expect(elapsed).toBeLessThan(5000);
  });

  it('deletes a job with its versions, lines, metrics and samples', () => {
    const { jobId, versionId } = store.training.createJob('job', undefined, demand)!;
    store.trainLogs.append(versionId, [{ instance: 0, stream: 'stdout', content: 'x', time: 1 }]);
    store.metrics.append(versionId, [{ name: 'loss', value: 1, time: 1, lineId: 0 }]);
    store.resources.append(versionId, [{ instance: 0, time: 1, cpu: 0.5, memory: 100 }]);
    store.training.deleteJob(jobId);
    expect([
      count('train_versions'),
      count('train_logs'),
      count('train_metrics'),
      count('train_resources'),
    ]).toEqual([0, 0, 0, 0]);
  });

  it('has tables for models and services', () => {
    for (const table of ['models', 'model_versions', 'services', 'service_models', 'service_logs']) {
      expect(count(table)).toBe(0);
    }
  });
});

describe('recovery after a crash', () => {
  it('fails started versions and stops stopping ones, with a reason; keeps queued ones queued; leaves finished ones alone', () => {
    const ids = ['STARTING', 'DOWNLOAD_DATA', 'TRAINING', 'STOPPING', 'FINISH', 'STARTING'].map(
      (status, i) => {
        const id = store.training.createJob(`job${i}`, undefined, demand)!.versionId;
        if (status !== 'STARTING') store.training.setStatus(id, { status, time: 5 });
        return id;
      },
    );
    const recovered = recoverUnfinishedVersions(store.training, 99);
    expect(recovered.ended.map((v) => v.id)).toEqual(ids.slice(1, 4));
    expect(recovered.queued.map((v) => v.id)).toEqual([ids[0], ids[5]]);
    expect(ids.map((id) => store.training.getVersion(id)!.status)).toEqual([
      'STARTING',
      'TRAINING_FAIL',
      'TRAINING_FAIL',
      'STOPPED',
      'FINISH',
      'STARTING',
    ]);
    expect(store.training.getVersion(ids[2]!)).toMatchObject({ reason: RESTARTED_REASON, finishedAt: 99 });
    expect(store.training.getVersion(ids[0]!)).toMatchObject({ reason: undefined, finishedAt: undefined });
    expect(store.training.getVersion(ids[4]!)!.reason).toBeUndefined();
  });
});
