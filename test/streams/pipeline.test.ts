/**
 * The seed's pipeline composed as Observables — fit → trained() → toModel → toService
 * → deployed() → predict — on a fake platform (msw) through a real Session, and the
 * defaults `createModel` takes from the finished training version (asserted on the bodies).
 */
import * as E from 'fp-ts/lib/Either.js';
import { setupServer } from 'msw/node';
import { firstValueFrom, lastValueFrom, switchMap } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toService } from '../../src/api/deploy.js';
import { deployed } from '../../src/api/deployed.js';
import type { TrainParams } from '../../src/codecs/params/train.js';
import { createModel, modelDefaults, toModel } from '../../src/streams/createModel.js';
import type { TrainedJob } from '../../src/streams/fit.js';
import * as training from '../../src/streams/fit.js';
import { type ModelSource, modelSource } from '../../src/streams/modelSource.js';
import { trained } from '../../src/streams/trained.js';
import { FAST, FakePlatform, GATEWAY, pipelineSession } from './pipelinePlatform.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function platform(): FakePlatform {
  const fake = new FakePlatform();
  server.resetHandlers(...fake.handlers());
  return fake;
}

const hardware = { trainInstanceType: 1, trainInstanceCount: 1, volumeSize: 1 } as const;

const preset: TrainParams = {
  jobName: 'iris',
  frameworkType: 'PRESET_ALGORITHM',
  algorithm: 500001, // logistic-regression; its preset model is 600007
  inputs: 's3://test-bucket/iris.csv',
  outputPath: 's3://test-bucket/out/',
  ...hardware,
};

const basic: TrainParams = {
  jobName: 'iris-torch',
  frameworkType: 'BASIC_FRAMEWORK',
  framework: 500100, // TRAIN python3; the PREDICT python3 is 500150
  bootFile: 'train.py',
  codeDir: 's3://test-bucket/code/',
  inputs: 's3://test-bucket/iris.csv',
  outputPath: 's3://test-bucket/torch-out/',
  ...hardware,
};

const custom: TrainParams = {
  jobName: 'iris-image',
  frameworkType: 'CUSTOM',
  userImageUrl: 'registry.test/iris:1',
  outputPath: 's3://test-bucket/image-out/',
  ...hardware,
};

const CATALOG_PATHS = /^\/v1\/(preset-algorithm|preset-model|basic-framework\/)/;

async function trainedJob(params: TrainParams): Promise<TrainedJob> {
  return lastValueFrom(training.fit(pipelineSession(), params, FAST).pipe(trained()));
}

/** The model source of a job trained with `params` (its final detail, as `toModel` reads it). */
async function trainedSource(params: TrainParams): Promise<ModelSource> {
  const job = await trainedJob(params);
  const source = modelSource(job.versionId, job.detail, job.body);
  if (E.isLeft(source)) throw source.left;
  return source.right;
}

describe('the pipeline', () => {
  it('fit → trained() → toModel → toService → deployed() → predict, as in the README', async () => {
    const fake = platform();
    const session = pipelineSession();

    const train$ = training.fit(session, preset, FAST).pipe(trained());
    const predictor = await lastValueFrom(
      train$.pipe(
        switchMap(toModel(session, { modelVersion: '1.0.0' })),
        switchMap(
          toService(
            session,
            { serviceName: 'iris-svc', serviceModels: [{ weight: 100, resourceId: 3, instanceCount: 1 }] },
            FAST,
          ),
        ),
        deployed(),
      ),
    );

    const [model] = fake.modelBodies;
    expect(model).toEqual({
      name: 'iris',
      type: 'PRESET_MODEL',
      version: '1.0.0',
      presetModelId: 600007,
      modelPath: 's3://test-bucket/out/',
    });
    const registered = fake.models.get('iris')!;
    const service = fake.services.get(predictor.serviceId)!;
    expect(service.body).toEqual({
      name: 'iris-svc',
      type: 'ONLINE_SERVICE',
      serviceModels: [
        { modelVersionId: registered.versions[0], weight: 100, resourceId: 3, instanceCount: 1 },
      ],
    });
    expect(service.status).toBe('RUNNING');

    const answer = await firstValueFrom(predictor.predict({ instances: [[5.1, 3.5, 1.4, 0.2]] }));
    expect(answer).toEqual({ service: predictor.serviceId, echo: { instances: [[5.1, 3.5, 1.4, 0.2]] } });
    expect(fake.predictions).toEqual([
      {
        url: `${GATEWAY}/services/${predictor.serviceId}/ModelMaker/predict`,
        body: { instances: [[5.1, 3.5, 1.4, 0.2]] },
        token: null,
      },
    ]);
    // the order of the platform calls: train, follow, catalog, model, service, follow
    const order = fake.seen.map((s) => `${s.method} ${s.path}`);
    const firstIndex = (pattern: RegExp) => order.findIndex((o) => pattern.test(o));
    expect(firstIndex(/^POST \/v1\/train$/)).toBeLessThan(firstIndex(/^GET \/v1\/preset-model$/));
    expect(firstIndex(/^GET \/v1\/preset-model$/)).toBeLessThan(firstIndex(/^POST \/v1\/model$/));
    expect(firstIndex(/^POST \/v1\/model$/)).toBeLessThan(firstIndex(/^POST \/v1\/service$/));
  });
});

describe('createModel defaults from the finished version', () => {
  it('PRESET_ALGORITHM → PRESET_MODEL: the preset model named like the algorithm', async () => {
    const fake = platform();
    const source = await trainedSource({ ...preset, algorithm: 500000 }); // linear-regression → 600003
    const model = await firstValueFrom(createModel(pipelineSession(), { modelVersion: '2.1' }, source));
    expect(model.body).toEqual({
      name: 'iris',
      type: 'PRESET_MODEL',
      version: '2.1',
      presetModelId: 600003,
      modelPath: 's3://test-bucket/out/',
    });
    expect(fake.modelBodies).toEqual([model.body]);
    expect(model.modelId).toBe(fake.models.get('iris')?.id);
    expect(model.versionId).toBe(fake.models.get('iris')?.versions[0]);
  });

  it('BASIC_FRAMEWORK → the PREDICT framework named like the TRAIN framework', async () => {
    const fake = platform();
    const source = await trainedSource(basic);
    await firstValueFrom(
      createModel(
        pipelineSession(),
        { modelVersion: '1.0.0', modelBootFile: 'predict.py', modelCodeDir: 's3://test-bucket/serve/' },
        source,
      ),
    );
    expect(fake.modelBodies).toEqual([
      {
        name: 'iris-torch',
        type: 'BASIC_FRAMEWORK',
        version: '1.0.0',
        frameworkId: 500150,
        modelPath: 's3://test-bucket/torch-out/',
        codeUrl: 's3://test-bucket/serve/',
        startup: 'predict.py',
      },
    ]);
  });

  it('CUSTOM → CUSTOM with the job image, without asking the catalog', async () => {
    const fake = platform();
    const source = await trainedSource(custom);
    await firstValueFrom(createModel(pipelineSession(), { modelVersion: '1.0.0' }, source));
    expect(fake.modelBodies).toEqual([
      {
        name: 'iris-image',
        type: 'CUSTOM',
        version: '1.0.0',
        modelPath: 's3://test-bucket/image-out/',
        mirrorUrl: 'registry.test/iris:1',
      },
    ]);
    expect(fake.seen.filter((s) => CATALOG_PATHS.test(s.path))).toEqual([]);
  });

  it('what the user gives wins, and then the catalog is not asked', async () => {
    const fake = platform();
    const source = await trainedSource(preset);
    await firstValueFrom(
      createModel(
        pipelineSession(),
        {
          modelVersion: '1.0.0',
          modelName: 'mine',
          modelFramework: 600003,
          modelPath: 's3://test-bucket/elsewhere/',
        },
        source,
      ),
    );
    await firstValueFrom(
      createModel(
        pipelineSession(),
        { modelVersion: '1.0.1', modelFrameworkType: 'CUSTOM', modelMirrorUrl: 'registry.test/serve:2' },
        source,
      ),
    );
    expect(fake.modelBodies).toEqual([
      {
        name: 'mine',
        type: 'PRESET_MODEL',
        version: '1.0.0',
        presetModelId: 600003,
        modelPath: 's3://test-bucket/elsewhere/',
      },
      {
        name: 'iris',
        type: 'CUSTOM',
        version: '1.0.1',
        modelPath: 's3://test-bucket/out/',
        mirrorUrl: 'registry.test/serve:2',
      },
    ]);
    expect(fake.seen.filter((s) => CATALOG_PATHS.test(s.path))).toEqual([]);
  });

  it('a model name that exists gets a new version (errorCode 101009)', async () => {
    const fake = platform();
    const source = await trainedSource(preset);
    const first = await firstValueFrom(createModel(pipelineSession(), { modelVersion: '1.0.0' }, source));
    const second = await firstValueFrom(createModel(pipelineSession(), { modelVersion: '1.0.1' }, source));
    expect(second.modelId).toBe(first.modelId);
    expect(fake.models.get('iris')?.versions).toEqual([first.versionId, second.versionId]);
  });

  it('invalid parameters fail with a ValidationError before any request', async () => {
    const fake = platform();
    const source = await trainedSource(preset);
    const before = fake.seen.length;
    const error = await firstValueFrom(createModel(pipelineSession(), { modelVersion: 'v1' }, source)).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ _tag: 'ValidationError', problems: [{ field: 'modelVersion' }] });
    expect(fake.seen.length).toBe(before);
  });

  it('a catalog without the serving preset model is a ValidationError naming modelFramework, and nothing is registered', async () => {
    const fake = platform();
    const source = await trainedSource(preset);
    const unknown: ModelSource = { ...source, algorithmId: 500009 };
    const error = await firstValueFrom(
      createModel(pipelineSession(), { modelVersion: '1.0.0' }, unknown),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ _tag: 'ValidationError', problems: [{ field: 'modelFramework' }] });
    expect(String(error)).toMatch(/500009/);
    expect(fake.modelBodies).toEqual([]);
  });

  it('without a job every required parameter must be given', async () => {
    platform();
    const error = await firstValueFrom(createModel(pipelineSession(), { modelVersion: '1.0.0' })).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ _tag: 'ValidationError' });
    expect(String(error)).toMatch(/modelName/);
    expect(String(error)).toMatch(/modelPath/);
  });

  it('modelDefaults: name, path, kind and (CUSTOM) image from the source', () => {
    const source: ModelSource = {
      versionId: 2,
      name: 'n',
      type: 'PRESET_ALGORITHM',
      output: 's3://b/out/',
      algorithmId: 5,
    };
    expect(modelDefaults(source)).toEqual({
      modelName: 'n',
      modelPath: 's3://b/out/',
      modelFrameworkType: 'PRESET_MODEL',
    });
    expect(modelDefaults({ ...source, type: 'CUSTOM', mirrorUrl: 'registry.test/x:1' })).toEqual({
      modelName: 'n',
      modelPath: 's3://b/out/',
      modelFrameworkType: 'CUSTOM',
      modelMirrorUrl: 'registry.test/x:1',
    });
  });
});
