import { describe, expect, it } from 'vitest';
import { SHUTDOWN_REASON } from '../../src/platform.js';
import { DataDirBusyError } from '../../src/store/dataDirLock.js';
import { Api, isRunning, nodeJob, startTestPlatform, tempDir, waitUntil } from './helpers.js';

describe('persistence', () => {
  it('keeps users, S3 keys, jobs, versions, logs, metrics and objects across a restart on the same data dir', async () => {
    const dir = tempDir();
    try {
      const first = await startTestPlatform({ dataDir: dir.path });
      const body = await nodeJob(first.s3, first.platform, 'kept', `console.log('acc=0.9');`, {
        monitors: [{ name: 'acc', regular: 'acc=([0-9.]+)' }],
      });
      const { id: jobId, versionId } = (await first.api.ok('POST', '/v1/train', body)).json;
      const before = (await first.api.waitForStatus(versionId, ['FINISH'])).json;
      const logs = await first.api.allLogs(versionId);
      const metrics = (await first.api.ok('GET', `/v1/train/version/${versionId}/performance-monitor`)).json;
      const oldToken = first.api.token;
      const { username, password, s3 } = first.platform;
      await first.close();

      const second = await startTestPlatform({ dataDir: dir.path });
      try {
        expect(second.platform).toMatchObject({ username, password });
        expect(second.platform.s3.accessKeyId).toBe(s3.accessKeyId);
        const stale = new Api(second.platform.baseUrl, username, password);
        stale.token = oldToken;
        expect((await stale.call('GET', '/v1/train')).json.errorCode).toBe(1002);

        const { api } = second;
        expect((await api.ok('GET', `/v1/train/version/${versionId}`)).json).toEqual(before);
        expect(await api.allLogs(versionId)).toEqual(logs);
        expect((await api.ok('GET', `/v1/train/version/${versionId}/performance-monitor`)).json).toEqual(
          metrics,
        );
        expect((await api.ok('GET', `/v1/train/version/${versionId}/output`)).json.files).toEqual([]);
        expect((await api.ok('GET', `/v1/train/${jobId}`)).json.name).toBe('kept');
        const next = (await api.ok('POST', `/v1/train/${jobId}/version`, body)).json;
        expect(next.versionId).toBeGreaterThan(versionId);
        await api.waitForStatus(next.versionId, ['FINISH']);
        expect(await api.allLogs(next.versionId)).toHaveLength(logs.length);
      } finally {
        await second.close();
      }
    } finally {
      dir.remove();
    }
  });

  it('refuses a second platform on a data dir in use', async () => {
    const env = await startTestPlatform();
    try {
      await expect(startTestPlatform({ dataDir: env.platform.dataDir })).rejects.toThrow(DataDirBusyError);
    } finally {
      await env.close();
    }
  });

  it('on close, stops running versions (STOPPED, with a reason) and leaves no training process behind; queued ones run after the next start', async () => {
    const dir = tempDir();
    try {
      // Every version asks for more than this: each runs alone, the next waits in the queue.
      const first = await startTestPlatform({ dataDir: dir.path, capacity: { cpu: 0.001, memory: 1 } });
      const script = `console.log('pid=' + process.pid); setInterval(() => {}, 1000);`;
      const body = await nodeJob(first.s3, first.platform, 'closing', script);
      const queued = await nodeJob(
        first.s3,
        first.platform,
        'queued',
        `console.log('ran after the restart');`,
      );
      const { versionId } = (await first.api.ok('POST', '/v1/train', body)).json;
      const waiting = (await first.api.ok('POST', '/v1/train', queued)).json.versionId;
      await first.api.waitForStatus(versionId, ['TRAINING']);
      expect((await first.api.ok('GET', `/v1/train/version/${waiting}`)).json.status).toBe('STARTING');
      const pid = await waitUntil(async () => {
        const line = (await first.api.allLogs(versionId)).find((l) => l.content.startsWith('pid='));
        return line && Number(line.content.slice(4));
      });
      expect(isRunning(pid)).toBe(true);
      await first.close();
      expect(isRunning(pid)).toBe(false);

      const second = await startTestPlatform({ dataDir: dir.path });
      try {
        expect((await second.api.ok('GET', `/v1/train/version/${versionId}`)).json).toMatchObject({
          status: 'STOPPED',
          reason: SHUTDOWN_REASON,
        });
        expect(
          (await second.api.waitForStatus(waiting, ['FINISH', 'STOPPED', 'TRAINING_FAIL'])).json.status,
        ).toBe('FINISH');
        expect((await second.api.allLogs(waiting)).map((l) => l.content)).toContain('ran after the restart');
      } finally {
        await second.close();
      }
    } finally {
      dir.remove();
    }
  });
});
