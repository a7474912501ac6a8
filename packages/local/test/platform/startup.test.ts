import { describe, expect, it } from 'vitest';
import { startLocalPlatform } from '../../src/platform.js';
import { tempDir } from './helpers.js';

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
});
