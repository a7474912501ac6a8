import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORK_IDS } from '../../src/catalog.js';
import {
  BUCKET,
  collect,
  type Harness,
  lastStatus,
  linesOf,
  outputKeys,
  params,
  prepareRun,
  readObject,
  startHarness,
  statusesOf,
  trainBody,
  unsubscribeAll,
} from './harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterEach(unsubscribeAll);

afterAll(async () => {
  await harness?.close();
});

function envLine(lines: readonly string[]): Record<string, string> {
  const line = lines.find((l) => l.startsWith('ENV '));
  if (!line) throw new Error(`no ENV line in ${JSON.stringify(lines)}`);
  return JSON.parse(line.slice(4));
}

describe('runTraining with BASIC_FRAMEWORK jobs', () => {
  it('runs a Node boot file: DOWNLOAD_DATA, TRAINING, FINISH, every line tagged, the output uploaded', async () => {
    const body = trainBody();
    const { run$ } = await prepareRun(harness, body);
    const events = await collect(run$);

    expect(statusesOf(events)).toEqual(['DOWNLOAD_DATA', 'TRAINING', 'FINISH']);
    expect(lastStatus(events)).toMatchObject({ status: 'FINISH', exitCode: 0 });
    const stdout = linesOf(events, 0, 'stdout').filter((l) => !l.startsWith('[modelmaker] '));
    expect(stdout).toEqual([
      'epoch=1 loss=0.5000 rows=150',
      'epoch=2 loss=0.3333 rows=150',
      'partial last line without newline',
    ]);
    expect(linesOf(events, 0, 'stderr')).toEqual(['a warning on stderr']);
    expect(linesOf(events).some((l) => l.startsWith('[modelmaker] dataUrl: 1 file(s)'))).toBe(true);
    expect(await outputKeys(harness.client, body.output)).toEqual(['rank-0.json']);
    expect(JSON.parse(await readObject(harness.client, `${body.output}rank-0.json`))).toEqual({
      rank: 0,
      rows: 150,
      framework: 'node',
    });
  });

  it('runs a Python (stdlib) boot file with the python3 framework, in the code directory', async () => {
    const body = trainBody({
      frameworkId: FRAMEWORK_IDS.trainPython,
      codeUrl: `s3://${BUCKET}/code/python`,
      startup: 'train.py',
      dataUrl: `s3://${BUCKET}/data/`,
      parameters: params({ EPOCHS: 3, optimizer: 'sgd' }),
    });
    const { run$, workDir } = await prepareRun(harness, body);
    const events = await collect(run$);

    expect(lastStatus(events)).toMatchObject({ status: 'FINISH' });
    expect(linesOf(events, 0, 'stdout').filter((l) => l.startsWith('epoch='))).toHaveLength(3);
    expect(linesOf(events, 0, 'stderr')).toEqual(['python says hello on stderr']);
    const result = JSON.parse(await readObject(harness.client, `${body.output}rank-0.json`));
    expect(result).toEqual({
      rank: 0,
      rows: 150,
      framework: 'python3',
      hyperparameters: { EPOCHS: 3, optimizer: 'sgd' },
      count: '1',
      code_dir: join(workDir, 'code'),
      cwd: join(workDir, 'code'),
    });
  });

  it("shows the training process the contract's environment; the platform's variables win over envs", async () => {
    const body = trainBody({
      parameters: params({ MODE: 'env', 'learning-rate': 0.1 }),
      envs: [
        { name: 'USER_FLAG', value: 'on' },
        { name: 'MODELMAKER_OUTPUT_DIR', value: '/elsewhere' },
      ],
    });
    const { run$, workDir } = await prepareRun(harness, body);
    const events = await collect(run$);

    expect(lastStatus(events).status).toBe('FINISH');
    const env = envLine(linesOf(events, 0));
    expect(env).toEqual({
      MODELMAKER_DATA_DIR: join(workDir, 'data'),
      MODELMAKER_OUTPUT_DIR: join(workDir, 'output'),
      MODELMAKER_CODE_DIR: join(workDir, 'code'),
      MODELMAKER_HYPERPARAMETERS: JSON.stringify({ MODE: 'env', 'learning-rate': 0.1 }),
      MODELMAKER_INSTANCE_RANK: '0',
      MODELMAKER_INSTANCE_COUNT: '1',
      MM_HP_MODE: 'env',
      MM_HP_LEARNING_RATE: '0.1',
      USER_FLAG: 'on',
    });
  });

  it('starts one process per instance, ranks 0 and 1, each tagged in the log, both outputs uploaded', async () => {
    const body = trainBody({ instance: 2, parameters: params({ MODE: 'env' }) });
    const { run$ } = await prepareRun(harness, body);
    const events = await collect(run$);

    expect(lastStatus(events).status).toBe('FINISH');
    for (const rank of [0, 1]) {
      const env = envLine(linesOf(events, rank));
      expect(env.MODELMAKER_INSTANCE_RANK).toBe(String(rank));
      expect(env.MODELMAKER_INSTANCE_COUNT).toBe('2');
      expect(linesOf(events, rank, 'stderr')).toEqual(['a warning on stderr']);
    }
    expect(await outputKeys(harness.client, body.output)).toEqual(['rank-0.json', 'rank-1.json']);
  });

  it('reports TRAINING_FAIL with the exit code and a reason naming the instance, and uploads nothing', async () => {
    const body = trainBody({ instance: 2, parameters: params({ EXIT: 3 }) });
    const { run$ } = await prepareRun(harness, body);
    const events = await collect(run$);

    expect(statusesOf(events)).toEqual(['DOWNLOAD_DATA', 'TRAINING', 'TRAINING_FAIL']);
    expect(lastStatus(events)).toMatchObject({
      exitCode: 3,
      reason: expect.stringMatching(/^instance [01] exited with code 3$/),
    });
    expect(linesOf(events, undefined, 'stderr')).toContain('failing on purpose with 3');
    expect(await outputKeys(harness.client, body.output)).toEqual([]);
  });

  it('reports STARTING_FAIL with the reason when the data cannot be downloaded', async () => {
    const { run$ } = await prepareRun(harness, trainBody({ dataUrl: `s3://${BUCKET}/no/such/data/` }));
    const events = await collect(run$);

    expect(statusesOf(events)).toEqual(['DOWNLOAD_DATA', 'STARTING_FAIL']);
    expect(lastStatus(events).reason).toMatch(/nothing found at s3:\/\/modelmaker\/no\/such\/data\//);
  });

  it('reports STARTING_FAIL for an unknown framework or a boot file the code does not have', async () => {
    const unknown = await collect(
      (await prepareRun(harness, trainBody({ frameworkId: FRAMEWORK_IDS.predictPython }))).run$,
    );
    // each reason leads with the body's field, the form an SDK names its own parameter by
    expect(lastStatus(unknown)).toMatchObject({
      status: 'STARTING_FAIL',
      reason: `frameworkId: ${FRAMEWORK_IDS.predictPython} is not a TRAIN framework of this platform`,
    });
    const outside = await collect((await prepareRun(harness, trainBody({ startup: '../outside.mjs' }))).run$);
    expect(lastStatus(outside)).toMatchObject({
      status: 'STARTING_FAIL',
      reason: 'startup: the boot file must be a path inside the code, got "../outside.mjs"',
    });
    const missing = await collect((await prepareRun(harness, trainBody({ startup: 'nope.mjs' }))).run$);
    expect(lastStatus(missing)).toMatchObject({
      status: 'STARTING_FAIL',
      reason: 'startup: the boot file "nope.mjs" is not a file in the code',
    });
  });
});
