import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listResources } from 'modelmaker';
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { openSession } from '../../src/connect.js';

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
    const opened = await openSession({ useLocal: 'always', configPath: missingConfig, level: 40 });
    expect(opened.platform?.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { resources } = await firstValueFrom(listResources(opened.session, 'TRAIN'));
    expect(resources.length).toBeGreaterThan(0);
    const dataDir = opened.platform!.dataDir;
    await opened.close();
    await expect(readdir(dataDir)).rejects.toThrow();
    await opened.close();
  });

  it('uses the configured platform and starts nothing when a config file exists', async () => {
    const home = await mkdtemp(join(tmpdir(), 'mm-open-'));
    scratch.push(home);
    const config = join(home, 'config.json');
    await writeFile(
      config,
      JSON.stringify({ iam_config: { base_url: 'http://127.0.0.1:9', username: 'u', password: 'p' } }),
      { mode: 0o600 },
    );
    const opened = await openSession({ configPath: config });
    expect(opened.platform).toBeUndefined();
    expect((await opened.session.resolved()).baseUrl).toBe('http://127.0.0.1:9');
    await opened.close();
  });
});
