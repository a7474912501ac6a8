import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listResources } from 'modelmaker';
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { openSession } from '../../src/connect.js';
import { startLocalPlatform } from '../../src/platform.js';
import { PlatformUnreachable } from '../../src/unreachable.js';

const scratch: string[] = [];
afterEach(async () => {
  await Promise.all(scratch.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('openSession', () => {
  it('starts an embedded platform when nothing is configured, and removes its temporary data dir on close', async () => {
    const home = await mkdtemp(join(tmpdir(), 'mm-open-'));
    scratch.push(home);
    const missingConfig = join(home, 'absent.json');
    // An explicit missing config would be an error; "nothing configured" is the default path missing.
    const listeners = process.listenerCount('SIGINT');
    const opened = await openSession({ useLocal: 'always', configPath: missingConfig, level: 40 });
    // until close, the process's end (SIGINT included) removes the dir
    expect(process.listenerCount('SIGINT')).toBe(listeners + 1);
    expect(opened.platform?.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { resources } = await firstValueFrom(listResources(opened.session, 'TRAIN'));
    expect(resources.length).toBeGreaterThan(0);
    const dataDir = opened.platform!.dataDir;
    await opened.close();
    await expect(readdir(dataDir)).rejects.toThrow();
    expect(process.listenerCount('SIGINT')).toBe(listeners);
    await opened.close();
  });

  it('uses the configured platform and starts nothing when a config file names one that answers', async () => {
    const home = await mkdtemp(join(tmpdir(), 'mm-open-'));
    scratch.push(home);
    const running = await startLocalPlatform({ dataDir: join(home, 'data'), port: 0, onError: () => {} });
    try {
      const config = join(home, 'config.json');
      await writeFile(config, JSON.stringify(running.configProfile()), { mode: 0o600 });
      const opened = await openSession({ configPath: config, level: 40 });
      expect(opened.platform).toBeUndefined();
      expect((await opened.session.resolved()).baseUrl).toBe(running.baseUrl);
      const { resources } = await firstValueFrom(listResources(opened.session, 'TRAIN'));
      expect(resources.length).toBeGreaterThan(0);
      await opened.close();
    } finally {
      await running.close();
    }
  });

  describe('a configured platform that does not answer', () => {
    /** A port nothing listens on: bound, then closed. */
    async function closedPort(): Promise<number> {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return port;
    }

    async function staleConfig(): Promise<{ config: string; baseUrl: string }> {
      const home = await mkdtemp(join(tmpdir(), 'mm-open-'));
      scratch.push(home);
      const config = join(home, 'config.json');
      const baseUrl = `http://127.0.0.1:${await closedPort()}`;
      const profile = { iam_config: { base_url: baseUrl, host_base: baseUrl, username: 'u', password: 'p' } };
      await writeFile(config, JSON.stringify(profile), { mode: 0o600 });
      return { config, baseUrl };
    }

    it('is one error naming the config file and the two ways out', async () => {
      const { config, baseUrl } = await staleConfig();
      const error = await openSession({ configPath: config }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PlatformUnreachable);
      expect(error).toMatchObject({ _tag: 'PlatformUnreachable', configPath: config, baseUrl });
      expect((error as Error).message).toBe(
        `the ModelMaker platform configured in ${config} does not answer at ${baseUrl} (connection refused). ` +
          'Start it (npx modelmaker local, if that command wrote the file), or remove that file ' +
          '(or set MODELMAKER_CONFIG to another config file) so that openSession() starts an embedded local platform.',
      );
    });

    it('names $MODELMAKER_CONFIG when that is what named the file', async () => {
      const { config, baseUrl } = await staleConfig();
      const before = process.env.MODELMAKER_CONFIG;
      process.env.MODELMAKER_CONFIG = config;
      try {
        const error = await openSession().catch((e: unknown) => e);
        expect((error as Error).message).toBe(
          `the ModelMaker platform configured in ${config} does not answer at ${baseUrl} (connection refused). ` +
            'Start it (npx modelmaker local, if that command wrote the file), or unset MODELMAKER_CONFIG ' +
            '(it names that file) so that openSession() starts an embedded local platform.',
        );
      } finally {
        if (before === undefined) delete process.env.MODELMAKER_CONFIG;
        else process.env.MODELMAKER_CONFIG = before;
      }
    });

    it('is not checked with checkConfigured: false (no request at open)', async () => {
      const { config, baseUrl } = await staleConfig();
      const opened = await openSession({ configPath: config, checkConfigured: false });
      expect((await opened.session.resolved()).baseUrl).toBe(baseUrl);
    });
  });
});
