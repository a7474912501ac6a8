/**
 * A full disk under a running platform (a child process on a small tmpfs, or the fake
 * of `fixtures/diskFaults.ts` where no tmpfs can be mounted — the test prints which).
 * Each fault fails the upload or the job it hits, with a reason naming it; the platform
 * keeps serving, says it is degraded, and recovers once space is back.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploy, nodeModel, predict, serviceLogs, serviceModel, waitForService } from '../serving/helpers.js';
import { type ChildPlatform, startChild } from './childPlatform.js';
import { Api, isRunning, nodeJob, s3Of, tempDir, uploadParts, waitUntil } from './helpers.js';
import { type SmallDisk, smallDisk } from './smallDisk.js';

const MIB = 1024 * 1024;
const DISK_BYTES = 96 * MIB;

let disk: SmallDisk;
let outside: ReturnType<typeof tempDir>;
let platform: ChildPlatform;
let api: Api;
let s3: S3Client;
let bucket: string;
let dataDir: string;

beforeAll(async () => {
  disk = smallDisk(DISK_BYTES);
  console.info(`full-disk tests run on: ${disk.method}`);
  outside = tempDir('mm-disk-outside-');
  dataDir = join(disk.path, 'data');
  platform = await startChild(dataDir, { env: disk.env, tmpDir: join(outside.path, 'tmp') });
  api = new Api(platform.info.baseUrl, platform.info.username, platform.info.password);
  await api.login();
  s3 = s3Of(platform.info);
  bucket = platform.info.s3.bucket;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'keep.txt', Body: 'kept' }));
}, 60_000);

afterAll(async () => {
  s3?.destroy();
  await platform?.kill();
  await disk?.release();
  outside?.remove();
});

async function health(withToken = true): Promise<{ status: string; faults?: Array<Record<string, string>> }> {
  const response = await fetch(`${platform.info.baseUrl}/v1/health`, {
    headers: withToken ? { 'auth-token': api.token } : {},
  });
  return (await response.json()) as { status: string; faults?: Array<Record<string, string>> };
}

/** The platform still answers the API and S3 (and its process lives). */
async function stillServing(): Promise<void> {
  expect(platform.alive()).toBe(true);
  expect((await api.call('GET', '/v1/train')).status).toBe(200);
  const kept = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'keep.txt' }));
  expect(await kept.Body!.transformToString()).toBe('kept');
}

async function exists(key: string): Promise<boolean> {
  return s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
    () => true,
    () => false,
  );
}

describe('a full disk under a running platform', () => {
  it('fails an upload that does not fit with 507 naming the full disk, keeps serving, and reports itself degraded until space is back', async () => {
    disk.fill(2 * MIB);
    try {
      await expect(
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'big/one.bin', Body: Buffer.alloc(8 * MIB, 1) })),
      ).rejects.toMatchObject({
        name: 'InsufficientStorage',
        message: expect.stringContaining(`disk full while receiving ${bucket}/big/one.bin (ENOSPC)`),
        $metadata: { httpStatusCode: 507 },
      });
      await stillServing();
      expect(await exists('big/one.bin')).toBe(false);
      expect(readdirSync(join(dataDir, 'run', 's3', 'spool'))).toEqual([]);
      expect(await health()).toEqual({
        status: 'degraded',
        faults: [
          {
            component: 'storage',
            reason: `disk full while receiving ${bucket}/big/one.bin (ENOSPC)`,
            since: expect.any(String),
          },
        ],
      });
      // Without a token only the status: the reasons name objects and versions.
      expect(await health(false)).toEqual({ status: 'degraded' });
    } finally {
      disk.free();
    }
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'big/one.bin', Body: Buffer.alloc(8 * MIB, 1) }),
    );
    expect(await health()).toEqual({ status: 'ok', faults: [] });
    expect(platform.health.map((h) => h.status)).toEqual(['degraded', 'ok']);
  });

  it('stores an upload that fits once but not twice (the body is never copied a second time)', async () => {
    disk.fill(14 * MIB);
    try {
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'big/two.bin', Body: Buffer.alloc(10 * MIB, 2) }),
      );
      await stillServing();
      expect(await exists('big/two.bin')).toBe(true);
    } finally {
      disk.free();
    }
  });

  it('completes a multipart upload on a disk with less room than the object: its parts become it, nothing is copied', async () => {
    const key = 'big/parts.bin';
    const complete = await uploadParts(s3, bucket, key, 2, 5 * MIB);
    disk.fill(2 * MIB);
    try {
      await s3.send(complete);
      await stillServing();
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'big/' }));
      expect(listed.Contents?.map((c) => [c.Key, c.Size])).toEqual([
        ['big/one.bin', 8 * MIB],
        ['big/parts.bin', 10 * MIB],
        ['big/two.bin', 10 * MIB],
      ]);
      expect(readdirSync(join(dataDir, 's3', bucket, '._S3rver_uploads', '.staging'))).toEqual([]);
    } finally {
      disk.free();
    }
  });

  it('fails a job whose logs cannot be written with a reason naming the full disk, stops it, and keeps serving', async () => {
    const go = join(outside.path, 'go');
    const script = `import('node:fs').then((fs) => {
      console.log('pid=' + process.pid);
      const wait = setInterval(() => {
        if (!fs.existsSync(process.env.GO_FILE)) return;
        clearInterval(wait);
        const line = 'x'.repeat(1000);
        let i = 0;
        const flood = () => { for (let k = 0; k < 500; k++) console.log(i++ + ' ' + line); setImmediate(flood); };
        flood();
      }, 20);
    });`;
    const body = await nodeJob(s3, platform.info, 'flood', script, {
      envs: [{ name: 'GO_FILE', value: go }],
    });
    const { versionId } = (await api.ok('POST', '/v1/train', body)).json;
    const lines = await waitUntil(async () => {
      const all = await api.allLogs(versionId);
      return all.some((l) => l.content.startsWith('pid=')) && all;
    }, 30_000);
    const pid = Number(lines.find((l) => l.content.startsWith('pid='))!.content.slice(4));

    disk.fill(0);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(go, 'go');
    const cause = new RegExp(
      `^(disk full|disk I/O error) while (writing logs|writing resource samples|recording status \\w+) of version ${versionId} \\((SQLITE_FULL|SQLITE_IOERR\\w*)\\)$`,
    );
    try {
      const degraded = await waitUntil(async () => {
        const report = await health();
        return report.faults?.find((f) => f.component === 'database');
      }, 60_000);
      expect(degraded.reason).toMatch(cause);
      // The run was stopped: its process is gone, while the platform goes on.
      await waitUntil(() => !isRunning(pid), 20_000);
      expect(platform.alive()).toBe(true);
      expect((await api.call('GET', `/v1/train/version/${versionId}`)).status).toBe(200);
    } finally {
      disk.free();
    }
    // With space back, the failure is on record (written then, or retried until it could be).
    const version = await api.waitForStatus(versionId, ['TRAINING_FAIL'], 20_000);
    expect(version.json.reason).toMatch(cause);
    await stillServing();
    await waitUntil(async () => (await health()).status === 'ok', 20_000);
    // The lines written before the disk filled are all there, in order.
    const after = await api.allLogs(versionId);
    expect(after.slice(0, lines.length)).toEqual(lines);
    expect(after.map((l) => l.id)).toEqual(after.map((_, i) => i));
  }, 120_000);

  it('fails only the logging of a service whose log cannot be written: it keeps answering, the platform says why, and the log says what was lost', async () => {
    const modelVersion = await nodeModel(api, s3, platform.info, 'logged', 'L');
    const serviceId = await deploy(api, 'logged', [serviceModel(modelVersion)]);
    const { accessAddress } = await waitForService(api, serviceId, ['RUNNING'], 60_000);
    const cause = new RegExp(
      `^(disk full|disk I/O error) while writing logs of service ${serviceId} \\((SQLITE_FULL|SQLITE_IOERR\\w*)\\)$`,
    );
    try {
      disk.fill(0);
      // Five MB of log lines the database cannot hold.
      expect((await predict(accessAddress, { instances: [[1, 2]], logLines: 5000 })).status).toBe(200);
      const fault = await waitUntil(async () => {
        const report = await health();
        return report.faults?.find((f) => f.component === 'service-logs');
      }, 30_000);
      expect(fault.reason).toMatch(cause);
      expect(platform.alive()).toBe(true);
      expect((await predict(accessAddress, { instances: [[3, 4]] })).json.predictions).toEqual([7]);
      expect((await api.ok('GET', `/v1/service/${serviceId}`)).json.status).toBe('RUNNING');
    } finally {
      disk.free();
    }
    expect((await predict(accessAddress, { instances: [[1]], logLines: 1 })).status).toBe(200);
    await waitUntil(async () => (await health()).status === 'ok', 20_000);
    // The last line is the last prediction's (flood lines still in the pipe come before it).
    const lines = await waitUntil(async () => {
      const all = (await serviceLogs(api, serviceId)).map((l: { content: string }) => l.content);
      return /^0 l{1000}$/.test(all.at(-1) ?? '') && all;
    }, 20_000);
    const noteAt = lines.findIndex((l: string) => l.includes('log line(s) were lost: '));
    expect(lines[noteAt]?.split('were lost: ')[1]).toMatch(cause);
    expect(noteAt).toBeLessThan(lines.length - 1);
    await api.ok('POST', `/v1/service/${serviceId}/stop`, {});
    await waitForService(api, serviceId, ['STOPPED'], 20_000);
  }, 120_000);
});
