import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { ModelCreate } from '../../../src/codecs/models.js';
import { type ModelParams, toModelCreate } from '../../../src/codecs/params/index.js';
import type { FieldProblem } from '../../../src/errors.js';

function problemsOf(
  result: E.Either<{ problems: readonly FieldProblem[] }, unknown>,
): readonly FieldProblem[] {
  if (E.isRight(result)) throw new Error(`expected a ValidationError, got ${JSON.stringify(result.right)}`);
  return result.left.problems;
}

function withPatch(base: ModelParams, patch: Record<string, unknown>): ModelParams {
  const params: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete params[key];
    else params[key] = value;
  }
  return params as unknown as ModelParams;
}

const PRESET_MODEL: ModelParams = {
  modelName: 'preset1-model',
  modelVersion: '1.1.1.2',
  modelFrameworkType: 'PRESET_MODEL',
  modelFramework: 500000,
  modelPath: 's3://aiteam/image-class/',
};

const BASIC_FRAMEWORK: ModelParams = {
  modelName: 'basic-model',
  modelVersion: '1.12.1',
  modelFrameworkType: 'BASIC_FRAMEWORK',
  modelFramework: 500150,
  modelPath: 's3://aiteam/wjm_output/V0001/',
  modelCodeDir: 's3://aiteam/mnist/code/',
  modelBootFile: 'predict.py',
};

const CUSTOM: ModelParams = {
  modelName: 'custom-model',
  modelVersion: '1.1.3',
  modelFrameworkType: 'CUSTOM',
  modelPath: 's3://aiteam/image-class/',
  modelMirrorUrl: '172.16.14.172/test/cuda:9.0-devel-ubuntu16.04',
};

const BASES = { PRESET_MODEL, BASIC_FRAMEWORK, CUSTOM } as const;

interface Row {
  readonly row: string;
  readonly base: keyof typeof BASES;
  readonly patch: Record<string, unknown>;
  readonly field: string;
  readonly message: RegExp;
}

// Rows every model type's table shares.
const commonRows = (base: keyof typeof BASES): Row[] => [
  {
    row: 'model_version missing',
    base,
    patch: { modelVersion: undefined },
    field: 'modelVersion',
    message: /^required$/,
  },
  {
    row: 'model_version as a number',
    base,
    patch: { modelVersion: 1.1 },
    field: 'modelVersion',
    message: /expected a non-empty string, got a number/,
  },
  {
    row: 'model_version not dotted numbers',
    base,
    patch: { modelVersion: 'latest' },
    field: 'modelVersion',
    message: /dot-separated whole numbers/,
  },
  {
    row: 'model_name missing (no defaults)',
    base,
    patch: { modelName: undefined },
    field: 'modelName',
    message: /^required$/,
  },
  {
    row: 'model_framework_type missing (no defaults)',
    base,
    patch: { modelFrameworkType: undefined },
    field: 'modelFrameworkType',
    message: /^required$/,
  },
  {
    row: 'model_framework_type unknown',
    base,
    patch: { modelFrameworkType: 'PRESET_ALGORITHM' },
    field: 'modelFrameworkType',
    message: /expected one of PRESET_MODEL \| BASIC_FRAMEWORK \| CUSTOM, got "PRESET_ALGORITHM"/,
  },
  {
    row: 'model_path missing (no defaults)',
    base,
    patch: { modelPath: undefined },
    field: 'modelPath',
    message: /^required$/,
  },
  {
    row: 'model_path not s3',
    base,
    patch: { modelPath: '/models/v1' },
    field: 'modelPath',
    message: /expected an s3:\/\/bucket\/key address, got "\/models\/v1"/,
  },
  {
    row: 'model_call_specs not JSON',
    base,
    patch: { modelCallSpecs: () => 1 },
    field: 'modelCallSpecs',
    message: /JSON data/,
  },
  {
    row: 'a seed name',
    base,
    patch: { model_mirrorUrl: 'x' },
    field: 'model_mirrorUrl',
    message: /did you mean modelMirrorUrl\?/,
  },
];

const rows: Row[] = [
  ...commonRows('PRESET_MODEL'),
  ...commonRows('BASIC_FRAMEWORK'),
  ...commonRows('CUSTOM'),
  // 预置算法模型 (PRESET_MODEL)
  {
    row: 'model_framework missing',
    base: 'PRESET_MODEL',
    patch: { modelFramework: undefined },
    field: 'modelFramework',
    message: /required with modelFrameworkType PRESET_MODEL/,
  },
  {
    row: 'model_framework as a string',
    base: 'PRESET_MODEL',
    patch: { modelFramework: '500000' },
    field: 'modelFramework',
    message: /expected an integer >= 1, got a string/,
  },
  {
    row: 'model_boot_file on a preset model',
    base: 'PRESET_MODEL',
    patch: { modelBootFile: 'predict.py' },
    field: 'modelBootFile',
    message: /only used with modelFrameworkType BASIC_FRAMEWORK/,
  },
  // 基础框架模型 (BASIC_FRAMEWORK)
  {
    row: 'model_framework missing',
    base: 'BASIC_FRAMEWORK',
    patch: { modelFramework: undefined },
    field: 'modelFramework',
    message: /required with modelFrameworkType BASIC_FRAMEWORK/,
  },
  {
    row: 'model_code_dir and git both missing',
    base: 'BASIC_FRAMEWORK',
    patch: { modelCodeDir: undefined },
    field: 'modelCodeDir',
    message: /modelCodeDir or modelGitInfo is required/,
  },
  {
    row: 'model_code_dir mistyped address',
    base: 'BASIC_FRAMEWORK',
    patch: { modelCodeDir: 's3:/aiteam/code' },
    field: 'modelCodeDir',
    message: /s3:\/\/bucket\/key/,
  },
  {
    row: "model_git_info as the seed's list, an entry without branch",
    base: 'BASIC_FRAMEWORK',
    patch: { modelCodeDir: undefined, modelGitInfo: [{ username: 'u', password: 'p' }] },
    field: 'modelGitInfo[0].branch',
    message: /^required$/,
  },
  {
    row: 'model_git_info as an empty list',
    base: 'BASIC_FRAMEWORK',
    patch: { modelCodeDir: undefined, modelGitInfo: [] },
    field: 'modelGitInfo',
    message: /at least one entry/,
  },
  {
    row: 'model_git_info without branch',
    base: 'BASIC_FRAMEWORK',
    patch: { modelCodeDir: undefined, modelGitInfo: { username: 'u', password: 'p' } },
    field: 'modelGitInfo.branch',
    message: /^required$/,
  },
  {
    row: 'model_boot_file missing',
    base: 'BASIC_FRAMEWORK',
    patch: { modelBootFile: undefined },
    field: 'modelBootFile',
    message: /required with modelFrameworkType BASIC_FRAMEWORK/,
  },
  {
    row: 'model_mirrorUrl on a basic framework',
    base: 'BASIC_FRAMEWORK',
    patch: { modelMirrorUrl: 'img:1' },
    field: 'modelMirrorUrl',
    message: /only used with modelFrameworkType CUSTOM/,
  },
  // 自定义模型 (CUSTOM)
  {
    row: 'model_mirrorUrl missing',
    base: 'CUSTOM',
    patch: { modelMirrorUrl: undefined },
    field: 'modelMirrorUrl',
    message: /required with modelFrameworkType CUSTOM/,
  },
  {
    row: 'model_mirrorUrl as a number',
    base: 'CUSTOM',
    patch: { modelMirrorUrl: 5 },
    field: 'modelMirrorUrl',
    message: /expected a non-empty string, got a number/,
  },
  {
    row: 'model_framework on a custom model',
    base: 'CUSTOM',
    patch: { modelFramework: 500150 },
    field: 'modelFramework',
    message: /only used with modelFrameworkType PRESET_MODEL or BASIC_FRAMEWORK/,
  },
  {
    row: 'model_code_dir on a custom model',
    base: 'CUSTOM',
    patch: { modelCodeDir: './serve' },
    field: 'modelCodeDir',
    message: /only used with modelFrameworkType BASIC_FRAMEWORK/,
  },
];

describe('toModelCreate: every row of the seed tables names its field', () => {
  it.each(rows)('$base: $row → $field', ({ base, patch, field, message }) => {
    const problems = problemsOf(toModelCreate(withPatch(BASES[base], patch)));
    const problem = problems.find((p) => p.field === field);
    expect(problem, JSON.stringify(problems)).toBeDefined();
    expect(problem!.message).toMatch(message);
  });
});

describe('toModelCreate: happy paths produce the exact wire body', () => {
  it('PRESET_MODEL: modelFramework is sent as presetModelId', () => {
    expect(toModelCreate({ ...PRESET_MODEL, modelDescription: 'resnet' })).toStrictEqual(
      E.right({
        body: {
          name: 'preset1-model',
          type: 'PRESET_MODEL',
          version: '1.1.1.2',
          presetModelId: 500000,
          modelPath: 's3://aiteam/image-class/',
          description: 'resnet',
        },
      }),
    );
  });

  it('BASIC_FRAMEWORK: modelFramework is sent as frameworkId, code as codeUrl, boot file as startup', () => {
    expect(toModelCreate({ ...BASIC_FRAMEWORK, modelCallSpecs: { input: 'image' } })).toStrictEqual(
      E.right({
        body: {
          name: 'basic-model',
          type: 'BASIC_FRAMEWORK',
          version: '1.12.1',
          frameworkId: 500150,
          modelPath: 's3://aiteam/wjm_output/V0001/',
          codeUrl: 's3://aiteam/mnist/code/',
          startup: 'predict.py',
          callSpecs: { input: 'image' },
        },
      }),
    );
  });

  it('CUSTOM: the image is sent as mirrorUrl', () => {
    expect(toModelCreate(CUSTOM)).toStrictEqual(
      E.right({
        body: {
          name: 'custom-model',
          type: 'CUSTOM',
          version: '1.1.3',
          modelPath: 's3://aiteam/image-class/',
          mirrorUrl: '172.16.14.172/test/cuda:9.0-devel-ubuntu16.04',
        },
      }),
    );
  });

  it('a local modelCodeDir is left to upload; git info goes to the wire', () => {
    const local = toModelCreate({ ...BASIC_FRAMEWORK, modelCodeDir: './serving' });
    if (E.isLeft(local)) throw local.left;
    expect(local.right.localCodeDir).toBe('./serving');
    expect(local.right.body).not.toHaveProperty('codeUrl');

    const git = { username: 'u', password: 'p', branch: 'main' };
    const fromGit = toModelCreate(withPatch(BASIC_FRAMEWORK, { modelCodeDir: undefined, modelGitInfo: git }));
    if (E.isLeft(fromGit)) throw fromGit.left;
    expect(fromGit.right.body.gitInfo).toStrictEqual(git);
    expect(fromGit.right).not.toHaveProperty('localCodeDir');
  });

  it('accepts model_git_info as the seed writes it (a list), and with model_code_dir as the Python SDK sends them', () => {
    // The seed's table: model_git_info=[{"username":"xxx","password":"xxx","branch":"xxxx"}]
    const seedList = [{ username: 'xxx', password: 'xxx', branch: 'xxxx' }];
    const listOnly = toModelCreate(
      withPatch(BASIC_FRAMEWORK, { modelCodeDir: undefined, modelGitInfo: seedList }),
    );
    if (E.isLeft(listOnly)) throw listOnly.left;
    expect(listOnly.right.body.gitInfo).toStrictEqual(seedList);
    expect(listOnly.right.body).not.toHaveProperty('codeUrl');

    const both = toModelCreate({ ...BASIC_FRAMEWORK, modelGitInfo: seedList });
    if (E.isLeft(both)) throw both.left;
    expect(both.right.body).toMatchObject({ codeUrl: BASIC_FRAMEWORK.modelCodeDir, gitInfo: seedList });
    const wire = JSON.parse(JSON.stringify(ModelCreate.encode(both.right.body)));
    expect(ModelCreate.decode(wire)).toStrictEqual(E.right(both.right.body));
  });

  it.each(Object.entries(BASES))('a %s body passes the strict ModelCreate codec', (_, params) => {
    const result = toModelCreate(params);
    if (E.isLeft(result)) throw result.left;
    const wire = JSON.parse(JSON.stringify(ModelCreate.encode(result.right.body)));
    expect(ModelCreate.decode(wire)).toStrictEqual(E.right(result.right.body));
  });
});

describe('toModelCreate: defaults from the training job', () => {
  const fromTraining = {
    modelName: 'basic-train',
    modelFrameworkType: 'BASIC_FRAMEWORK',
    modelFramework: 500150,
    modelPath: 's3://aiteam/mnist/output/V0001/',
  } as const;

  it("fills the fields the user left out, as the seed's create_model does", () => {
    const result = toModelCreate(
      { modelVersion: '1.0.0', modelCodeDir: 's3://aiteam/code/', modelBootFile: 'predict.py' },
      fromTraining,
    );
    expect(result).toStrictEqual(
      E.right({
        body: {
          name: 'basic-train',
          type: 'BASIC_FRAMEWORK',
          version: '1.0.0',
          frameworkId: 500150,
          modelPath: 's3://aiteam/mnist/output/V0001/',
          codeUrl: 's3://aiteam/code/',
          startup: 'predict.py',
        },
      }),
    );
  });

  it("the user's own values win over defaults", () => {
    const result = toModelCreate(
      { ...BASIC_FRAMEWORK, modelName: 'mine', modelPath: 's3://aiteam/elsewhere/' },
      fromTraining,
    );
    if (E.isLeft(result)) throw result.left;
    expect(result.right.body.name).toBe('mine');
    expect(result.right.body.modelPath).toBe('s3://aiteam/elsewhere/');
  });

  it('null counts as left out (Python None)', () => {
    const result = toModelCreate(
      { ...BASIC_FRAMEWORK, modelPath: null } as unknown as ModelParams,
      fromTraining,
    );
    if (E.isLeft(result)) throw result.left;
    expect(result.right.body.modelPath).toBe(fromTraining.modelPath);
  });

  it('a default that does not apply to the type the user chose is dropped, not reported', () => {
    const result = toModelCreate(
      { modelVersion: '1.0.0', modelFrameworkType: 'CUSTOM', modelMirrorUrl: 'img:1' },
      fromTraining,
    );
    expect(result).toStrictEqual(
      E.right({
        body: {
          name: 'basic-train',
          type: 'CUSTOM',
          version: '1.0.0',
          modelPath: 's3://aiteam/mnist/output/V0001/',
          mirrorUrl: 'img:1',
        },
      }),
    );
  });

  it('a bad defaulted value is named by its parameter and marked as coming from the defaults', () => {
    // Overridden by the user, a bad default is never looked at.
    expect(E.isRight(toModelCreate(CUSTOM, { modelPath: 'not-s3' }))).toBe(true);
    const problemsWithDefault = problemsOf(
      toModelCreate(withPatch(CUSTOM, { modelPath: undefined }), { modelPath: '/tmp/output' }),
    );
    expect(problemsWithDefault).toStrictEqual([
      {
        field: 'modelPath',
        message: expect.stringMatching(/s3:\/\/bucket\/key.*\(value from the defaults\)$/),
      },
    ]);
  });

  it("never writes to the caller's params or defaults", () => {
    const params = Object.freeze({ modelVersion: '1.0.0', modelCodeDir: './code', modelBootFile: 'p.py' });
    const defaults = Object.freeze({ ...fromTraining });
    expect(E.isRight(toModelCreate(params, defaults))).toBe(true);
    expect(params).toStrictEqual({ modelVersion: '1.0.0', modelCodeDir: './code', modelBootFile: 'p.py' });
  });
});

describe('toModelCreate: every problem at once', () => {
  it('lists all problems of one call', () => {
    const problems = problemsOf(
      toModelCreate({
        modelVersion: 'v1',
        modelFrameworkType: 'BASIC_FRAMEWORK',
        modelPath: 'out/',
        modelMirrorUrl: 'img',
      }),
    );
    expect(problems.map((p) => p.field)).toStrictEqual([
      'modelName',
      'modelVersion',
      'modelPath',
      'modelFramework',
      'modelBootFile',
      'modelMirrorUrl',
      'modelCodeDir',
    ]);
  });
});
