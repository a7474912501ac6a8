import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/algorithms/dataset.js';
import { trainPreset } from '../../src/algorithms/train.js';
import { Api, isRunning, put, s3Of, startTestPlatform, tempDir, waitUntil } from '../platform/helpers.js';
import {
  deploy,
  fixture,
  instancesOf,
  LOGISTIC_REGRESSION_MODEL,
  nodeModel,
  predict,
  serviceLogs,
  serviceModel,
  waitForService,
} from './helpers.js';

const CHILD = fileURLToPath(new URL('../platform/fixtures/platform-child.ts', import.meta.url));

interface ChildInfo {
  baseUrl: string;
  username: string;
  password: string;
  s3: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string; region: string };
}

/** A platform in a child process (so the test can SIGKILL it). */
async function startChild(dataDir: string): Promise<{ child: ChildProcess; info: ChildInfo }> {
  const child = spawn(
    process.execPath,
    ['--conditions=modelmaker-source', '--import', 'tsx', CHILD, dataDir],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        TMPDIR: mkdirSync(join(dataDir, 'tmp'), { recursive: true }) ?? join(dataDir, 'tmp'),
      },
    },
  );
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`platform child exited with ${code}`);
    }),
  ])) as [string];
  return { child, info: JSON.parse(line) as ChildInfo };
}

describe('services across platform restarts', () => {
  it('a graceful close stops the instances; the next start brings a RUNNING service back on the same address, a STOPPED one stays stopped', async () => {
    const dir = tempDir();
    try {
      const first = await startTestPlatform({ dataDir: dir.path });
      const version = await nodeModel(first.api, first.s3, first.platform, 'durable', 'D');
      const id = await deploy(first.api, 'durable', [serviceModel(version, { instanceCount: 2 })]);
      const idle = await deploy(first.api, 'idle', [serviceModel(version)]);
      const before = await waitForService(first.api, id, ['RUNNING']);
      await waitForService(first.api, idle, ['RUNNING']);
      await first.api.ok('POST', `/v1/service/${idle}/stop`, {});
      await waitForService(first.api, idle, ['STOPPED']);
      const pids = instancesOf(before).map((i) => i.pid!);
      await first.close();
      expect(pids.some(isRunning)).toBe(false);

      const second = await startTestPlatform({ dataDir: dir.path });
      try {
        const after = await waitForService(second.api, id, ['RUNNING', 'FAILED']);
        expect(after.status).toBe('RUNNING');
        expect(after.accessAddress).toBe(before.accessAddress);
        expect(instancesOf(after).map((i) => i.status)).toEqual(['READY', 'READY']);
        expect((await predict(after.accessAddress, { instances: [[4, 5]] })).json).toMatchObject({
          predictions: [9],
          tag: 'D',
        });
        expect((await second.api.ok('GET', `/v1/service/${idle}`)).json).toMatchObject({
          status: 'STOPPED',
          serviceModels: [{ instances: [] }],
        });
        const logs = await serviceLogs(second.api, id);
        expect(logs.some((l) => l.content.includes('platform restarted: deploying the service again'))).toBe(
          true,
        );
      } finally {
        await second.close();
      }
    } finally {
      dir.remove();
    }
  });

  // Leftovers are found through /proc: Linux only.
  it.skipIf(process.platform !== 'linux')(
    'after a SIGKILL of the platform: the built-in predictor exits by itself, leftovers are killed, the service comes back',
    async () => {
      const dir = tempDir();
      const { child, info } = await startChild(dir.path);
      let pids: number[] = [];
      try {
        const api = new Api(info.baseUrl, info.username, info.password);
        await api.login();
        const s3 = s3Of(info);
        const trained = trainPreset('logistic-regression', parseCsv(fixture('iris.csv')), { epochs: '5' });
        const modelPath = (
          await put(s3, info, 'crash/preset/model.json', JSON.stringify(trained.model))
        ).replace(/model\.json$/, '');
        const preset = await api.ok('POST', '/v1/model', {
          name: 'crash-preset',
          type: 'PRESET_MODEL',
          version: '1',
          presetModelId: LOGISTIC_REGRESSION_MODEL,
          modelPath,
        });
        const node = await nodeModel(api, s3, info, 'crash-node', 'N');
        s3.destroy();
        const id = await deploy(api, 'survivor', [
          serviceModel(preset.json.versionId, { weight: 50 }),
          serviceModel(node, { weight: 50 }),
        ]);
        const before = await waitForService(api, id, ['RUNNING', 'FAILED'], 30_000);
        expect(before.status).toBe('RUNNING');
        const [presetPid, nodePid] = instancesOf(before).map((i) => i.pid!) as [number, number];
        pids = [presetPid, nodePid];

        child.kill('SIGKILL');
        await once(child, 'exit');
        // The built-in predictor notices its parent is gone; the model's own server does not.
        await waitUntil(() => !isRunning(presetPid), 5000);
        expect(isRunning(nodePid)).toBe(true);

        const restarted = await startTestPlatform({ dataDir: dir.path });
        try {
          expect(isRunning(nodePid)).toBe(false);
          const after = await waitForService(restarted.api, id, ['RUNNING', 'FAILED'], 30_000);
          expect(after.status).toBe('RUNNING');
          expect(after.accessAddress).toBe(before.accessAddress);
          pids.push(...instancesOf(after).map((i) => i.pid!));
          const answers = await Promise.all(
            [1, 2, 3, 4].map(() => predict(after.accessAddress, { instances: [[5.1, 3.5, 1.4, 0.2]] })),
          );
          expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
          expect(answers.map((a) => a.json.predictions[0])).toEqual(expect.arrayContaining(['setosa', 10.2]));
        } finally {
          await restarted.close();
        }
        expect(pids.some(isRunning)).toBe(false);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        for (const pid of pids) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
        dir.remove();
      }
    },
  );
});
