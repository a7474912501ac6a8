import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  type DeployParams,
  type ModelParams,
  type TrainParams,
  toModelCreate,
  toServiceCreate,
  toTrainCreate,
} from '../../../src/codecs/params/index.js';
import type { ValidationError } from '../../../src/errors.js';

const SECRET = 'Sup3r-S3cret-Pa55';

const basic = {
  jobName: 'basic-train',
  frameworkType: 'BASIC_FRAMEWORK',
  trainInstanceType: 500550,
  trainInstanceCount: 1,
  volumeSize: 1,
  framework: 500100,
  bootFile: 'train.py',
  inputs: 's3://aiteam/data/',
  outputPath: 's3://aiteam/out/',
} as const;

/** Everything a ValidationError shows: its message and each problem. */
function shown(result: E.Either<ValidationError, unknown>): string {
  if (E.isRight(result)) throw new Error('expected a ValidationError');
  return [result.left.message, String(result.left), JSON.stringify(result.left.problems)].join('\n');
}

describe('a secret never appears in an error message', () => {
  it.each([
    ['a valid password beside a bad branch', { username: 'ann', password: SECRET, branch: 42 }],
    [
      'a valid password beside an unknown key',
      { username: 'ann', password: SECRET, branch: 'main', tokn: 'x' },
    ],
    ['a password in the wrong type (number)', { username: 'ann', password: 31337, branch: 'main' }],
    [
      'a password in the wrong type (object)',
      { username: 'ann', password: { value: SECRET }, branch: 'main' },
    ],
    ['a password in a list', [{ username: 'ann', password: SECRET, branch: 'main' }]],
  ])('gitInfo: %s', (_, gitInfo) => {
    const text = shown(toTrainCreate({ ...basic, gitInfo } as unknown as TrainParams));
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('31337');
    expect(text).toMatch(/gitInfo/);
  });

  it('gitInfo.password of the wrong type says "expected a string" without what was received', () => {
    const result = toTrainCreate({
      ...basic,
      gitInfo: { username: 'a', password: 31337, branch: 'b' },
    } as unknown as TrainParams);
    if (E.isRight(result)) throw new Error('expected a ValidationError');
    expect(result.left.problems).toStrictEqual([
      { field: 'gitInfo.password', message: 'expected a non-empty string' },
    ]);
  });

  it('modelGitInfo: the password is not shown', () => {
    const text = shown(
      toModelCreate({
        modelName: 'm',
        modelVersion: '1.0',
        modelFrameworkType: 'BASIC_FRAMEWORK',
        modelFramework: 1,
        modelPath: 's3://aiteam/m/',
        modelBootFile: 'p.py',
        modelGitInfo: { username: 'ann', password: SECRET, branch: '' },
      } as ModelParams),
    );
    expect(text).not.toContain(SECRET);
    expect(text).toMatch(/modelGitInfo\.branch/);
  });

  it('env and service envs: values are never shown, even next to a bad name', () => {
    const train = shown(
      toTrainCreate({
        jobName: 'c',
        frameworkType: 'CUSTOM',
        trainInstanceType: 1,
        trainInstanceCount: 1,
        volumeSize: 1,
        userImageUrl: 'img:1',
        outputPath: 's3://aiteam/o/',
        env: [
          { name: 'API-KEY', value: SECRET },
          { name: 'TOKEN', value: SECRET, secret: SECRET },
        ],
      } as unknown as TrainParams),
    );
    expect(train).not.toContain(SECRET);
    const deploy = shown(
      toServiceCreate({
        serviceName: 's',
        serviceModels: [
          {
            modelVersionId: 1,
            weight: 100,
            resourceId: 1,
            instanceCount: 1,
            envs: [{ name: '', value: SECRET }],
          },
        ],
      } as DeployParams),
    );
    expect(deploy).not.toContain(SECRET);
  });

  it('property: whatever else is wrong, a marked password never shows up', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).map((s) => `MARK${s}KRAM`),
        fc.record(
          { username: fc.anything(), branch: fc.anything(), url: fc.anything() },
          { requiredKeys: [] },
        ),
        fc.anything(),
        (password, rest, noise) => {
          const result = toTrainCreate({
            ...basic,
            trainInstanceCount: noise,
            gitInfo: { ...rest, password },
          } as unknown as TrainParams);
          if (E.isRight(result)) return true;
          return !shown(result).includes(password);
        },
      ),
    );
  });
});

describe('validation returns errors as values', () => {
  it('never throws, whatever it is given: Left or Right', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (params, defaults) => {
        const results: E.Either<ValidationError, unknown>[] = [
          toTrainCreate(params as TrainParams),
          toModelCreate(params as ModelParams, (defaults ?? {}) as Partial<ModelParams>),
          toServiceCreate(params as DeployParams, { modelVersionId: defaults as number }),
        ];
        for (const result of results) {
          expect(E.isLeft(result) || E.isRight(result)).toBe(true);
          if (E.isLeft(result)) expect(result.left._tag).toBe('ValidationError');
        }
      }),
    );
  });

  it('never throws for objects with the right keys and arbitrary values', () => {
    const keys = [
      'jobName',
      'frameworkType',
      'trainInstanceType',
      'trainInstanceCount',
      'volumeSize',
      'resourcePoolType',
      'customResource',
      'maxRuntime',
      'inputs',
      'outputPath',
      'hyperparameters',
      'monitors',
      'algorithm',
      'initModel',
      'framework',
      'codeDir',
      'gitInfo',
      'bootFile',
      'bootType',
      'inputFiles',
      'userImageUrl',
      'userCommand',
      'userCommandArgs',
      'env',
      'flowInput',
    ];
    const value = fc.oneof(
      fc.anything(),
      fc.array(fc.dictionary(fc.constantFrom('name', 'value', 'regular', 'path'), fc.anything())),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), value), (params) => {
        const result = toTrainCreate(params as unknown as TrainParams);
        expect(E.isLeft(result) || E.isRight(result)).toBe(true);
      }),
    );
  });
});
