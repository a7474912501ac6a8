import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { type TrainParams, toTrainCreate } from '../../../src/codecs/params/index.js';
import { TrainCreate } from '../../../src/codecs/training.js';
import type { FieldProblem } from '../../../src/errors.js';

/** The problems of a Left; fails the test on a Right. */
function problemsOf(
  result: E.Either<{ problems: readonly FieldProblem[] }, unknown>,
): readonly FieldProblem[] {
  if (E.isRight(result)) throw new Error(`expected a ValidationError, got ${JSON.stringify(result.right)}`);
  return result.left.problems;
}

/** Builds params from a base and a patch in which `undefined` removes a field (JS callers may pass anything). */
function withPatch(base: TrainParams, patch: Record<string, unknown>): TrainParams {
  const params: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete params[key];
    else params[key] = value;
  }
  return params as unknown as TrainParams;
}

const hardware = { trainInstanceType: 500550, trainInstanceCount: 1, volumeSize: 1 };

const PRESET: TrainParams = {
  jobName: 'preset-train',
  frameworkType: 'PRESET_ALGORITHM',
  ...hardware,
  algorithm: 500000,
  inputs: 's3://aiteam/data/',
  outputPath: 's3://aiteam/output/',
};

const BASIC: TrainParams = {
  jobName: 'basic-train',
  frameworkType: 'BASIC_FRAMEWORK',
  ...hardware,
  framework: 500100,
  bootFile: 'train.py',
  codeDir: 's3://aiteam/mnist/code/',
  inputs: 's3://aiteam/mnist/data/',
  outputPath: 's3://aiteam/mnist/output/',
};

const CUSTOM: TrainParams = {
  jobName: 'custom-train1',
  frameworkType: 'CUSTOM',
  ...hardware,
  userImageUrl: '172.16.14.172/test/custom:v1.0',
  outputPath: 's3://aiteam/wjm_output/',
};

const BASES = { PRESET_ALGORITHM: PRESET, BASIC_FRAMEWORK: BASIC, CUSTOM } as const;

interface Row {
  readonly row: string;
  readonly base: keyof typeof BASES;
  readonly patch: Record<string, unknown>;
  readonly field: string;
  readonly message: RegExp;
}

// Hardware rows apply to every framework type ("硬件部分均为必填").
const hardwareRows = (base: keyof typeof BASES): Row[] => [
  {
    row: 'train_instance_type missing',
    base,
    patch: { trainInstanceType: undefined },
    field: 'trainInstanceType',
    message: /required with resourcePoolType PUBLIC_POOL/,
  },
  {
    row: 'train_instance_type as a string',
    base,
    patch: { trainInstanceType: '500550' },
    field: 'trainInstanceType',
    message: /expected an integer >= 1, got a string/,
  },
  {
    row: 'train_instance_count missing',
    base,
    patch: { trainInstanceCount: undefined },
    field: 'trainInstanceCount',
    message: /^required$/,
  },
  {
    row: 'train_instance_count 0',
    base,
    patch: { trainInstanceCount: 0 },
    field: 'trainInstanceCount',
    message: /expected an integer in 1\.\.10, got 0/,
  },
  {
    row: 'train_instance_count 11',
    base,
    patch: { trainInstanceCount: 11 },
    field: 'trainInstanceCount',
    message: /expected an integer in 1\.\.10, got 11/,
  },
  {
    row: 'train_instance_count fractional',
    base,
    patch: { trainInstanceCount: 1.5 },
    field: 'trainInstanceCount',
    message: /expected an integer in 1\.\.10, got 1\.5/,
  },
  {
    row: 'train_instance_count as a string',
    base,
    patch: { trainInstanceCount: '1' },
    field: 'trainInstanceCount',
    message: /expected an integer in 1\.\.10, got a string/,
  },
  {
    row: 'volume_size missing',
    base,
    patch: { volumeSize: undefined },
    field: 'volumeSize',
    message: /^required$/,
  },
  {
    row: 'volume_size 11',
    base,
    patch: { volumeSize: 11 },
    field: 'volumeSize',
    message: /expected an integer in 1\.\.10, got 11/,
  },
  { row: 'volume_size 0', base, patch: { volumeSize: 0 }, field: 'volumeSize', message: /in 1\.\.10, got 0/ },
  {
    row: 'volume_size as a string',
    base,
    patch: { volumeSize: '1' },
    field: 'volumeSize',
    message: /expected an integer in 1\.\.10, got a string/,
  },
  {
    row: 'framework_type missing',
    base,
    patch: { frameworkType: undefined },
    field: 'frameworkType',
    message: /^required$/,
  },
  {
    row: 'output_path missing',
    base,
    patch: { outputPath: undefined },
    field: 'outputPath',
    message: /^required$/,
  },
  {
    row: 'output_path not s3',
    base,
    patch: { outputPath: '/tmp/output' },
    field: 'outputPath',
    message: /expected an s3:\/\/bucket\/key address, got "\/tmp\/output"/,
  },
  {
    row: 'output_path s3 typo',
    base,
    patch: { outputPath: 's3:/aiteam/out' },
    field: 'outputPath',
    message: /s3:\/\/bucket\/key/,
  },
  {
    row: 'max_runtime 0',
    base,
    patch: { maxRuntime: 0 },
    field: 'maxRuntime',
    message: /expected an integer >= 1, got 0/,
  },
  {
    row: 'max_runtime as a string',
    base,
    patch: { maxRuntime: '86400' },
    field: 'maxRuntime',
    message: /expected an integer >= 1, got a string/,
  },
  {
    row: 'hyperparameters not a list',
    base,
    patch: { hyperparameters: { lr: 1 } },
    field: 'hyperparameters',
    message: /expected an array, got an object/,
  },
  {
    row: 'hyperparameters entry without value',
    base,
    patch: { hyperparameters: [{ name: 'lr' }] },
    field: 'hyperparameters[0].value',
    message: /^required$/,
  },
  {
    row: 'hyperparameters value an object',
    base,
    patch: { hyperparameters: [{ name: 'lr', value: {} }] },
    field: 'hyperparameters[0].value',
    message: /expected a string, a finite number or a boolean, got an object/,
  },
  {
    row: 'hyperparameters name repeated',
    base,
    patch: {
      hyperparameters: [
        { name: 'lr', value: 1 },
        { name: 'lr', value: 2 },
      ],
    },
    field: 'hyperparameters[1].name',
    message: /repeats/,
  },
  { row: 'job_name missing', base, patch: { jobName: undefined }, field: 'jobName', message: /^required$/ },
  {
    row: 'job_name blank',
    base,
    patch: { jobName: '  ' },
    field: 'jobName',
    message: /expected a non-empty string/,
  },
  {
    row: 'resource_pool_type unknown',
    base,
    patch: { resourcePoolType: 'PRIVATE_POOL' },
    field: 'resourcePoolType',
    message: /expected one of PUBLIC_POOL \| PERSONAL_POOL/,
  },
];

const rows: Row[] = [
  ...hardwareRows('PRESET_ALGORITHM'),
  ...hardwareRows('BASIC_FRAMEWORK'),
  ...hardwareRows('CUSTOM'),
  // 预置算法 (PRESET_ALGORITHM)
  {
    row: 'algorithm missing',
    base: 'PRESET_ALGORITHM',
    patch: { algorithm: undefined },
    field: 'algorithm',
    message: /required with frameworkType PRESET_ALGORITHM/,
  },
  {
    row: 'algorithm as a string',
    base: 'PRESET_ALGORITHM',
    patch: { algorithm: '500000' },
    field: 'algorithm',
    message: /expected an integer >= 1, got a string/,
  },
  {
    row: 'framework_type unknown',
    base: 'PRESET_ALGORITHM',
    patch: { frameworkType: 'PRESET' },
    field: 'frameworkType',
    message: /expected one of PRESET_ALGORITHM \| BASIC_FRAMEWORK \| CUSTOM, got "PRESET"/,
  },
  {
    row: 'init_model without a scheme',
    base: 'PRESET_ALGORITHM',
    patch: { initModel: 'models/v1' },
    field: 'initModel',
    message: /expected an address with a scheme/,
  },
  {
    row: 'init_model s3 typo',
    base: 'PRESET_ALGORITHM',
    patch: { initModel: 's3:/aiteam/m' },
    field: 'initModel',
    message: /s3:\/\/bucket\/key/,
  },
  {
    row: 'inputs missing (contract)',
    base: 'PRESET_ALGORITHM',
    patch: { inputs: undefined },
    field: 'inputs',
    message: /required with frameworkType PRESET_ALGORITHM/,
  },
  {
    row: 'inputs not s3',
    base: 'PRESET_ALGORITHM',
    patch: { inputs: 'https://data.example.com/iris.csv' },
    field: 'inputs',
    message: /s3:\/\/bucket\/key/,
  },
  {
    row: 'code_dir on a preset algorithm',
    base: 'PRESET_ALGORITHM',
    patch: { codeDir: 's3://aiteam/code/' },
    field: 'codeDir',
    message: /only used with frameworkType BASIC_FRAMEWORK or CUSTOM/,
  },
  // 基础框架 (BASIC_FRAMEWORK)
  {
    row: 'code_dir and git_info both missing',
    base: 'BASIC_FRAMEWORK',
    patch: { codeDir: undefined },
    field: 'codeDir',
    message: /codeDir or gitInfo is required with frameworkType BASIC_FRAMEWORK/,
  },
  {
    row: 'code_dir and git_info both given',
    base: 'BASIC_FRAMEWORK',
    patch: { gitInfo: { username: 'u', password: 'p', branch: 'main' } },
    field: 'gitInfo',
    message: /either codeDir or gitInfo, not both/,
  },
  {
    row: 'code_dir with another scheme',
    base: 'BASIC_FRAMEWORK',
    patch: { codeDir: 'https://git.example.com/code' },
    field: 'codeDir',
    message: /s3:\/\/bucket\/key/,
  },
  {
    row: 'git_info without branch',
    base: 'BASIC_FRAMEWORK',
    patch: { codeDir: undefined, gitInfo: { username: 'u', password: 'p' } },
    field: 'gitInfo.branch',
    message: /^required$/,
  },
  {
    row: 'git_info without username',
    base: 'BASIC_FRAMEWORK',
    patch: { codeDir: undefined, gitInfo: { password: 'p', branch: 'main' } },
    field: 'gitInfo.username',
    message: /^required$/,
  },
  {
    row: 'git_info without password',
    base: 'BASIC_FRAMEWORK',
    patch: { codeDir: undefined, gitInfo: { username: 'u', branch: 'main' } },
    field: 'gitInfo.password',
    message: /^required$/,
  },
  {
    row: 'git_info with an unknown key',
    base: 'BASIC_FRAMEWORK',
    patch: { codeDir: undefined, gitInfo: { username: 'u', password: 'p', branch: 'main', tag: 'v1' } },
    field: 'gitInfo.tag',
    message: /unknown key/,
  },
  {
    row: 'git_info as a list',
    base: 'BASIC_FRAMEWORK',
    patch: { codeDir: undefined, gitInfo: [{ username: 'u', password: 'p', branch: 'main' }] },
    field: 'gitInfo',
    message: /one object, not a list/,
  },
  {
    row: 'framework missing',
    base: 'BASIC_FRAMEWORK',
    patch: { framework: undefined },
    field: 'framework',
    message: /required with frameworkType BASIC_FRAMEWORK/,
  },
  {
    row: 'framework as a string',
    base: 'BASIC_FRAMEWORK',
    patch: { framework: '500100' },
    field: 'framework',
    message: /expected an integer/,
  },
  {
    row: 'boot_type unknown',
    base: 'BASIC_FRAMEWORK',
    patch: { bootType: 'MPI' },
    field: 'bootType',
    message: /expected one of NORMAL \| HOROVOD, got "MPI"/,
  },
  {
    row: 'boot_type on a custom job',
    base: 'CUSTOM',
    patch: { bootType: 'HOROVOD' },
    field: 'bootType',
    message: /only used with frameworkType BASIC_FRAMEWORK/,
  },
  {
    row: 'boot_file missing',
    base: 'BASIC_FRAMEWORK',
    patch: { bootFile: undefined },
    field: 'bootFile',
    message: /required with frameworkType BASIC_FRAMEWORK/,
  },
  {
    row: 'inputs missing (contract)',
    base: 'BASIC_FRAMEWORK',
    patch: { inputs: undefined },
    field: 'inputs',
    message: /required with frameworkType BASIC_FRAMEWORK/,
  },
  {
    row: 'input_files path without a scheme',
    base: 'BASIC_FRAMEWORK',
    patch: { inputFiles: [{ name: 'sf', path: 'sd' }] },
    field: 'inputFiles[0].path',
    message: /with a scheme/,
  },
  {
    row: 'input_files entry without name',
    base: 'BASIC_FRAMEWORK',
    patch: { inputFiles: [{ path: 'docker://sd' }] },
    field: 'inputFiles[0].name',
    message: /^required$/,
  },
  {
    row: 'monitors bad regex',
    base: 'BASIC_FRAMEWORK',
    patch: { monitors: [{ name: 'Loss', regular: 'loss=(\\d+' }] },
    field: 'monitors[0].regular',
    message: /valid regular expression/,
  },
  {
    row: 'monitors with a Python-only construct',
    base: 'BASIC_FRAMEWORK',
    patch: { monitors: [{ name: 'Loss', regular: '(?i)loss=(\\d+)' }] },
    field: 'monitors[0].regular',
    message: /inline flags \(\?i\) is Python-only/,
  },
  {
    row: 'monitors sample not matched',
    base: 'BASIC_FRAMEWORK',
    patch: { monitors: [{ name: 'Loss', regular: 'loss=(\\d+)', sample: 'acc=20' }] },
    field: 'monitors[0].sample',
    message: /does not match this sample/,
  },
  {
    row: 'monitors sample without a number',
    base: 'BASIC_FRAMEWORK',
    patch: { monitors: [{ name: 'Loss', regular: 'loss=\\w+', sample: 'loss=high' }] },
    field: 'monitors[0].sample',
    message: /holds no number/,
  },
  {
    row: 'monitors without name',
    base: 'BASIC_FRAMEWORK',
    patch: { monitors: [{ regular: 'loss=(\\d+)' }] },
    field: 'monitors[0].name',
    message: /required/,
  },
  {
    row: 'monitors regular not a string',
    base: 'BASIC_FRAMEWORK',
    patch: { monitors: [{ name: 'Loss', regular: 5 }] },
    field: 'monitors[0].regular',
    message: /expected a non-empty string, got a number/,
  },
  {
    row: 'monitors name repeated',
    base: 'BASIC_FRAMEWORK',
    patch: {
      monitors: [
        { name: 'L', regular: 'a=(\\d)' },
        { name: 'L', regular: 'b=(\\d)' },
      ],
    },
    field: 'monitors[1].name',
    message: /repeats/,
  },
  {
    row: 'user_image_url on a basic framework',
    base: 'BASIC_FRAMEWORK',
    patch: { userImageUrl: 'img:1' },
    field: 'userImageUrl',
    message: /only used with frameworkType CUSTOM/,
  },
  // 自定义 (CUSTOM)
  {
    row: 'user_image_url missing',
    base: 'CUSTOM',
    patch: { userImageUrl: undefined },
    field: 'userImageUrl',
    message: /required with frameworkType CUSTOM/,
  },
  {
    row: 'user_image_url with spaces',
    base: 'CUSTOM',
    patch: { userImageUrl: 'my image' },
    field: 'userImageUrl',
    message: /without spaces/,
  },
  {
    row: 'user_command as a list',
    base: 'CUSTOM',
    patch: { userCommand: ['/bin/bash'] },
    field: 'userCommand',
    message: /expected a non-empty string, got an array/,
  },
  {
    row: 'user_command_args unclosed quote',
    base: 'CUSTOM',
    patch: { userCommandArgs: "-c 'python train.py" },
    field: 'userCommandArgs',
    message: /' quote is not closed/,
  },
  {
    row: 'env with the seed typo key',
    base: 'CUSTOM',
    patch: { env: [{ name: 'sf', evn2: 'docker://sd' }] },
    field: 'env[0].evn2',
    message: /unknown key/,
  },
  {
    row: 'env name not a variable name',
    base: 'CUSTOM',
    patch: { env: [{ name: '1-A', value: 'x' }] },
    field: 'env[0].name',
    message: /environment variable name/,
  },
  {
    row: 'git_info without branch',
    base: 'CUSTOM',
    patch: { gitInfo: { username: 'u', password: 'p' } },
    field: 'gitInfo.branch',
    message: /^required$/,
  },
  {
    row: 'algorithm on a custom job',
    base: 'CUSTOM',
    patch: { algorithm: 500000 },
    field: 'algorithm',
    message: /only used with frameworkType PRESET_ALGORITHM/,
  },
  {
    row: 'framework on a custom job',
    base: 'CUSTOM',
    patch: { framework: 500100 },
    field: 'framework',
    message: /only used with frameworkType BASIC_FRAMEWORK/,
  },
  {
    row: 'inputs not s3',
    base: 'CUSTOM',
    patch: { inputs: 'docker://sd' },
    field: 'inputs',
    message: /s3:\/\/bucket\/key/,
  },
  // Resource pools.
  {
    row: 'personal pool without custom_resource',
    base: 'CUSTOM',
    patch: { resourcePoolType: 'PERSONAL_POOL' },
    field: 'customResource',
    message: /required with resourcePoolType PERSONAL_POOL/,
  },
  {
    row: 'custom_resource in the public pool',
    base: 'CUSTOM',
    patch: { customResource: { cpu: 4, memory: 8, gpuModel: 'T4', gpuCount: 1 } },
    field: 'customResource',
    message: /only used with resourcePoolType PERSONAL_POOL/,
  },
  {
    row: 'custom_resource unknown key',
    base: 'CUSTOM',
    patch: {
      resourcePoolType: 'PERSONAL_POOL',
      customResource: { cpu: 4, memory: 8, gpuModel: 'T4', gpuCount: 1, disk: 100 },
    },
    field: 'customResource.disk',
    message: /unknown key/,
  },
  {
    row: 'custom_resource without gpuCount',
    base: 'CUSTOM',
    patch: { resourcePoolType: 'PERSONAL_POOL', customResource: { cpu: 4, memory: 8, gpuModel: 'T4' } },
    field: 'customResource.gpuCount',
    message: /^required$/,
  },
  {
    row: 'custom_resource without cpu',
    base: 'CUSTOM',
    patch: { resourcePoolType: 'PERSONAL_POOL', customResource: { memory: 8, gpuModel: 'T4', gpuCount: 1 } },
    field: 'customResource.cpu',
    message: /^required$/,
  },
  {
    row: 'custom_resource requestCpu above cpu',
    base: 'CUSTOM',
    patch: {
      resourcePoolType: 'PERSONAL_POOL',
      customResource: { cpu: 4, memory: 8, gpuModel: 'T4', gpuCount: 1, requestCpu: 8 },
    },
    field: 'customResource.requestCpu',
    message: /at most customResource.cpu \(4\), got 8/,
  },
  {
    row: 'custom_resource gpuCount negative',
    base: 'CUSTOM',
    patch: {
      resourcePoolType: 'PERSONAL_POOL',
      customResource: { cpu: 4, memory: 8, gpuModel: 'T4', gpuCount: -1 },
    },
    field: 'customResource.gpuCount',
    message: /expected an integer >= 0, got -1/,
  },
  // Seed (snake_case) names are not silently dropped.
  {
    row: 'a seed snake_case name',
    base: 'CUSTOM',
    patch: { train_instance_count: 1 },
    field: 'train_instance_count',
    message: /unknown parameter \(did you mean trainInstanceCount\?\)/,
  },
];

describe('toTrainCreate: every row of the seed tables names its field', () => {
  it.each(rows)('$base: $row → $field', ({ base, patch, field, message }) => {
    const problems = problemsOf(toTrainCreate(withPatch(BASES[base], patch)));
    const problem = problems.find((p) => p.field === field);
    expect(problem, JSON.stringify(problems)).toBeDefined();
    expect(problem!.message).toMatch(message);
  });

  it.each(Object.entries(BASES))('accepts the valid %s base the table mutates', (_, base) => {
    expect(E.isRight(toTrainCreate(base))).toBe(true);
  });
});

describe('toTrainCreate: happy paths produce the exact wire body', () => {
  it('PRESET_ALGORITHM with hyperparameters and an init model', () => {
    const result = toTrainCreate({
      ...PRESET,
      maxRuntime: 24 * 3600,
      description: 'iris',
      initModel: 'docker://sd',
      hyperparameters: [
        { name: 'lr', value: 0.01 },
        { name: 'epochs', value: 10 },
        { name: 'shuffle', value: true },
        { name: 'optimizer', value: 'adam' },
      ],
    });
    expect(result).toStrictEqual(
      E.right({
        body: {
          name: 'preset-train',
          type: 'PRESET_ALGORITHM',
          resourceId: 500550,
          instance: 1,
          volumeSize: 1,
          maxRuntime: 86400,
          description: 'iris',
          dataUrl: 's3://aiteam/data/',
          output: 's3://aiteam/output/',
          parameters: [
            { name: 'lr', value: 0.01 },
            { name: 'epochs', value: 10 },
            { name: 'shuffle', value: 'true' },
            { name: 'optimizer', value: 'adam' },
          ],
          algorithmId: 500000,
          modeUrl: 'docker://sd',
        },
      }),
    );
  });

  it('BASIC_FRAMEWORK with monitors, input files, Horovod and a flow input', () => {
    const result = toTrainCreate({
      ...BASIC,
      trainInstanceCount: 10,
      volumeSize: 10,
      codeVersion: 'v2',
      bootType: 'HOROVOD',
      flowInput: 1,
      inputFiles: [{ name: 'sf', path: 'docker://sd' }],
      monitors: [{ name: 'Loss', regular: 'loss=(\\d+)', sample: 'loss=20' }],
    });
    expect(result).toStrictEqual(
      E.right({
        body: {
          name: 'basic-train',
          type: 'BASIC_FRAMEWORK',
          resourceId: 500550,
          instance: 10,
          volumeSize: 10,
          dataUrl: 's3://aiteam/mnist/data/',
          output: 's3://aiteam/mnist/output/',
          monitors: [{ name: 'Loss', regular: 'loss=(\\d+)', sample: 'loss=20' }],
          frameworkId: 500100,
          codeUrl: 's3://aiteam/mnist/code/',
          codeVersion: 'v2',
          startup: 'train.py',
          startupType: 'HOROVOD',
          inputFiles: [{ name: 'sf', path: 'docker://sd' }],
          isFlowInput: true,
        },
      }),
    );
  });

  it("accepts the seed's monitor example verbatim: a pattern without groups and a sample it reads 20 from", () => {
    // The seed's table: monitors=[{r"name":r"Loss",r"regular":r"loss=\d+",r"sample":"loss=20"}]
    const seed = { name: 'Loss', regular: String.raw`loss=\d+`, sample: 'loss=20' };
    const result = toTrainCreate({ ...BASIC, monitors: [seed] });
    if (E.isLeft(result)) throw result.left;
    expect(result.right.body.monitors).toStrictEqual([seed]);
  });

  it('BASIC_FRAMEWORK from git: gitInfo on the wire, no codeUrl', () => {
    const gitInfo = {
      username: 'ann',
      password: 'hunter2',
      branch: 'main',
      url: 'https://git.example.com/a.git',
    };
    const result = toTrainCreate(withPatch(BASIC, { codeDir: undefined, gitInfo }));
    if (E.isLeft(result)) throw result.left;
    expect(result.right.body.gitInfo).toStrictEqual(gitInfo);
    expect(result.right.body).not.toHaveProperty('codeUrl');
    expect(result.right).not.toHaveProperty('localCodeDir');
  });

  it('CUSTOM as in the seed example, inputs=None, command, args and env', () => {
    const result = toTrainCreate({
      ...CUSTOM,
      inputs: null,
      userCommand: '/bin/bash',
      userCommandArgs: '/home/test/start.sh --name "a b"',
      env: [{ name: 'MODE', value: 'fast' }],
    });
    expect(result).toStrictEqual(
      E.right({
        body: {
          name: 'custom-train1',
          type: 'CUSTOM',
          resourceId: 500550,
          instance: 1,
          volumeSize: 1,
          output: 's3://aiteam/wjm_output/',
          mirrorUrl: '172.16.14.172/test/custom:v1.0',
          command: '/bin/bash',
          args: '/home/test/start.sh --name "a b"',
          envs: [{ name: 'MODE', value: 'fast' }],
        },
      }),
    );
  });

  it('PERSONAL_POOL: customResource on the wire, trainInstanceType optional', () => {
    const result = toTrainCreate(
      withPatch(CUSTOM, {
        trainInstanceType: undefined,
        resourcePoolType: 'PERSONAL_POOL',
        customResource: {
          cpu: 4,
          memory: '16Gi',
          gpuModel: 'T4',
          gpuCount: 1,
          requestCpu: 2,
          shareGpu: 0,
          gpuz: 0,
        },
      }),
    );
    if (E.isLeft(result)) throw result.left;
    expect(result.right.body).not.toHaveProperty('resourceId');
    expect(result.right.body.resourcePoolType).toBe('PERSONAL_POOL');
    expect(result.right.body.customResource).toStrictEqual({
      cpu: 4,
      memory: '16Gi',
      gpuModel: 'T4',
      gpuCount: 1,
      requestCpu: 2,
      shareGpu: false,
      gpuz: 0,
    });
  });

  it.each([
    ['PRESET_ALGORITHM', PRESET],
    ['BASIC_FRAMEWORK', BASIC],
    ['CUSTOM', CUSTOM],
  ] as const)('a %s body passes the strict TrainCreate codec the server validates with', (_, params) => {
    const result = toTrainCreate({ ...params, flowInput: true, hyperparameters: [{ name: 'a', value: 1 }] });
    if (E.isLeft(result)) throw result.left;
    const wire = JSON.parse(JSON.stringify(TrainCreate.encode(result.right.body)));
    expect(wire.isFlowInput).toBe(1);
    expect(TrainCreate.decode(wire)).toStrictEqual(E.right(result.right.body));
  });
});

describe('toTrainCreate: code directory', () => {
  it('an s3:// codeDir becomes body.codeUrl and no upload', () => {
    const result = toTrainCreate(BASIC);
    if (E.isLeft(result)) throw result.left;
    expect(result.right.body.codeUrl).toBe('s3://aiteam/mnist/code/');
    expect(result.right).not.toHaveProperty('localCodeDir');
  });

  it.each(['./code', '/home/ann/mnist/code', 'code', 'C:\\work\\code'])(
    'a local codeDir %s is left to upload: localCodeDir set, codeUrl left out',
    (dir) => {
      const result = toTrainCreate({ ...BASIC, codeDir: dir });
      if (E.isLeft(result)) throw result.left;
      expect(result.right.localCodeDir).toBe(dir);
      expect(result.right.body).not.toHaveProperty('codeUrl');
    },
  );

  it.each(['s3:/aiteam/code', 'S3://aiteam/code', 'file:///home/ann/code'])(
    'a mistyped address %s is a problem, not a local path',
    (dir) => {
      const problems = problemsOf(toTrainCreate({ ...BASIC, codeDir: dir }));
      expect(problems.map((p) => p.field)).toStrictEqual(['codeDir']);
    },
  );
});

describe('toTrainCreate: every problem at once', () => {
  it('lists all problems of one call, each under its own field, in parameter order', () => {
    const problems = problemsOf(
      toTrainCreate({
        jobName: '',
        frameworkType: 'BASIC_FRAMEWORK',
        trainInstanceType: '500550',
        trainInstanceCount: 11,
        volumeSize: 0,
        inputs: 'data/',
        outputPath: 's3:/out',
        monitors: [{ name: 'Loss', regular: '(' }],
        gitInfo: { username: 'u', password: 'p' },
        bootType: 'MPI',
      } as unknown as TrainParams),
    );
    expect(problems.map((p) => p.field)).toStrictEqual([
      'jobName',
      'trainInstanceType',
      'trainInstanceCount',
      'volumeSize',
      'inputs',
      'outputPath',
      'monitors[0].regular',
      'framework',
      'bootFile',
      'bootType',
      'gitInfo.branch',
    ]);
  });

  it('an unknown frameworkType still checks the values of type-specific parameters', () => {
    const problems = problemsOf(
      toTrainCreate({ ...CUSTOM, frameworkType: 'OTHER', algorithm: 'x' } as unknown as TrainParams),
    );
    expect(problems.map((p) => p.field)).toStrictEqual(['frameworkType', 'algorithm']);
  });

  it('is a Left, never a throw, for arguments that are not an object', () => {
    for (const bad of [undefined, null, 42, 'params', []]) {
      const problems = problemsOf(toTrainCreate(bad as unknown as TrainParams));
      expect(problems[0]).toStrictEqual({
        field: 'params',
        message: expect.stringMatching(/expected an object/),
      });
    }
  });

  it("never writes to the caller's object", () => {
    const params = Object.freeze({
      ...BASIC,
      hyperparameters: Object.freeze([Object.freeze({ name: 'a', value: 1 })]),
    });
    expect(E.isRight(toTrainCreate(params))).toBe(true);
  });
});
