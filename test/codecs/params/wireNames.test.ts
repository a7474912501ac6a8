/**
 * The wire → parameter tables and the translation of a platform's answers: each
 * table entry checked against the codec that builds the body (the value of the
 * parameter lands in that wire field), platform messages translated verbatim, and
 * what is left alone (an unknown field, a message that is not a problem list, prose).
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  type ModelParams,
  type TrainParams,
  toModelCreate,
  toServiceCreate,
  toTrainCreate,
} from '../../../src/codecs/params/index.js';
import {
  MODEL_WIRE_NAMES,
  SERVICE_WIRE_NAMES,
  seedProblems,
  seedReason,
  seedWording,
  TRAIN_WIRE_NAMES,
} from '../../../src/codecs/params/wireNames.js';

/** Every wire field of `body` holds what the parameter the table names was given (as the codec passes it on). */
function expectEveryFieldFromItsParameter(
  body: Readonly<Record<string, unknown>>,
  params: Readonly<Record<string, unknown>>,
  names: Readonly<Record<string, string>>,
  converted: Readonly<Record<string, (value: unknown) => unknown>> = {},
): void {
  for (const [wire, value] of Object.entries(body)) {
    const param = names[wire];
    expect({ wire, param }).toEqual({ wire, param: expect.any(String) });
    const given = params[param!];
    expect({ wire, value }).toEqual({ wire, value: (converted[wire] ?? ((v) => v))(given) });
  }
}

describe('the tables', () => {
  it('TRAIN_WIRE_NAMES: each wire field of a BASIC_FRAMEWORK and a CUSTOM body comes from the parameter it names', () => {
    const common = {
      trainInstanceType: 500050,
      trainInstanceCount: 2,
      volumeSize: 3,
      resourcePoolType: 'PUBLIC_POOL',
      maxRuntime: 600,
      description: 'the description',
      outputPath: 's3://bucket/out/',
      hyperparameters: [{ name: 'lr', value: '0.1' }],
      monitors: [{ name: 'loss', regular: 'loss=([0-9.]+)' }],
      inputFiles: [{ name: 'extra.csv', path: 's3://bucket/extra.csv' }],
      flowInput: true,
      codeDir: 's3://bucket/code/',
      codeVersion: 'v1',
    } as const;
    const basic: TrainParams = {
      ...common,
      jobName: 'basic',
      frameworkType: 'BASIC_FRAMEWORK',
      inputs: 's3://bucket/data/',
      framework: 500100,
      bootFile: 'train.mjs',
      bootType: 'NORMAL',
    };
    const custom: TrainParams = {
      ...common,
      jobName: 'custom',
      frameworkType: 'CUSTOM',
      userImageUrl: 'registry/image:1',
      userCommand: 'python3',
      userCommandArgs: 'train.py --epochs 2',
      env: [{ name: 'MODE', value: 'fast' }],
    };
    const preset: TrainParams = {
      jobName: 'preset',
      frameworkType: 'PRESET_ALGORITHM',
      algorithm: 500001,
      initModel: 's3://bucket/model/',
      inputs: 's3://bucket/data/',
      outputPath: 's3://bucket/out/',
      trainInstanceType: 500050,
      trainInstanceCount: 1,
      volumeSize: 1,
    };
    const seen = new Set<string>();
    for (const params of [basic, custom, preset]) {
      const request = toTrainCreate(params);
      if (E.isLeft(request)) throw request.left;
      const body = request.right.body as Record<string, unknown>;
      for (const wire of Object.keys(body)) seen.add(wire);
      expectEveryFieldFromItsParameter(body, params as unknown as Record<string, unknown>, TRAIN_WIRE_NAMES, {
        isFlowInput: (value) => value,
      });
    }
    // the three bodies use every wire field but gitInfo (a code source instead of codeUrl) and customResource (PERSONAL_POOL)
    expect(Object.keys(TRAIN_WIRE_NAMES).filter((wire) => !seen.has(wire))).toEqual([
      'customResource',
      'gitInfo',
    ]);
  });

  it('MODEL_WIRE_NAMES and SERVICE_WIRE_NAMES: each wire field comes from the parameter it names', () => {
    const params: ModelParams = {
      modelName: 'iris',
      modelVersion: '1.0.0',
      modelFrameworkType: 'BASIC_FRAMEWORK',
      modelFramework: 500150,
      modelPath: 's3://bucket/out/',
      modelCodeDir: 's3://bucket/serve/',
      modelBootFile: 'predict.mjs',
      modelDescription: 'a model',
    };
    const model = toModelCreate(params);
    if (E.isLeft(model)) throw model.left;
    expectEveryFieldFromItsParameter(
      model.right.body as Record<string, unknown>,
      params as unknown as Record<string, unknown>,
      MODEL_WIRE_NAMES,
    );
    const deploy = {
      serviceName: 'iris',
      serviceType: 'ONLINE_SERVICE',
      serviceModels: [{ modelVersionId: 7, weight: 100, resourceId: 500151, instanceCount: 1 }],
    } as const;
    const service = toServiceCreate(deploy);
    if (E.isLeft(service)) throw service.left;
    expectEveryFieldFromItsParameter(service.right, deploy, SERVICE_WIRE_NAMES);
  });
});

describe('seedProblems', () => {
  it("translates the local platform's training refusals verbatim", () => {
    expect(seedProblems('frameworkId: no TRAIN framework 999', TRAIN_WIRE_NAMES)).toEqual([
      { field: 'framework', message: 'no TRAIN framework 999' },
    ]);
    expect(
      seedProblems(
        'dataUrl: required with type BASIC_FRAMEWORK; startup: required with type BASIC_FRAMEWORK (the boot file, relative to the code); codeUrl: codeUrl or gitInfo required with type BASIC_FRAMEWORK; resourceId: no TRAIN resource 7',
        TRAIN_WIRE_NAMES,
      ),
    ).toEqual([
      { field: 'inputs', message: 'required with frameworkType BASIC_FRAMEWORK' },
      {
        field: 'bootFile',
        message: 'required with frameworkType BASIC_FRAMEWORK (the boot file, relative to the code)',
      },
      { field: 'codeDir', message: 'codeDir or gitInfo required with frameworkType BASIC_FRAMEWORK' },
      { field: 'trainInstanceType', message: 'no TRAIN resource 7' },
    ]);
    expect(
      seedProblems('parameters[1].value: expected text; envs[0].name: expected a name', TRAIN_WIRE_NAMES),
    ).toEqual([
      { field: 'hyperparameters[1].value', message: 'expected text' },
      { field: 'env[0].name', message: 'expected a name' },
    ]);
  });

  it('keeps a problem whose message holds "; " and an address whole', () => {
    expect(
      seedProblems(
        'modeUrl: expected an s3://bucket/key address (the local platform fetches the initial model (initModel) from its S3 only); docker:// given',
        TRAIN_WIRE_NAMES,
      ),
    ).toEqual([
      {
        field: 'initModel',
        message:
          'expected an s3://bucket/key address (the local platform fetches the initial model (initModel) from its S3 only); docker:// given',
      },
    ]);
  });

  it('models and services', () => {
    expect(
      seedProblems(
        'frameworkId: no PREDICT framework 999; presetModelId: no preset model 3',
        MODEL_WIRE_NAMES,
      ),
    ).toEqual([
      { field: 'modelFramework', message: 'no PREDICT framework 999' },
      { field: 'modelFramework', message: 'no preset model 3' },
    ]);
    expect(
      seedProblems(
        'serviceModels[0].resourceId: no PREDICT resource 999; serviceModels: the weights add up to 0, so no model would get traffic',
        SERVICE_WIRE_NAMES,
      ),
    ).toEqual([
      { field: 'serviceModels[0].resourceId', message: 'no PREDICT resource 999' },
      { field: 'serviceModels', message: 'the weights add up to 0, so no model would get traffic' },
    ]);
  });

  it('leaves alone what it cannot translate whole: a field not of the body, a message that is no list', () => {
    expect(seedProblems('body: expected JSON', TRAIN_WIRE_NAMES)).toBeUndefined();
    expect(seedProblems('frameworkId: no TRAIN framework 9; path: bad', TRAIN_WIRE_NAMES)).toBeUndefined();
    expect(seedProblems('something went wrong', TRAIN_WIRE_NAMES)).toBeUndefined();
    expect(seedProblems('', TRAIN_WIRE_NAMES)).toBeUndefined();
    // an inherited property is no wire field
    expect(seedProblems('constructor: x', TRAIN_WIRE_NAMES)).toBeUndefined();
  });
});

describe('seedReason and seedWording', () => {
  it('names the field a failure reason starts with, and nothing else', () => {
    expect(seedReason('dataUrl: nothing found at s3://bucket/iris.csv', TRAIN_WIRE_NAMES)).toBe(
      'inputs: nothing found at s3://bucket/iris.csv',
    );
    expect(seedReason('startup: the boot file "nope.mjs" is not a file in the code', TRAIN_WIRE_NAMES)).toBe(
      'bootFile: the boot file "nope.mjs" is not a file in the code',
    );
    expect(seedReason('inputFiles[1].path: nothing found at s3://b/x', TRAIN_WIRE_NAMES)).toBe(
      'inputFiles[1].path: nothing found at s3://b/x',
    );
    for (const reason of [
      'instance 0 exited with code 1',
      'cannot upload the output to s3://nobucket/out/: NoSuchBucket: The specified bucket does not exist',
      'Error: boom',
      'stopped',
    ]) {
      expect(seedReason(reason, TRAIN_WIRE_NAMES)).toBe(reason);
    }
  });

  it('rewrites compound wire names and "type X", not everyday words', () => {
    expect(seedWording('the name, output and instance of the job, with type CUSTOM', TRAIN_WIRE_NAMES)).toBe(
      'the name, output and instance of the job, with frameworkType CUSTOM',
    );
    expect(seedWording('mirrorUrl and startupType', TRAIN_WIRE_NAMES)).toBe('userImageUrl and bootType');
  });
});
