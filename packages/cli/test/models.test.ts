/**
 * `models create` from a training job: `--from-job <jobId>` takes the job's latest
 * FINISHED version (a newer stopped one is passed over), `--from-version <versionId>`
 * that version. A version still training, a job with no finished version, a version id
 * given as a job id, and both flags at once are refused with exit status 2, one line
 * each, and register nothing. Then `jobs` and `models` `ls` / `info` print every
 * timestamp in one format. (The whole train-to-predict flow runs in flow.test.ts.)
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { getTrainVersion, listModels, listTrain, stopTrain } from 'modelmaker';
import { lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixturePath,
  ndjson,
  runCli,
  startStepsJob,
  startTestPlatform,
  type TestPlatform,
  waitForStatus,
} from './support.js';

let test: TestPlatform;
/** The version of the job `unfinished`, TRAINING until the platform closes. */
let unfinished: { jobId: number; versionId: number };
/** The job `picked`: version `finished` FINISHED, then the newer version `stopped` STOPPED. */
let picked: { jobId: number; finished: number; stopped: number };
/** The serving code of the models: `predict.mjs`. */
let serve: string;

async function jobIdOf(versionId: number): Promise<number> {
  return (await lastValueFrom(getTrainVersion(test.session, versionId))).jobId!;
}

beforeAll(async () => {
  test = await startTestPlatform();
  serve = join(test.dir, 'serve');
  mkdirSync(serve);
  copyFileSync(fixturePath('predict-node.mjs'), join(serve, 'predict.mjs'));
  const [busy, finished] = await Promise.all([
    // One quick step, then a long sleep.
    startStepsJob(test, 'unfinished', { STEPS: 1, EVERY: 10, SLEEP: 120_000 }),
    startStepsJob(test, 'picked', { STEPS: 1, EVERY: 1 }),
  ]);
  await Promise.all([
    waitForStatus(test, busy, ['TRAINING']),
    waitForStatus(test, finished, ['FINISH'], 60_000),
  ]);
  const stopped = await startStepsJob(test, 'picked', { STEPS: 1, EVERY: 1, SLEEP: 120_000 });
  await waitForStatus(test, stopped, ['TRAINING']);
  await lastValueFrom(stopTrain(test.session, stopped));
  await waitForStatus(test, stopped, ['STOPPED']);
  unfinished = { jobId: await jobIdOf(busy), versionId: busy };
  picked = { jobId: await jobIdOf(finished), finished, stopped };
}, 90_000);

afterAll(async () => {
  await test?.close();
});

const SERVING = () => ['--model-version', '1.0.0', '--code-dir', serve, '--boot-file', 'predict.mjs'];
const create = (...args: string[]) => runCli(['models', 'create', ...args, ...SERVING()], test.env);

describe('models create --from-job / --from-version', () => {
  it('refuses what it cannot use with exit status 2 and one line naming the flag, registering nothing', async () => {
    const jobIds = (await lastValueFrom(listTrain(test.session))).trainTasks.map((job) => job.id);
    expect(jobIds).not.toContain(picked.stopped); // a version id that is no job's id
    const [training, noneFinished, versionAsJob, both, noSuchVersion] = await Promise.all([
      create('--from-version', String(unfinished.versionId)),
      create('--from-job', String(unfinished.jobId)),
      create('--from-job', String(picked.stopped)),
      create('--from-job', String(picked.jobId), '--from-version', String(picked.finished)),
      create('--from-version', '999999'),
    ]);
    const outcome = (run: { code: number | null; stdout: string; stderr: string }) => ({
      code: run.code,
      stdout: run.stdout,
      stderr: run.stderr.trimEnd().split('\n'),
    });
    expect(outcome(training)).toEqual({
      code: 2,
      stdout: '',
      stderr: [`error: --from-version: training version ${unfinished.versionId} is TRAINING, not FINISH`],
    });
    expect(outcome(noneFinished)).toEqual({
      code: 2,
      stdout: '',
      stderr: [
        `error: --from-job: training job ${unfinished.jobId} (unfinished) has no FINISHED version (versions ${unfinished.versionId} TRAINING)`,
      ],
    });
    expect(outcome(versionAsJob)).toEqual({
      code: 2,
      stdout: '',
      stderr: [
        `error: --from-job: there is no training job ${picked.stopped}; ${picked.stopped} is a training version: give --from-version ${picked.stopped}`,
      ],
    });
    expect(outcome(both)).toEqual({
      code: 2,
      stdout: '',
      stderr: ['error: give --from-job <jobId> or --from-version <versionId>, not both'],
    });
    expect(outcome(noSuchVersion)).toEqual({
      code: 2,
      stdout: '',
      stderr: ['error: --from-version: there is no training version 999999'],
    });
    expect((await lastValueFrom(listModels(test.session))).models).toEqual([]);
  });

  it('--from-job takes the latest FINISHED version of the job; --from-version the version given', async () => {
    const byJob = await runCli(
      ['--json', 'models', 'create', '--from-job', String(picked.jobId), ...SERVING()],
      test.env,
    );
    expect(byJob.stderr).toBe('');
    expect(byJob.code).toBe(0);
    expect(ndjson(byJob.stdout).at(-1)).toMatchObject({
      type: 'created',
      name: 'picked',
      version: '1.0.0',
      trainingVersionId: picked.finished,
    });

    const byVersion = await create('--from-version', String(picked.finished), '--name', 'picked-again');
    expect(byVersion.code).toBe(0); // (the upload's progress is on stderr)
    expect(byVersion.stdout.trim()).toMatch(
      new RegExp(
        `^registered model picked-again \\(id \\d+\\) version 1\\.0\\.0 from training version ${picked.finished}: model version id \\d+$`,
      ),
    );
  });
});

describe('timestamps', () => {
  it('jobs and models, ls and info, print every time as local YYYY-MM-DD hh:mm:ss, never ISO or epoch', async () => {
    const { models } = await lastValueFrom(listModels(test.session));
    expect(models.length).toBeGreaterThan(0);
    const model = models[0]!;
    const runs = await Promise.all(
      [
        ['jobs', 'ls'],
        ['jobs', 'info', String(picked.jobId)],
        ['jobs', 'info', '--version-id', String(picked.finished)],
        ['models', 'ls'],
        ['models', 'info', String(model.id)],
        ['models', 'info', '--version-id', String(model.latestVersionId)],
      ].map((args) => runCli(args, test.env)),
    );
    const LOCAL_TIME = /\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\b/g;
    for (const run of runs) {
      expect({ stderr: run.stderr, code: run.code }).toEqual({ stderr: '', code: 0 });
      expect(run.stdout).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/); // ISO 8601
      expect(run.stdout).not.toMatch(/\b1\d{9}(\d{3})?\b/); // epoch seconds or ms
      expect(run.stdout.match(LOCAL_TIME)?.length ?? 0).toBeGreaterThan(0);
      // a detail's time fields hold the local format and nothing else
      for (const line of run.stdout.split('\n').filter((l) => /^\s*\w+At:/.test(l))) {
        expect(line).toMatch(/^\s*\w+At: +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      }
    }
  });
});
