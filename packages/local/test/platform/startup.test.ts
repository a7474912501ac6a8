import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { startLocalPlatform } from '../../src/platform.js';
import { s3Of, tempDir } from './helpers.js';

describe('start-up', () => {
  it('is ready in under a second, on a fresh data dir and on an existing one', async () => {
    const dir = tempDir();
    try {
      let started = performance.now();
      const fresh = await startLocalPlatform({ dataDir: dir.path });
      const freshMs = performance.now() - started;
      expect((await fetch(`${fresh.baseUrl}/v1/train`)).status).toBe(401);
      await fresh.close();
      started = performance.now();
      const again = await startLocalPlatform({ dataDir: dir.path });
      const againMs = performance.now() - started;
      await again.close();
      console.info(`start-up: fresh data dir ${Math.round(freshMs)} ms, existing ${Math.round(againMs)} ms`);
      expect(freshMs).toBeLessThan(1000);
      expect(againMs).toBeLessThan(1000);
    } finally {
      dir.remove();
    }
  });

  it('binds and advertises the literal 127.0.0.1 by default', async () => {
    const dir = tempDir();
    try {
      const platform = await startLocalPlatform({ dataDir: dir.path });
      expect(platform.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(platform.s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(platform.configProfile().iam_config).toMatchObject({
        base_url: platform.baseUrl,
        host_base: platform.baseUrl,
        username: platform.username,
        password: platform.password,
        bucket: 'modelmaker',
        s3_protocol: 'http',
      });
      // No S3 keys: both SDKs take them from auth-access.
      expect(JSON.stringify(platform.configProfile())).not.toContain(platform.s3.secretAccessKey);
      await platform.close();
      await platform.close();
    } finally {
      dir.remove();
    }
  });

  it('closes an existing data dir made readable by others (0755 dirs, 0644 objects) to its owner', async () => {
    const dir = tempDir();
    try {
      // What an older build left: everything open to other local users.
      const object = join(dir.path, 's3', 'modelmaker', 'old', 'data.csv._S3rver_object');
      mkdirSync(join(dir.path, 's3', 'modelmaker', 'old'), { recursive: true });
      writeFileSync(object, 'a,b\n');
      for (const path of [dir.path, join(dir.path, 's3'), join(dir.path, 's3', 'modelmaker')])
        chmodSync(path, 0o755);
      chmodSync(object, 0o644);

      const platform = await startLocalPlatform({ dataDir: dir.path });
      try {
        const mode = (path: string) => statSync(path).mode & 0o777;
        expect(mode(dir.path)).toBe(0o700);
        expect(mode(join(dir.path, 's3'))).toBe(0o700);
        expect(mode(join(dir.path, 's3', 'modelmaker'))).toBe(0o700);
        const s3 = s3Of(platform);
        await s3.send(new PutObjectCommand({ Bucket: 'modelmaker', Key: 'new/file.txt', Body: 'new' }));
        s3.destroy();
        expect(mode(join(dir.path, 's3', 'modelmaker', 'new'))).toBe(0o700);
        expect(mode(join(dir.path, 's3', 'modelmaker', 'new', 'file.txt._S3rver_object'))).toBe(0o600);
      } finally {
        await platform.close();
      }
    } finally {
      dir.remove();
    }
  });
});
