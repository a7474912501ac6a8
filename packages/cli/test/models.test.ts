/**
 * `models create --from-job` refuses a training version that has not finished: exit
 * status 2, one line naming the version and its status, and no model registered.
 * (The finished case runs in flow.test.ts.)
 */
import { listModels } from 'modelmaker';
import { lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startStepsJob, startTestPlatform, type TestPlatform, waitForStatus } from './support.js';

let test: TestPlatform;
let versionId: number;

beforeAll(async () => {
  test = await startTestPlatform();
  // One quick step, then a long sleep: the job is TRAINING until the platform closes.
  versionId = await startStepsJob(test, 'unfinished', { STEPS: 1, EVERY: 10, SLEEP: 120_000 });
  await waitForStatus(test, versionId, ['TRAINING']);
});

afterAll(async () => {
  await test?.close();
});

describe('models create --from-job', () => {
  it('refuses a version still training with exit status 2, naming it and its status, and registers nothing', async () => {
    const run = await runCli(
      ['models', 'create', '--from-job', String(versionId), '--model-version', '1.0.0'],
      test.env,
    );
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      `error: --from-job: training version ${versionId} is TRAINING, not FINISH`,
    ]);
    expect((await lastValueFrom(listModels(test.session))).models).toEqual([]);
  });
});
