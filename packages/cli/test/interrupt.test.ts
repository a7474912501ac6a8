import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  spawnCli,
  startStepsJob,
  startTestPlatform,
  statusOf,
  type TestPlatform,
  waitForStatus,
  waitUntil,
} from './support.js';

let test: TestPlatform;
let versionId: number;

beforeAll(async () => {
  test = await startTestPlatform();
  // Two quick steps, then a long sleep: the job runs until something stops it.
  versionId = await startStepsJob(test, 'sleeper', { STEPS: 2, EVERY: 10, SLEEP: 120_000 });
});

afterAll(async () => {
  await test?.close();
});

describe('Ctrl-C', () => {
  it('ends `jobs logs -f` with exit status 130, says the job is still running, and leaves it running', async () => {
    const run = await spawnCli(['jobs', 'logs', '-f', String(versionId)], test.env);
    await waitUntil(() => run.output.stdout.includes('sleeping'));
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.output.stdout).toContain('step=2 loss=0.5000');
    expect(run.output.stderr).toContain(`job version ${versionId} is still running`);
    expect(run.output.stderr).toContain(`modelmaker jobs stop ${versionId}`);
    expect(await statusOf(test, versionId)).toBe('TRAINING');
  });

  it('with --stop, stops the job it was watching, and still exits 130', async () => {
    const run = await spawnCli(['jobs', 'watch', String(versionId), '--stop'], test.env);
    await waitUntil(() => run.output.stdout.includes('sleeping'));
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.output.stderr).toContain(`stopping job version ${versionId} (--stop)`);
    expect(await waitForStatus(test, versionId, ['STOPPED'])).toBe('STOPPED');
  });
});
