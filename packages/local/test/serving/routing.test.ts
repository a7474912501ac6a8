import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunning, startTestPlatform, waitUntil } from '../platform/helpers.js';
import {
  deploy,
  instancesOf,
  nodeModel,
  predict,
  serviceLogs,
  serviceModel,
  waitForService,
} from './helpers.js';

const MAX_BODY = 64 * 1024;
let env: Awaited<ReturnType<typeof startTestPlatform>>;

beforeAll(async () => {
  env = await startTestPlatform({
    serving: { containerEngine: null, maxBodyBytes: MAX_BODY, restartBackoffMs: 100 },
  });
});

afterAll(async () => {
  await env?.close();
});

interface Load {
  /** Answers by model tag. */
  readonly tags: Map<string, number>;
  readonly failures: string[];
  count: number;
  stop(): Promise<void>;
}

/** `concurrency` clients predicting in a loop until stopped. */
function load(accessAddress: string, concurrency: number): Load {
  let running = true;
  const result: Load = {
    tags: new Map(),
    failures: [],
    count: 0,
    stop: async () => {
      running = false;
      await Promise.all(clients);
    },
  };
  const clients = Array.from({ length: concurrency }, async () => {
    while (running) {
      try {
        const answer = await predict(accessAddress, { instances: [[1, 1]] });
        if (answer.status !== 200) result.failures.push(`${answer.status} ${answer.text}`);
        else result.tags.set(answer.json.tag, (result.tags.get(answer.json.tag) ?? 0) + 1);
      } catch (error) {
        result.failures.push(String(error));
      }
      result.count++;
    }
  });
  return result;
}

describe('the gateway', () => {
  it('splits traffic 80/20 by weight over 1,000 predictions', async () => {
    const { api, s3, platform } = env;
    const a = await nodeModel(api, s3, platform, 'split-a', 'A');
    const b = await nodeModel(api, s3, platform, 'split-b', 'B');
    const id = await deploy(api, 'split', [serviceModel(a, { weight: 80 }), serviceModel(b, { weight: 20 })]);
    const { accessAddress } = await waitForService(api, id, ['RUNNING']);
    const tags = new Map<string, number>();
    for (let batch = 0; batch < 100; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => predict(accessAddress, { instances: [[1]] })),
      );
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        tags.set(answer.json.tag, (tags.get(answer.json.tag) ?? 0) + 1);
      }
    }
    expect((tags.get('A') ?? 0) + (tags.get('B') ?? 0)).toBe(1000);
    expect(Math.abs((tags.get('A') ?? 0) / 10 - 80)).toBeLessThanOrEqual(5);
    await api.ok('DELETE', `/v1/service/${id}`);
  });

  it('routes around a killed instance, restarts it (restarts ≥ 1, READY), and no request fails', async () => {
    const { api, s3, platform } = env;
    const version = await nodeModel(api, s3, platform, 'killed', 'K');
    const id = await deploy(api, 'kill', [serviceModel(version, { instanceCount: 2 })]);
    const detail = await waitForService(api, id, ['RUNNING']);
    const [victim, survivor] = instancesOf(detail);
    const traffic = load(detail.accessAddress, 8);
    await waitUntil(() => traffic.count > 100);
    process.kill(victim!.pid!, 'SIGKILL');
    const back = await waitUntil(async () => {
      const now = instancesOf((await api.ok('GET', `/v1/service/${id}`)).json);
      const again = now.find((i) => i.index === victim!.index)!;
      return again.restarts >= 1 && again.status === 'READY' && again;
    });
    const before = traffic.count;
    await waitUntil(() => traffic.count > before + 100);
    await traffic.stop();
    expect(traffic.failures).toEqual([]);
    expect(back.pid).not.toBe(victim!.pid);
    expect(isRunning(victim!.pid!)).toBe(false);
    const now = instancesOf((await api.ok('GET', `/v1/service/${id}`)).json);
    expect(now.find((i) => i.index === survivor!.index)).toMatchObject({ pid: survivor!.pid, restarts: 0 });
    const logs = await serviceLogs(api, id);
    expect(
      logs.some((l) => l.instance === victim!.index && /crashed: was killed by SIGKILL/.test(l.content)),
    ).toBe(true);
    await api.ok('DELETE', `/v1/service/${id}`);
  });

  it('applies new weights and instance counts under load without a failed request', async () => {
    const { api, s3, platform } = env;
    const a = await nodeModel(api, s3, platform, 'roll-a', 'A');
    const b = await nodeModel(api, s3, platform, 'roll-b', 'B');
    const id = await deploy(api, 'rolling', [
      serviceModel(a, { weight: 90, instanceCount: 2 }),
      serviceModel(b, { weight: 10 }),
    ]);
    const before = await waitForService(api, id, ['RUNNING']);
    const oldA: Array<{ pid: number }> = before.serviceModels[0].instances;
    expect(oldA).toHaveLength(2);
    const traffic = load(before.accessAddress, 8);
    await waitUntil(() => traffic.count > 100);
    await api.ok('PUT', `/v1/service/${id}`, {
      serviceModels: [
        serviceModel(a, { weight: 10, instanceCount: 1 }),
        serviceModel(b, { weight: 90, instanceCount: 2 }),
      ],
    });
    const after = await waitForService(api, id, ['RUNNING']);
    expect(
      after.serviceModels.map((m: { weight: number; instances: unknown[] }) => [
        m.weight,
        m.instances.length,
      ]),
    ).toEqual([
      [10, 1],
      [90, 2],
    ]);
    const counted = traffic.count;
    const tagsBefore = new Map(traffic.tags);
    await waitUntil(() => traffic.count > counted + 300);
    await traffic.stop();
    expect(traffic.failures).toEqual([]);
    const newB = (traffic.tags.get('B') ?? 0) - (tagsBefore.get('B') ?? 0);
    const newA = (traffic.tags.get('A') ?? 0) - (tagsBefore.get('A') ?? 0);
    expect(newB / (newA + newB)).toBeGreaterThan(0.8);
    // The removed instance of A is stopped; the kept one still serves.
    await waitUntil(() => oldA.filter((i) => isRunning(i.pid)).length === 1);
    await api.ok('DELETE', `/v1/service/${id}`);
  });

  it('refuses to delete a model in use (4009); once the service is deleted its processes are gone and the model goes', async () => {
    const { api, s3, platform } = env;
    const version = await nodeModel(api, s3, platform, 'in-use', 'U');
    const modelId = (await api.ok('GET', `/v1/model/version/${version}`)).json.modelId;
    const id = await deploy(api, 'user', [serviceModel(version, { instanceCount: 2 })]);
    const detail = await waitForService(api, id, ['RUNNING']);
    const pids = instancesOf(detail).map((i) => i.pid!);
    expect(pids.every(isRunning)).toBe(true);

    for (const path of [`/v1/model/${modelId}`, `/v1/model/version/${version}`]) {
      const refused = await api.call('DELETE', path);
      expect(refused.status).toBe(409);
      expect(refused.json).toEqual({ errorCode: 4009, message: expect.stringContaining(`service ${id}`) });
    }
    await api.ok('DELETE', `/v1/service/${id}`);
    expect(pids.some(isRunning)).toBe(false);
    expect((await api.call('GET', `/v1/service/${id}`)).status).toBe(404);
    expect(
      await fetch(`${detail.accessAddress}/ModelMaker/predict`, { method: 'POST' }).catch(() => 'refused'),
    ).toBe('refused');
    await api.ok('DELETE', `/v1/model/${modelId}`);
    expect((await api.call('GET', `/v1/model/version/${version}`)).status).toBe(404);
  });

  it('answers 503 with a clear body while no instance is ready, and 413 for an oversized body', async () => {
    const { api, s3, platform } = env;
    const version = await nodeModel(api, s3, platform, 'slow', 'S');
    const id = await deploy(api, 'never-ready', [
      serviceModel(version, { envs: [{ name: 'PREDICT_NEVER_LISTEN', value: '1' }] }),
    ]);
    const detail = (await api.ok('GET', `/v1/service/${id}`)).json;
    expect(detail.status).toBe('DEPLOYING');
    const unavailable = await predict(detail.accessAddress, { instances: [[1]] });
    expect(unavailable.status).toBe(503);
    expect(unavailable.json).toEqual({
      errorCode: 5000,
      message: expect.stringMatching(/DEPLOYING.*no instance is ready/),
    });
    const starting = await waitUntil(async () => {
      const instance = instancesOf((await api.ok('GET', `/v1/service/${id}`)).json)[0];
      return instance?.pid !== undefined && instance;
    });
    expect(starting.status).toBe('STARTING');
    await api.ok('DELETE', `/v1/service/${id}`);
    expect(isRunning(starting.pid!)).toBe(false);

    const ok = await nodeModel(api, s3, platform, 'big', 'B');
    const big = await deploy(api, 'big-bodies', [serviceModel(ok)]);
    const { accessAddress } = await waitForService(api, big, ['RUNNING']);
    const tooLarge = await predict(accessAddress, { instances: [[1]], padding: 'x'.repeat(MAX_BODY) });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.json).toEqual({ errorCode: 4000, message: `body: larger than ${MAX_BODY} bytes` });
    expect((await predict(accessAddress, { instances: [[1]], padding: 'x'.repeat(1000) })).status).toBe(200);
    // The instance's own status and body pass through.
    const notFound = await fetch(`${accessAddress}/elsewhere`, { method: 'POST', body: '{}' });
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toMatchObject({ errorCode: 4004 });
    await api.ok('DELETE', `/v1/service/${big}`);
  });

  it('fails a deploy whose instance exits (FAILED with the reason); stop and start keep the access address', async () => {
    const { api, s3, platform } = env;
    const version = await nodeModel(api, s3, platform, 'flaky', 'F');
    const broken = await deploy(api, 'broken', [
      serviceModel(version, { instanceCount: 2, envs: [{ name: 'PREDICT_EXIT', value: '3' }] }),
    ]);
    const failed = await waitForService(api, broken, ['FAILED', 'RUNNING']);
    expect(failed.status).toBe('FAILED');
    expect(failed.reason).toMatch(/instance \d exited with code 3 before it was ready/);
    const logs = await serviceLogs(api, broken);
    expect(
      logs.some((l) => l.content === 'predict-node: exiting with 3 on purpose' && l.stream === 'stderr'),
    ).toBe(true);
    await api.ok('DELETE', `/v1/service/${broken}`);

    const id = await deploy(api, 'stop-start', [serviceModel(version)]);
    const running = await waitForService(api, id, ['RUNNING']);
    const pid = instancesOf(running)[0]!.pid!;
    await api.ok('POST', `/v1/service/${id}/stop`, {});
    const stopped = await waitForService(api, id, ['STOPPED']);
    expect(isRunning(pid)).toBe(false);
    expect(stopped.accessAddress).toBe(running.accessAddress);
    const answer = await predict(running.accessAddress, { instances: [[1]] });
    expect(answer.status).toBe(503);
    expect(answer.json.message).toMatch(/STOPPED/);
    // Stopping a stopped service is fine.
    await api.ok('POST', `/v1/service/${id}/stop`, {});
    await api.ok('POST', `/v1/service/${id}/start`, {});
    const again = await waitForService(api, id, ['RUNNING']);
    expect(again.accessAddress).toBe(running.accessAddress);
    expect((await predict(again.accessAddress, { instances: [[1, 2]] })).json.predictions).toEqual([3]);
    const list = await api.ok('GET', '/v1/service');
    expect(list.json.services).toContainEqual(
      expect.objectContaining({
        id,
        name: 'stop-start',
        status: 'RUNNING',
        accessAddress: again.accessAddress,
      }),
    );
    await api.ok('DELETE', `/v1/service/${id}`);
  });
});
