import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { type DeployParams, toServiceCreate } from '../../../src/codecs/params/index.js';
import { ServiceCreate } from '../../../src/codecs/services.js';
import type { FieldProblem } from '../../../src/errors.js';

function problemsOf(
  result: E.Either<{ problems: readonly FieldProblem[] }, unknown>,
): readonly FieldProblem[] {
  if (E.isRight(result)) throw new Error(`expected a ValidationError, got ${JSON.stringify(result.right)}`);
  return result.left.problems;
}

const model = { modelVersionId: 50283, weight: 100, resourceId: 500151, instanceCount: 1 };
const BASE: DeployParams = {
  serviceName: 'basic-predict',
  serviceType: 'ONLINE_SERVICE',
  serviceModels: [model],
};

interface Row {
  readonly row: string;
  readonly params: Record<string, unknown>;
  readonly field: string;
  readonly message: RegExp;
}

const withModel = (patch: Record<string, unknown>) => ({ ...BASE, serviceModels: [{ ...model, ...patch }] });
const without = (key: string) => {
  const { [key]: _, ...rest } = BASE as unknown as Record<string, unknown>;
  return rest;
};
const modelWithout = (key: string) => {
  const { [key]: _, ...rest } = model as Record<string, unknown>;
  return { ...BASE, serviceModels: [rest] };
};

// 创建部署参数列表 and its note: ONLINE_SERVICE only; entries must have weight, resourceId, instanceCount.
const rows: Row[] = [
  {
    row: 'service_name missing',
    params: without('serviceName'),
    field: 'serviceName',
    message: /^required$/,
  },
  {
    row: 'service_name as a number',
    params: { ...BASE, serviceName: 7 },
    field: 'serviceName',
    message: /expected a non-empty string, got a number/,
  },
  {
    row: 'service_type not ONLINE_SERVICE',
    params: { ...BASE, serviceType: 'BATCH_SERVICE' },
    field: 'serviceType',
    message: /expected one of ONLINE_SERVICE, got "BATCH_SERVICE"/,
  },
  {
    row: 'service_models missing',
    params: without('serviceModels'),
    field: 'serviceModels',
    message: /^required$/,
  },
  {
    row: 'service_models empty',
    params: { ...BASE, serviceModels: [] },
    field: 'serviceModels',
    message: /at least one entry/,
  },
  {
    row: 'service_models not a list',
    params: { ...BASE, serviceModels: model },
    field: 'serviceModels',
    message: /expected an array, got an object/,
  },
  {
    row: 'service_models entry not an object',
    params: { ...BASE, serviceModels: [500151] },
    field: 'serviceModels[0]',
    message: /expected an object/,
  },
  {
    row: 'weight missing',
    params: modelWithout('weight'),
    field: 'serviceModels[0].weight',
    message: /^required$/,
  },
  {
    row: 'weight above 100',
    params: withModel({ weight: 101 }),
    field: 'serviceModels[0].weight',
    message: /expected an integer in 0\.\.100, got 101/,
  },
  {
    row: 'weight as a string',
    params: withModel({ weight: '100' }),
    field: 'serviceModels[0].weight',
    message: /got a string/,
  },
  {
    row: 'resourceId missing',
    params: modelWithout('resourceId'),
    field: 'serviceModels[0].resourceId',
    message: /^required$/,
  },
  {
    row: 'resourceId as a string',
    params: withModel({ resourceId: '500151' }),
    field: 'serviceModels[0].resourceId',
    message: /expected an integer >= 1, got a string/,
  },
  {
    row: 'instanceCount missing',
    params: modelWithout('instanceCount'),
    field: 'serviceModels[0].instanceCount',
    message: /^required$/,
  },
  {
    row: 'instanceCount 0',
    params: withModel({ instanceCount: 0 }),
    field: 'serviceModels[0].instanceCount',
    message: /expected an integer in 1\.\.10, got 0/,
  },
  {
    row: 'instanceCount 11',
    params: withModel({ instanceCount: 11 }),
    field: 'serviceModels[0].instanceCount',
    message: /expected an integer in 1\.\.10, got 11/,
  },
  {
    row: 'modelVersionId missing everywhere',
    params: modelWithout('modelVersionId'),
    field: 'serviceModels[0].modelVersionId',
    message: /required/,
  },
  {
    row: 'modelVersionId as a string',
    params: withModel({ modelVersionId: '50283' }),
    field: 'serviceModels[0].modelVersionId',
    message: /got a string/,
  },
  {
    row: 'resourcePoolType unknown',
    params: withModel({ resourcePoolType: 'SHARED' }),
    field: 'serviceModels[0].resourcePoolType',
    message: /PUBLIC_POOL \| PERSONAL_POOL/,
  },
  {
    row: 'envs bad name',
    params: withModel({ envs: [{ name: 'A-B', value: '1' }] }),
    field: 'serviceModels[0].envs[0].name',
    message: /environment variable name/,
  },
  {
    row: 'entry with an unknown key',
    params: withModel({ modelVersionID: 1 }),
    field: 'serviceModels[0].modelVersionID',
    message: /unknown key \(did you mean modelVersionId\?\)/,
  },
  {
    row: 'entry with a snake_case key',
    params: withModel({ resource_id: 500151 }),
    field: 'serviceModels[0].resource_id',
    message: /unknown key \(did you mean resourceId\?\)/,
  },
  {
    row: 'entry with a key nothing like a known one',
    params: withModel({ gpu: 1 }),
    field: 'serviceModels[0].gpu',
    message: /unknown key \(expected modelVersionId, /,
  },
  {
    row: "the seed's snake_case name",
    params: { ...without('serviceModels'), service_models: [model] },
    field: 'service_models',
    message: /did you mean serviceModels\?/,
  },
];

describe('toServiceCreate: every row of the seed table names its field', () => {
  it.each(rows)('$row → $field', ({ params, field, message }) => {
    const problems = problemsOf(toServiceCreate(params as unknown as DeployParams));
    const problem = problems.find((p) => p.field === field);
    expect(problem, JSON.stringify(problems)).toBeDefined();
    expect(problem!.message).toMatch(message);
  });
});

describe('toServiceCreate: happy paths produce the exact wire body', () => {
  it('the seed example, with the service type defaulted', () => {
    expect(
      toServiceCreate(
        {
          serviceName: 'basic-predict',
          serviceModels: [{ weight: 100, resourceId: 500151, instanceCount: 1 }],
        },
        { modelVersionId: 50283 },
      ),
    ).toStrictEqual(
      E.right({
        name: 'basic-predict',
        type: 'ONLINE_SERVICE',
        serviceModels: [{ modelVersionId: 50283, weight: 100, resourceId: 500151, instanceCount: 1 }],
      }),
    );
  });

  it('two models splitting the traffic, with pool and envs', () => {
    const result = toServiceCreate(
      {
        serviceName: 'ab',
        serviceType: 'ONLINE_SERVICE',
        serviceModels: [
          {
            modelVersionId: 1,
            weight: 70,
            resourceId: 9,
            instanceCount: 2,
            resourcePoolType: 'PERSONAL_POOL',
          },
          { weight: 30, resourceId: 9, instanceCount: 10, envs: [{ name: 'THREADS', value: 4 }] },
        ],
      },
      { modelVersionId: 2 },
    );
    expect(result).toStrictEqual(
      E.right({
        name: 'ab',
        type: 'ONLINE_SERVICE',
        serviceModels: [
          {
            modelVersionId: 1,
            weight: 70,
            resourceId: 9,
            instanceCount: 2,
            resourcePoolType: 'PERSONAL_POOL',
          },
          {
            modelVersionId: 2,
            weight: 30,
            resourceId: 9,
            instanceCount: 10,
            envs: [{ name: 'THREADS', value: '4' }],
          },
        ],
      }),
    );
    if (E.isLeft(result)) throw result.left;
    expect(
      ServiceCreate.decode(JSON.parse(JSON.stringify(ServiceCreate.encode(result.right)))),
    ).toStrictEqual(result);
  });

  it('an explicit modelVersionId wins over the default', () => {
    const result = toServiceCreate(BASE, { modelVersionId: 1 });
    if (E.isLeft(result)) throw result.left;
    expect(result.right.serviceModels[0]?.modelVersionId).toBe(50283);
  });
});

describe('toServiceCreate: traffic and every problem at once', () => {
  it('weights must add up to 100 percent', () => {
    const problems = problemsOf(
      toServiceCreate({
        ...BASE,
        serviceModels: [
          { ...model, weight: 60 },
          { ...model, modelVersionId: 2, weight: 30 },
        ],
      }),
    );
    expect(problems).toStrictEqual([
      { field: 'serviceModels', message: expect.stringMatching(/adding up to 100.*got 90/) },
    ]);
  });

  it('the same model version twice is named at its second entry', () => {
    const problems = problemsOf(
      toServiceCreate({
        ...BASE,
        serviceModels: [
          { ...model, weight: 50 },
          { ...model, weight: 50 },
        ],
      }),
    );
    expect(problems.map((p) => p.field)).toStrictEqual(['serviceModels[1].modelVersionId']);
  });

  it('a bad default is named at each entry that used it, marked as a default', () => {
    const problems = problemsOf(
      toServiceCreate(
        { serviceName: 's', serviceModels: [{ weight: 100, resourceId: 1, instanceCount: 1 }] },
        { modelVersionId: 0 },
      ),
    );
    expect(problems).toStrictEqual([
      {
        field: 'serviceModels[0].modelVersionId',
        message: expect.stringMatching(/got 0 \(value from the defaults\)$/),
      },
    ]);
  });

  it('lists every problem of every entry', () => {
    const problems = problemsOf(
      toServiceCreate({
        serviceName: '',
        serviceType: 'BATCH',
        serviceModels: [
          { weight: 101, resourceId: 0, instanceCount: 11 },
          { modelVersionId: 3, resourceId: 1, instanceCount: 1 },
        ],
      } as unknown as DeployParams),
    );
    expect(problems.map((p) => p.field)).toStrictEqual([
      'serviceName',
      'serviceType',
      'serviceModels[0].modelVersionId',
      'serviceModels[0].weight',
      'serviceModels[0].resourceId',
      'serviceModels[0].instanceCount',
      'serviceModels[1].weight',
    ]);
  });
});
