import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { RESTARTED_REASON } from '../../src/store/recovery.js';
import { startChild } from './childPlatform.js';
import { Api, isRunning, nodeJob, s3Of, startTestPlatform, tempDir, waitUntil } from './helpers.js';

describe('crash recovery', () => {
  it('after a SIGKILL mid-job: state intact, the version failed with a reason, its logs readable, no training process left', async () => {
    const dir = tempDir();
    const platform = await startChild(dir.path);
    const { info } = platform;
    let trainingPid: number | undefined;
    try {
      const api = new Api(info.baseUrl, info.username, info.password);
      await api.login();
      const s3 = s3Of(info);
      // Prints a few lines, then stays silent: it never hits the broken pipe, so only recovery can end it.
      const script = `console.log('pid=' + process.pid); for (let i = 0; i < 5; i++) console.log('line ' + i); setInterval(() => {}, 1000);`;
      const body = await nodeJob(s3, info, 'doomed', script);
      s3.destroy();
      const { id: jobId, versionId } = (await api.ok('POST', '/v1/train', body)).json;
      const logs = await waitUntil(async () => {
        const all = await api.allLogs(versionId);
        return all.some((l) => l.content === 'line 4') && all;
      });
      trainingPid = Number(logs.find((l) => l.content.startsWith('pid='))!.content.slice(4));
      expect(isRunning(trainingPid)).toBe(true);

      await platform.kill();
      // Still alive: what ends it below is the restart's recovery, not the crash.
      expect(isRunning(trainingPid)).toBe(true);

      const restarted = await startTestPlatform({ dataDir: dir.path });
      try {
        const { api: again } = restarted;
        const version = (await again.ok('GET', `/v1/train/version/${versionId}`)).json;
        expect(version).toMatchObject({ status: 'TRAINING_FAIL', reason: RESTARTED_REASON, jobId });
        expect(version.finishedAt).toEqual(expect.any(String));
        const after = await again.allLogs(versionId);
        expect(after.slice(0, logs.length)).toEqual(logs);
        expect((await again.ok('GET', '/v1/train')).json.trainTasks).toEqual([
          expect.objectContaining({ id: jobId, name: 'doomed', status: 'TRAINING_FAIL' }),
        ]);
        await waitUntil(() => !isRunning(trainingPid!), 2000);
      } finally {
        await restarted.close();
      }
    } finally {
      await platform.kill();
      if (trainingPid !== undefined && isRunning(trainingPid)) process.kill(trainingPid, 'SIGKILL');
      dir.remove();
    }
  });

  it('after a SIGKILL with a job queued behind a running one: the queued job runs after the restart; the running one failed with the reason', async () => {
    const dir = tempDir();
    // Every version asks for more than this: each runs alone, the next waits in the queue.
    const platform = await startChild(dir.path, { platform: { capacity: { cpu: 0.001, memory: 1 } } });
    const { info } = platform;
    let trainingPid: number | undefined;
    try {
      const api = new Api(info.baseUrl, info.username, info.password);
      await api.login();
      const s3 = s3Of(info);
      const running = await nodeJob(
        s3,
        info,
        'running',
        `console.log('pid=' + process.pid); setInterval(() => {}, 1000);`,
      );
      const waiting = await nodeJob(s3, info, 'waiting', `console.log('the queued job ran');`);
      s3.destroy();
      const first = (await api.ok('POST', '/v1/train', running)).json.versionId as number;
      const second = (await api.ok('POST', '/v1/train', waiting)).json.versionId as number;
      trainingPid = await waitUntil(async () => {
        const line = (await api.allLogs(first)).find((l) => l.content.startsWith('pid='));
        return line && Number(line.content.slice(4));
      });
      expect((await api.ok('GET', `/v1/train/version/${second}`)).json).toMatchObject({ status: 'STARTING' });

      await platform.kill();
      const killedAt = Date.now();

      const restarted = await startTestPlatform({ dataDir: dir.path });
      try {
        const { api: again } = restarted;
        expect((await again.ok('GET', `/v1/train/version/${first}`)).json).toMatchObject({
          status: 'TRAINING_FAIL',
          reason: RESTARTED_REASON,
        });
        const done = (
          await again.waitForStatus(second, ['FINISH', 'TRAINING_FAIL', 'STARTING_FAIL', 'STOPPED'], 60_000)
        ).json;
        expect(done).toMatchObject({ status: 'FINISH' });
        expect(done.reason).toBeUndefined();
        expect(Date.parse(done.startedAt)).toBeGreaterThanOrEqual(killedAt);
        expect((await again.allLogs(second)).map((l) => l.content)).toContain('the queued job ran');
        await waitUntil(() => !isRunning(trainingPid!), 2000);
      } finally {
        await restarted.close();
      }
    } finally {
      await platform.kill();
      if (trainingPid !== undefined && isRunning(trainingPid)) process.kill(trainingPid, 'SIGKILL');
      dir.remove();
    }
  }, 60_000);

  it('after a SIGKILL while the store writes an object over an old one: the old object whole, with its own ETag, and no trace of the new one', async () => {
    const dir = tempDir();
    const platform = await startChild(dir.path);
    const bucket = platform.info.s3.bucket;
    const key = 'big/object.bin';
    const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');
    const old = Buffer.alloc(1024 * 1024, 7);
    const bucketDir = join(dir.path, 's3', bucket);
    const staging = join(bucketDir, '._S3rver_uploads', '.staging');
    const objectFile = join(bucketDir, 'big', 'object.bin._S3rver_object');
    try {
      const s3 = s3Of(platform.info);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: old }));
      // A big PutObject over it, killed while the store receives it. (A multipart completion
      // is no long write any more: its parts become the object; `piecedObjects.test.ts`
      // kills the store during completions.)
      const writing = s3
        .send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.alloc(96 * 1024 * 1024, 9) }))
        .catch(() => 'killed');
      const spool = join(dir.path, 'run', 's3', 'spool');
      // The write is under way: a spooled or staged file growing (or, with s3rver's own store, the object file rewritten in place).
      const size = (file: string) => {
        try {
          return statSync(file).size;
        } catch {
          return 0;
        }
      };
      await waitUntil(() => {
        const files = (directory: string) => {
          try {
            return readdirSync(directory).map((name) => join(directory, name));
          } catch {
            return [];
          }
        };
        return (
          [...files(spool), ...files(staging)].some((file) => size(file) > 4 * 1024 * 1024) ||
          size(objectFile) !== old.length
        );
      }, 20_000);
      await platform.kill();
      expect(await writing).toBe('killed');
      s3.destroy();

      const restarted = await startTestPlatform({ dataDir: dir.path });
      try {
        const answer = await restarted.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const bytes = Buffer.from(await answer.Body!.transformToByteArray());
        expect(bytes.length).toBe(old.length);
        expect(bytes.equals(old)).toBe(true);
        expect(answer.ETag).toBe(JSON.stringify(md5(old)));
        const listed = await restarted.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'big/' }));
        expect(listed.Contents?.map((c) => [c.Key, c.Size, c.ETag])).toEqual([
          [key, old.length, JSON.stringify(md5(old))],
        ]);
        expect(readdirSync(join(dir.path, 'run', 's3', 'spool'))).toEqual([]);
        expect(() => statSync(staging)).toThrow();
      } finally {
        await restarted.close();
      }
    } finally {
      await platform.kill();
      dir.remove();
    }
  }, 60_000);
});
