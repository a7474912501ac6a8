import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeJob, startTestPlatform } from './helpers.js';

let env: Awaited<ReturnType<typeof startTestPlatform>>;

beforeAll(async () => {
  env = await startTestPlatform({ logLimits: { waitCapSeconds: 5 } });
});

afterAll(async () => {
  await env?.close();
});

/** Long-polls from `lastId` until a line matching `content` arrives. */
async function waitForLine(versionId: number, content: string): Promise<{ id: number; time: string }> {
  for (let lastId = 0; ; ) {
    const page = await env.api.ok('GET', `/v1/train/version/${versionId}/log?lastId=${lastId}&wait=5`);
    const found = page.json.logs.find((l: { content: string }) => l.content === content);
    if (found) return found;
    if (page.json.logs.length > 0) lastId = page.json.logs.at(-1).id + 1;
  }
}

describe('log long-poll', () => {
  it('wakes a waiting request the moment a line is stored', async () => {
    const { api, s3, platform } = env;
    const script = `console.log('first'); setTimeout(() => console.log('second'), 1000); setTimeout(() => {}, 1300);`;
    const { versionId } = (await api.ok('POST', '/v1/train', await nodeJob(s3, platform, 'poll', script)))
      .json;
    const first = await waitForLine(versionId, 'first');
    const asked = Date.now();
    const page = await api.ok('GET', `/v1/train/version/${versionId}/log?lastId=${first.id + 1}&wait=5`);
    const answered = Date.now();
    expect(page.json.logs[0]).toMatchObject({
      id: first.id + 1,
      content: 'second',
      stream: 'stdout',
      instance: 0,
    });
    const held = answered - asked;
    const latency = answered - Date.parse(page.json.logs[0].time);
    console.info(`long-poll held ${held} ms; line → response ${latency} ms`);
    expect(held).toBeGreaterThan(300);
    expect(latency).toBeLessThanOrEqual(1000);
    await api.waitForStatus(versionId, ['FINISH']);
  });

  it('answers an empty page when the wait runs out, and at once for a finished version', async () => {
    const { api, s3, platform } = env;
    const script = `console.log('only'); setTimeout(() => {}, 1500);`;
    const { versionId } = (await api.ok('POST', '/v1/train', await nodeJob(s3, platform, 'quiet', script)))
      .json;
    const only = await waitForLine(versionId, 'only');
    const started = Date.now();
    const empty = await api.ok('GET', `/v1/train/version/${versionId}/log?lastId=${only.id + 1}&wait=0.3`);
    expect(empty.json).toEqual({ logs: [] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await api.waitForStatus(versionId, ['FINISH']);
    const lines = await api.allLogs(versionId);
    const atOnce = Date.now();
    const after = await api.ok('GET', `/v1/train/version/${versionId}/log?lastId=${lines.length}&wait=5`);
    expect(after.json.logs).toEqual([]);
    expect(Date.now() - atOnce).toBeLessThan(500);
  });

  it('caps the wait at the configured limit', async () => {
    const capped = await startTestPlatform({ logLimits: { waitCapSeconds: 0.3 } });
    try {
      const { api, s3, platform } = capped;
      const script = `setTimeout(() => {}, 3000);`;
      const { versionId } = (await api.ok('POST', '/v1/train', await nodeJob(s3, platform, 'cap', script)))
        .json;
      await api.waitForStatus(versionId, ['TRAINING']);
      const lines = await api.allLogs(versionId);
      const started = Date.now();
      await api.ok('GET', `/v1/train/version/${versionId}/log?lastId=${lines.length}&wait=30`);
      expect(Date.now() - started).toBeLessThan(2000);
      await api.ok('POST', `/v1/train/${versionId}/stop`, {});
      await api.waitForStatus(versionId, ['STOPPED']);
    } finally {
      await capped.close();
    }
  });

  it('stores 200,000 lines of one job in order with ids 0…n, and pages them with hasMore', async () => {
    const { api, s3, platform } = env;
    const script = `
      const out = [];
      for (let i = 0; i < 200000; i++) out.push('line ' + i);
      process.stdout.write(out.join('\\n') + '\\n');`;
    const { versionId } = (await api.ok('POST', '/v1/train', await nodeJob(s3, platform, 'loud', script)))
      .json;
    const started = Date.now();
    await api.waitForStatus(versionId, ['FINISH'], 30_000);
    const firstPage = await api.ok('GET', `/v1/train/version/${versionId}/log?lastId=0&limit=2`);
    expect(firstPage.json.logs).toHaveLength(2);
    expect(firstPage.json.hasMore).toBe(1);
    const lines = await api.allLogs(versionId);
    const printed = lines.filter((l) => l.content.startsWith('line '));
    expect(printed).toHaveLength(200_000);
    expect(lines.map((l) => l.id)).toEqual(lines.map((_, i) => i));
    expect(printed.every((l, i) => l.content === `line ${i}`)).toBe(true);
    console.info(`200,000 lines stored and read back in ${Date.now() - started} ms`);
  });
});
