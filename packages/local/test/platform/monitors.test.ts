/**
 * A user's monitor pattern that backtracks catastrophically, in a real job on a real
 * platform: it is disabled with a note in the job's log, the job's other monitors and
 * the platform go on. (Without the time budget the platform would stall for hours on
 * the one line below: the time doubles per `a`.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeJob, startTestPlatform } from './helpers.js';

const SCRIPT = `
console.log('loss=0.5');
console.log('${'a'.repeat(40)}!');
console.log('loss=0.25');
console.log('${'a'.repeat(60)}!');
console.log('loss=0.125');
`;

let env: Awaited<ReturnType<typeof startTestPlatform>>;

beforeAll(async () => {
  env = await startTestPlatform();
});

afterAll(async () => {
  await env?.close();
});

describe('a monitor that backtracks catastrophically', () => {
  it('is disabled with a note in the log, while the other monitor and the platform go on', async () => {
    const { api, s3, platform } = env;
    const body = await nodeJob(s3, platform, 'evil-monitor', SCRIPT, {
      monitors: [
        { name: 'evil', regular: '^(a+)+$' },
        { name: 'loss', regular: 'loss=([0-9.]+)' },
      ],
    });
    const { versionId } = (await api.ok('POST', '/v1/train', body)).json;
    await api.waitForStatus(versionId, ['FINISH']);
    const contents = (await api.allLogs(versionId)).map((l) => l.content);
    expect(contents.filter((c) => c.includes('monitor "evil" disabled'))).toEqual([
      expect.stringMatching(
        /^\[modelmaker\] monitor "evil" disabled: its pattern ran over \d+ ms on one log line/,
      ),
    ]);
    expect(contents).toContain(`${'a'.repeat(60)}!`);
    const performance = await api.ok('GET', `/v1/train/version/${versionId}/performance-monitor`);
    expect(performance.json.metrics).toEqual([
      {
        name: 'loss',
        points: [0.5, 0.25, 0.125].map((value) => ({ time: expect.any(String), value })),
      },
    ]);
    expect((await api.call('GET', '/v1/train')).status).toBe(200);
  });
});
