import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startLocalPlatform } from '../../src/platform.js';
import { deploy, instancesOf, nodeModel, serviceModel, waitForService } from '../serving/helpers.js';
import { isRunning, startTestPlatform, tempDir } from './helpers.js';

/** A TCP server holding a port (a free one when none is given). */
async function occupy(port = 0): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** True when `port` can be bound on the loopback right now. */
async function canBind(port: number): Promise<boolean> {
  try {
    await (await occupy(port)).close();
    return true;
  } catch {
    return false;
  }
}

/** Live processes whose working directory or environment points into `dir` (Linux: from /proc). */
function processesUsing(dir: string): number[] {
  if (process.platform !== 'linux') return [];
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
    .map(Number)
    .filter((pid) => {
      try {
        if (readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)) return isRunning(pid);
        return readFileSync(`/proc/${pid}/environ`, 'utf8').includes(dir) && isRunning(pid);
      } catch {
        return false;
      }
    });
}

describe('a start that fails half-way', () => {
  it('at the API port: closes S3, the gateways and the lock, starts no instance, and leaves the services as they were', async () => {
    const dir = tempDir();
    const blocker = await occupy();
    try {
      const first = await startTestPlatform({ dataDir: dir.path });
      const version = await nodeModel(first.api, first.s3, first.platform, 'kept', 'K');
      const id = await deploy(first.api, 'kept', [serviceModel(version)]);
      const before = await waitForService(first.api, id, ['RUNNING']);
      const gatewayPort = Number(new URL(before.accessAddress).port);
      const oldPids = instancesOf(before).map((i) => i.pid!);
      // The probe sees a platform's instances (so its empty answer below means something).
      expect(processesUsing(dir.path)).toEqual(expect.arrayContaining(oldPids));
      await first.close();
      expect(oldPids.some(isRunning)).toBe(false);

      const probe = await occupy();
      const s3Port = probe.port;
      await probe.close();
      const failed = startLocalPlatform({ dataDir: dir.path, port: blocker.port, s3Port, onError: () => {} });
      await expect(failed).rejects.toMatchObject({ code: 'EADDRINUSE' });

      expect(await canBind(s3Port)).toBe(true);
      expect(await canBind(gatewayPort)).toBe(true);
      expect(processesUsing(dir.path)).toEqual([]);

      // The lock is free and the service untouched: the next start serves it again, on the same address.
      const second = await startTestPlatform({ dataDir: dir.path });
      try {
        const after = await waitForService(second.api, id, ['RUNNING', 'FAILED']);
        expect(after).toMatchObject({ status: 'RUNNING', accessAddress: before.accessAddress });
      } finally {
        await second.close();
      }
    } finally {
      await blocker.close();
      dir.remove();
    }
  });

  it('at the S3 port: releases the lock and the store, so the next start goes through', async () => {
    const dir = tempDir();
    const blocker = await occupy();
    try {
      await expect(
        startLocalPlatform({ dataDir: dir.path, s3Port: blocker.port, onError: () => {} }),
      ).rejects.toMatchObject({ code: 'EADDRINUSE' });
      const platform = await startLocalPlatform({ dataDir: dir.path, onError: () => {} });
      await platform.close();
    } finally {
      await blocker.close();
      dir.remove();
    }
  });
});
