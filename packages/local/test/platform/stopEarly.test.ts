import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeJob, startTestPlatform, waitUntil } from './helpers.js';

const SLEEP_SCRIPT = `console.log('sleeping'); setInterval(() => {}, 1000);`;
/** Stops land at different points of the preparation: 0 to this many ms after the create. */
const STOP_SPREAD_MS = 5;
/** Enough rounds to meet the race (a stop while a directory is being made) most runs without the fix. */
const ROUNDS = 20;

describe('a version stopped as soon as it is created', () => {
  it('ends STOPPED, and nothing it started writes into its work dir after: the dir is removed, no error', async () => {
    const errors: unknown[] = [];
    const env = await startTestPlatform({ onError: (error) => errors.push(error) });
    const { api, s3, platform } = env;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const body = await nodeJob(s3, platform, `early-${round}`, SLEEP_SCRIPT);
        const { versionId } = (await api.ok('POST', '/v1/train', body)).json;
        await new Promise((resolve) => setTimeout(resolve, round % STOP_SPREAD_MS));
        await api.ok('POST', `/v1/train/${versionId}/stop`, {});
        expect((await api.waitForStatus(versionId, ['STOPPED'])).json.status).toBe('STOPPED');
        await waitUntil(() => !existsSync(join(platform.dataDir, 'work', String(versionId))));
      }
      expect(errors).toEqual([]);
      const work = join(platform.dataDir, 'work');
      expect(existsSync(work) ? readdirSync(work) : []).toEqual([]);
    } finally {
      await env.close();
    }
  });
});
