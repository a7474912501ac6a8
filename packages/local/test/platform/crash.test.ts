import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { RESTARTED_REASON } from '../../src/store/recovery.js';
import { startChild } from './childPlatform.js';
import {
  Api,
  isRunning,
  nodeJob,
  s3Of,
  startTestPlatform,
  tempDir,
  uploadParts,
  waitUntil,
} from './helpers.js';

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
      // A multipart upload: the store writes the whole object when it completes — that write is killed.
      const complete = await uploadParts(s3, bucket, key, 4, 24 * 1024 * 1024);
      const completing = s3.send(complete).catch(() => 'killed');
      // The write is under way: a staged file growing (or, with s3rver's own store, the object file rewritten in place).
      const size = (file: string) => {
        try {
          return statSync(file).size;
        } catch {
          return 0;
        }
      };
      await waitUntil(() => {
        const staged = (() => {
          try {
            return readdirSync(staging).filter((name) => name.endsWith('.object'));
          } catch {
            return [];
          }
        })();
        return (
          staged.some((name) => size(join(staging, name)) > 4 * 1024 * 1024) ||
          size(objectFile) !== old.length
        );
      }, 20_000);
      await platform.kill();
      expect(await completing).toBe('killed');
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
