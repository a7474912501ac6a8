/**
 * `modelSource` (what a model is made from, read from a version's detail) and
 * `finishedVersion` (the same, read from the server) on a fake platform (msw): a
 * version that has not finished is refused with its id and status, a detail that
 * does not say the name, kind or output is a DecodeError naming each field, and
 * `toModel` registers nothing from a job whose detail is not FINISH.
 */
import * as E from 'fp-ts/lib/Either.js';
import { setupServer } from 'msw/node';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/client/session.js';
import { endpoints } from '../../src/codecs/endpoints.js';
import type { TrainCreate, TrainVersionDetail } from '../../src/codecs/training.js';
import { toModel } from '../../src/streams/createModel.js';
import { TrainingNotFinished } from '../../src/streams/errors.js';
import type { TrainedJob } from '../../src/streams/fit.js';
import { finishedVersion, modelSource } from '../../src/streams/modelSource.js';
import { FakePlatform, pipelineSession, steps } from './pipelinePlatform.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const finished: TrainVersionDetail = {
  status: 'FINISH',
  name: 'iris',
  type: 'PRESET_ALGORITHM',
  algorithmId: 500001,
  output: 's3://b/out/V0002/',
};
const created: TrainCreate = {
  name: 'iris-as-sent',
  type: 'PRESET_ALGORITHM',
  algorithmId: 500000,
  output: 's3://b/out/',
};

function left(result: E.Either<unknown, unknown>): unknown {
  if (E.isRight(result)) throw new Error(`expected a failure, got ${JSON.stringify(result.right)}`);
  return result.left;
}

describe('modelSource', () => {
  it("takes name, kind, algorithm or framework, output and image from the server's detail", () => {
    expect(modelSource(12, finished)).toEqual(
      E.right({
        versionId: 12,
        name: 'iris',
        type: 'PRESET_ALGORITHM',
        algorithmId: 500001,
        output: 's3://b/out/V0002/',
      }),
    );
    const custom = {
      status: 'FINISH',
      name: 'img',
      type: 'CUSTOM',
      output: 's3://b/o/',
      mirrorUrl: 'r.test/i:1',
    };
    expect(modelSource(3, custom)).toEqual(
      E.right({ versionId: 3, name: 'img', type: 'CUSTOM', output: 's3://b/o/', mirrorUrl: 'r.test/i:1' }),
    );
  });

  it('the detail wins over the body the version was created with; the body fills what the detail leaves out', () => {
    expect(modelSource(12, finished, created)).toEqual(modelSource(12, finished));
    expect(modelSource(12, { status: 'FINISH' }, created)).toEqual(
      E.right({
        versionId: 12,
        name: 'iris-as-sent',
        type: 'PRESET_ALGORITHM',
        algorithmId: 500000,
        output: 's3://b/out/',
      }),
    );
  });

  it('refuses a version that has not finished, naming it and its status — whatever else the detail says', () => {
    for (const status of ['TRAINING', 'TRAINING_FAIL', 'STOPPED', 'SOMETHING_NEW']) {
      const error = left(modelSource(12, { ...finished, status }, created));
      expect(error).toBeInstanceOf(TrainingNotFinished);
      expect(error).toMatchObject({ _tag: 'TrainingNotFinished', versionId: 12, status });
      expect(String(error)).toContain(`training version 12 is ${status}, not FINISH`);
    }
  });

  it('a finished detail that does not say the name, kind or output is a DecodeError naming each', () => {
    const error = left(modelSource(12, { status: 'FINISH', type: 'CUSTOM' }));
    expect(error).toMatchObject({ _tag: 'DecodeError' });
    expect((error as { problems: string[] }).problems).toEqual([
      'name: expected the job name of training version 12, got nothing',
      'output: expected the output path of training version 12, got nothing',
    ]);
  });
});

/** A platform whose versions stay in `status`, and a session on it. */
function platform(status: string): { fake: FakePlatform; session: Session } {
  const fake = new FakePlatform();
  fake.plan = () => steps({ status });
  server.resetHandlers(...fake.handlers());
  return { fake, session: pipelineSession() };
}

/** Creates a training version on the fake through the API (as another process would). */
async function createVersion(session: Session, body: TrainCreate): Promise<number> {
  return (await firstValueFrom(session.call(endpoints.createTrain, { body }))).versionId;
}

describe('finishedVersion', () => {
  it('reads the version once and emits its model source', async () => {
    const { fake, session } = platform('FINISH');
    const body: TrainCreate = {
      name: 'iris',
      type: 'BASIC_FRAMEWORK',
      frameworkId: 500101,
      output: 's3://b/out/',
    };
    const versionId = await createVersion(session, body);
    const source = await lastValueFrom(finishedVersion(session, versionId));
    expect(source).toEqual({
      versionId,
      name: 'iris',
      type: 'BASIC_FRAMEWORK',
      frameworkId: 500101,
      output: 's3://b/out/',
    });
    expect(fake.count('GET', /^\/v1\/train\/version\/\d+$/)).toBe(1);
  });

  it('fails with TrainingNotFinished for a version still training', async () => {
    const { session } = platform('TRAINING');
    const versionId = await createVersion(session, { name: 'iris', type: 'CUSTOM', output: 's3://b/out/' });
    const error = await lastValueFrom(finishedVersion(session, versionId)).catch((e: unknown) => e);
    expect(error).toMatchObject({ _tag: 'TrainingNotFinished', versionId, status: 'TRAINING' });
  });
});

describe('toModel', () => {
  it('registers nothing from a job whose detail is not FINISH', async () => {
    const fake = new FakePlatform();
    server.resetHandlers(...fake.handlers());
    const forged: TrainedJob = { jobId: 1, versionId: 2, body: created, detail: { status: 'TRAINING' } };
    const error = await lastValueFrom(toModel(pipelineSession(), { modelVersion: '1.0.0' })(forged)).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ _tag: 'TrainingNotFinished', versionId: 2, status: 'TRAINING' });
    expect(fake.seen).toEqual([]);
  });
});
