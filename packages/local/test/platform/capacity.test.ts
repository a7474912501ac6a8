import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STOPPED_WAITING_REASON } from '../../src/server/handlers/training.js';
import { nodeJob, startTestPlatform } from './helpers.js';

const GIB = 1024 ** 3;
let env: Awaited<ReturnType<typeof startTestPlatform>>;

beforeAll(async () => {
  // Room for two train.small machines (1 core, 2 GiB each).
  env = await startTestPlatform({ capacity: { cpu: 2, memory: 4 * GIB } });
});

afterAll(async () => {
  await env?.close();
});

function maxOverlap(intervals: Array<[number, number]>): number {
  const edges = intervals.flatMap(([start, end]) => [
    [start, 1],
    [end, -1],
  ]);
  // Ends before starts at the same instant: a run ending frees its share for the next.
  edges.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let running = 0;
  let most = 0;
  for (const [, delta] of edges) {
    running += delta!;
    most = Math.max(most, running);
  }
  return most;
}

describe('the scheduler on the platform', () => {
  it('runs at most two of five jobs at once when capacity holds two, and finishes all in order', async () => {
    const { api, s3, platform } = env;
    const script = `console.log('start'); setTimeout(() => console.log('end'), 400);`;
    // Uploads first, so the five submissions follow each other closely.
    const bodies = await Promise.all([0, 1, 2, 3, 4].map((i) => nodeJob(s3, platform, `cap-${i}`, script)));
    const versionIds: number[] = [];
    for (const body of bodies) versionIds.push((await api.ok('POST', '/v1/train', body)).json.versionId);
    const early = await Promise.all(versionIds.map((id) => api.ok('GET', `/v1/train/version/${id}`)));
    expect(early.filter((v) => v.json.status === 'STARTING').length).toBeGreaterThanOrEqual(3);

    const done = [];
    for (const id of versionIds) done.push((await api.waitForStatus(id, ['FINISH', 'TRAINING_FAIL'])).json);
    expect(done.map((v) => v.status)).toEqual(Array(5).fill('FINISH'));
    const intervals = done.map((v): [number, number] => [Date.parse(v.startedAt), Date.parse(v.finishedAt)]);
    expect(maxOverlap(intervals)).toBe(2);
    const starts = intervals.map(([start]) => start);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
  });

  it('stops a version waiting for capacity without ever running it', async () => {
    const { api, s3, platform } = env;
    const long = `console.log('busy'); setTimeout(() => {}, 60000);`;
    const running = [];
    for (let i = 0; i < 2; i++) {
      running.push(
        (await api.ok('POST', '/v1/train', await nodeJob(s3, platform, `busy-${i}`, long))).json.versionId,
      );
    }
    const waiting = (await api.ok('POST', '/v1/train', await nodeJob(s3, platform, 'waiter', long))).json
      .versionId;
    expect((await api.ok('GET', `/v1/train/version/${waiting}`)).json.status).toBe('STARTING');
    await api.ok('POST', `/v1/train/${waiting}/stop`, {});
    const stopped = (await api.ok('GET', `/v1/train/version/${waiting}`)).json;
    expect(stopped).toMatchObject({ status: 'STOPPED', reason: STOPPED_WAITING_REASON });
    expect(stopped.startedAt).toBeUndefined();
    expect(await api.allLogs(waiting)).toEqual([]);
    for (const id of running) await api.ok('POST', `/v1/train/${id}/stop`, {});
    for (const id of running) await api.waitForStatus(id, ['STOPPED']);
  });
});
