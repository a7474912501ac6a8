import { logInstantOf } from 'modelmaker';
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

describe('the time cursor (lastTime + lastNan)', () => {
  it('answers the lines printed strictly after that instant, in the same page shape', async () => {
    const { api, s3, platform } = env;
    const script = `console.log('early'); setTimeout(() => { console.log('late 1'); console.log('late 2'); }, 300);`;
    const { versionId } = (await api.ok('POST', '/v1/train', await nodeJob(s3, platform, 'cursor', script)))
      .json;
    await api.waitForStatus(versionId, ['FINISH']);
    const all = await api.allLogs(versionId);
    const early = all.find((l) => l.content === 'early')!;
    const late = all.find((l) => l.content === 'late 1')!;
    expect(early).toMatchObject({ time: expect.any(String), nanTime: expect.any(Number) });
    const at = logInstantOf(early)!;
    expect(at.nanos).toBe((Date.parse(early.time) % 1000) * 1_000_000);

    const page = await api.ok(
      'GET',
      `/v1/train/version/${versionId}/log?lastTime=${at.seconds}&lastNan=${at.nanos}`,
    );
    const expected = all.filter((l) => Date.parse(l.time) > Date.parse(early.time));
    expect(page.json.logs).toEqual(expected);
    expect(page.json.logs.map((l: { content: string }) => l.content)).toContain('late 1');
    expect(page.json.logs.map((l: { content: string }) => l.content)).not.toContain('early');
    for (const line of page.json.logs) {
      expect(Object.keys(line).sort()).toEqual(['content', 'id', 'instance', 'nanTime', 'stream', 'time']);
    }

    // One nanosecond before a line's instant includes it; its own instant does not.
    const lateAt = logInstantOf(late)!;
    const before =
      lateAt.nanos > 0
        ? { seconds: lateAt.seconds, nanos: lateAt.nanos - 1 }
        : { seconds: lateAt.seconds - 1, nanos: 999_999_999 };
    const from = await api.ok(
      'GET',
      `/v1/train/version/${versionId}/log?lastTime=${before.seconds}&lastNan=${before.nanos}`,
    );
    expect(from.json.logs[0]).toMatchObject({ id: late.id, content: 'late 1' });
    const strictly = await api.ok(
      'GET',
      `/v1/train/version/${versionId}/log?lastTime=${lateAt.seconds}&lastNan=${lateAt.nanos}`,
    );
    expect(
      strictly.json.logs.every((l: { time: string }) => Date.parse(l.time) > Date.parse(late.time)),
    ).toBe(true);
    // lastNan defaults to 0; limit and hasMore work as with lastId.
    const limited = await api.ok('GET', `/v1/train/version/${versionId}/log?lastTime=0&limit=1`);
    expect(limited.json).toEqual({ logs: [all[0]], hasMore: 1 });
  });

  it('long-polls with the time cursor: a line printed later wakes the request', async () => {
    const { api, s3, platform } = env;
    const script = `setTimeout(() => console.log('awaited'), 500); setTimeout(() => {}, 800);`;
    const { versionId } = (
      await api.ok('POST', '/v1/train', await nodeJob(s3, platform, 'cursor-wait', script))
    ).json;
    await api.waitForStatus(versionId, ['TRAINING']);
    // Follow as the Python SDK's v2 would: the cursor moves to the last line's instant.
    let cursor = { seconds: Math.floor(Date.now() / 1000), nanos: 0 };
    let found: { content: string } | undefined;
    for (let tries = 0; found === undefined && tries < 10; tries++) {
      const page = await api.ok(
        'GET',
        `/v1/train/version/${versionId}/log?lastTime=${cursor.seconds}&lastNan=${cursor.nanos}&wait=5`,
      );
      found = page.json.logs.find((l: { content: string }) => l.content === 'awaited');
      if (page.json.logs.length > 0) cursor = logInstantOf(page.json.logs.at(-1))!;
    }
    expect(found).toBeDefined();
    await api.waitForStatus(versionId, ['FINISH']);
  });

  it('refuses both cursors at once, lastNan alone, and lastNan beyond a second, naming the field', async () => {
    const { api } = env;
    const both = await api.call('GET', '/v1/train/version/1/log?lastId=0&lastTime=5');
    expect(both.status).toBe(400);
    expect(both.json.message).toMatch(/^lastTime: /);
    const alone = await api.call('GET', '/v1/train/version/1/log?lastNan=5');
    expect(alone.status).toBe(400);
    expect(alone.json.message).toMatch(/^lastNan: /);
    const beyond = await api.call('GET', '/v1/train/version/1/log?lastTime=5&lastNan=1000000000');
    expect(beyond.status).toBe(400);
    expect(beyond.json.message).toMatch(/lastNan/);
  });
});
