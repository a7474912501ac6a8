/**
 * `Estimator.attach` and `estimator.createModel` on a fake platform (msw) through a
 * real Session: an attached estimator reads its version from the server and refuses
 * one that has not finished (nothing registered), takes the model's defaults from the
 * server's detail, and says which fields a detail without them lacks. The same against
 * the real local platform: test/api/seedMapping.test.ts ("Estimator.attach").
 */
import { setupServer } from 'msw/node';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Estimator, type FitArgs } from '../../src/api/estimator.js';
import type { Session } from '../../src/client/session.js';
import { endpoints } from '../../src/codecs/endpoints.js';
import type { TrainCreate } from '../../src/codecs/training.js';
import type { ValidationError } from '../../src/errors.js';
import { FAST, FakePlatform, pipelineSession, steps } from '../streams/pipelinePlatform.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function platform(): { fake: FakePlatform; session: Session } {
  const fake = new FakePlatform();
  server.resetHandlers(...fake.handlers());
  return { fake, session: pipelineSession() };
}

/** A version made elsewhere (another process): created through the API, not by an estimator. */
async function versionMadeElsewhere(session: Session, body: TrainCreate): Promise<number> {
  return (await firstValueFrom(session.call(endpoints.createTrain, { body }))).versionId;
}

const PRESET: TrainCreate = {
  name: 'iris',
  type: 'PRESET_ALGORITHM',
  algorithmId: 500001, // logistic-regression: preset model 600007
  dataUrl: 's3://test-bucket/iris.csv',
  output: 's3://test-bucket/out/',
};
const modelCreates = (fake: FakePlatform) => fake.count('POST', /^\/v1\/model/);

describe('Estimator.attach → createModel', () => {
  it('refuses a version that has not finished, naming it and its status, and registers nothing', async () => {
    const { fake, session } = platform();
    fake.plan = () => steps({ status: 'TRAINING' });
    const versionId = await versionMadeElsewhere(session, PRESET);
    const attached = Estimator.attach(session, versionId);
    const error = await firstValueFrom(attached.createModel({ modelVersion: '1.0.0' })).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ _tag: 'TrainingNotFinished', versionId, status: 'TRAINING' });
    expect(String(error)).toContain(`training version ${versionId} is TRAINING, not FINISH`);
    expect(modelCreates(fake)).toBe(0);
    expect(attached.model).toBeUndefined();
  });

  it("takes the model's defaults from the server's detail of a finished version (no parameters needed)", async () => {
    const { fake, session } = platform();
    fake.plan = () => steps({ status: 'FINISH' });
    const versionId = await versionMadeElsewhere(session, PRESET);
    const attached = Estimator.attach(session, versionId);
    const model = await firstValueFrom(attached.createModel({ modelVersion: '1.0.0' }));
    expect(fake.modelBodies).toEqual([
      {
        name: 'iris',
        type: 'PRESET_MODEL',
        version: '1.0.0',
        presetModelId: 600007,
        modelPath: 's3://test-bucket/out/',
      },
    ]);
    expect(attached.model).toEqual(model);
    expect(fake.count('GET', /^\/v1\/train\/version\/\d+$/)).toBe(1);
  });

  it('a finished version whose detail does not say its name and output: a DecodeError naming them, nothing registered', async () => {
    const { fake, session } = platform();
    fake.plan = () => steps({ status: 'FINISH' });
    fake.versionEcho = false;
    const versionId = await versionMadeElsewhere(session, PRESET);
    const error = await firstValueFrom(
      Estimator.attach(session, versionId).createModel({ modelVersion: '1.0.0' }),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ _tag: 'DecodeError' });
    expect(String(error)).toContain(`name: expected the job name of training version ${versionId}`);
    expect(String(error)).toContain(`output: expected the output path of training version ${versionId}`);
    expect(modelCreates(fake)).toBe(0);
  });
});

describe('estimator.createModel after fit', () => {
  it('uses the job fit followed to FINISH, and after a new fit the new version, read from the server', async () => {
    const { fake, session } = platform();
    const estimator = new Estimator(session, {
      frameworkType: 'PRESET_ALGORITHM',
      algorithm: 500001,
      outputPath: 's3://test-bucket/out/',
      trainInstanceType: 1,
      trainInstanceCount: 1,
      volumeSize: 1,
    });
    await lastValueFrom(estimator.fit({ inputs: 's3://test-bucket/iris.csv', jobName: 'iris', ...FAST }));
    const reads = fake.count('GET', /^\/v1\/train\/version\/\d+$/);
    await firstValueFrom(estimator.createModel({ modelVersion: '1.0.0' }));
    expect(fake.count('GET', /^\/v1\/train\/version\/\d+$/)).toBe(reads); // the followed job's detail is known
    expect(fake.modelBodies.at(-1)).toMatchObject({ name: 'iris', presetModelId: 600007 });

    // A second version, not followed: the first one's job is no longer what a model is made from.
    fake.plan = () => steps({ status: 'TRAINING' });
    await lastValueFrom(estimator.fit({ inputs: 's3://test-bucket/iris.csv', jobName: 'iris', wait: false }));
    const error = await firstValueFrom(estimator.createModel({ modelVersion: '1.0.1' })).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      _tag: 'TrainingNotFinished',
      versionId: estimator.versionId,
      status: 'TRAINING',
    });
    expect(fake.modelBodies).toHaveLength(1);
  });
});

describe('fit arguments as a Python SDK user writes them', () => {
  const params = {
    frameworkType: 'PRESET_ALGORITHM',
    algorithm: 500001,
    outputPath: 's3://test-bucket/out/',
    trainInstanceType: 1,
    trainInstanceCount: 1,
    volumeSize: 1,
  } as const;

  it('fit({ flowInput }) reaches the wire as isFlowInput', async () => {
    const { fake, session } = platform();
    const estimator = new Estimator(session, params);
    await lastValueFrom(
      estimator.fit({ inputs: 's3://test-bucket/iris.csv', jobName: 'iris', flowInput: true, wait: false }),
    );
    expect(fake.trainBodies()).toEqual([expect.objectContaining({ name: 'iris', isFlowInput: 1 })]);
  });

  it('fit({ job_name }) is refused before any request: "job_name: unknown parameter (did you mean jobName?)"', async () => {
    const { fake, session } = platform();
    const estimator = new Estimator(session, params);
    const snake = { inputs: 's3://test-bucket/iris.csv', job_name: 'iris' } as unknown as FitArgs;
    const error = await lastValueFrom(estimator.fit(snake)).catch((e: unknown) => e);
    expect(error).toMatchObject({ _tag: 'ValidationError' });
    expect((error as ValidationError).problems).toEqual([
      { field: 'job_name', message: 'unknown parameter (did you mean jobName?)' },
    ]);
    expect(fake.trainBodies()).toEqual([]);
  });

  it('createModel after fit({ wait: false, jobName }) says the version has not finished (not "jobName: required")', async () => {
    const { fake, session } = platform();
    fake.plan = () => steps({ status: 'TRAINING' });
    const estimator = new Estimator(session, params); // no jobName here: fit gives it
    await lastValueFrom(estimator.fit({ inputs: 's3://test-bucket/iris.csv', jobName: 'iris', wait: false }));
    const error = await firstValueFrom(estimator.createModel({ modelVersion: '1.0.0' })).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      _tag: 'TrainingNotFinished',
      versionId: estimator.versionId,
      status: 'TRAINING',
    });
    expect(String(error)).not.toContain('jobName');
    expect(fake.modelBodies).toEqual([]);
  });
});
