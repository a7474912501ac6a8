import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { put, startTestPlatform } from '../platform/helpers.js';
import {
  deploy,
  LOGISTIC_REGRESSION_MODEL,
  NODE_PREDICT,
  nodeModel,
  PREDICT_MACHINE,
  PYTHON_PREDICT,
  serviceModel,
  uploadPredictModel,
  waitForService,
} from './helpers.js';

let env: Awaited<ReturnType<typeof startTestPlatform>>;

beforeAll(async () => {
  env = await startTestPlatform({ serving: { containerEngine: null } });
});

afterAll(async () => {
  await env?.close();
});

describe('models', () => {
  it('checks the catalog and S3 before creating, naming every problem', async () => {
    const { api, s3, platform } = env;
    const empty = `s3://${platform.s3.bucket}/nothing/here/`;
    const noModelJson = (await put(s3, platform, 'checks/preset/other.txt', 'x')).replace(/other\.txt$/, '');
    const cases: Array<[Record<string, unknown>, RegExp[]]> = [
      [
        { type: 'PRESET_MODEL', presetModelId: 999 },
        [/presetModelId: no preset model 999/, /modelPath: required/],
      ],
      [
        { type: 'PRESET_MODEL', presetModelId: LOGISTIC_REGRESSION_MODEL, modelPath: empty },
        [/modelPath: nothing found/],
      ],
      [
        { type: 'PRESET_MODEL', presetModelId: LOGISTIC_REGRESSION_MODEL, modelPath: noModelJson },
        [/modelPath: no model\.json/],
      ],
      [
        {
          type: 'BASIC_FRAMEWORK',
          frameworkId: 500100,
          modelPath: noModelJson,
          codeUrl: noModelJson,
          startup: 'x.py',
        },
        [/frameworkId: no PREDICT framework 500100/, /codeUrl: no x\.py/],
      ],
      [
        {
          type: 'BASIC_FRAMEWORK',
          frameworkId: NODE_PREDICT,
          modelPath: noModelJson,
          startup: '../x.py',
          gitInfo: { username: 'u', password: 'p', branch: 'main' },
        },
        [/gitInfo\.url: required on the local platform/, /startup: expected a path inside the code/],
      ],
      [{ type: 'CUSTOM', codeUrl: empty }, [/mirrorUrl: required/, /codeUrl: nothing found/]],
      [
        // the seed's model_framework=500150 is a Python framework: a .mjs boot file is refused at submit
        {
          type: 'BASIC_FRAMEWORK',
          frameworkId: PYTHON_PREDICT,
          modelPath: noModelJson,
          codeUrl: noModelJson,
          startup: 'predict.mjs',
        },
        [/startup \(modelBootFile\): framework 500150 \(python3\) runs \.py files, got "predict\.mjs"/],
      ],
    ];
    for (const [body, messages] of cases) {
      const answer = await api.call('POST', '/v1/model', { name: 'checked', version: '1', ...body });
      expect(answer.status).toBe(400);
      expect(answer.json.errorCode).toBe(4000);
      for (const message of messages) expect(answer.json.message).toMatch(message);
    }
    expect((await api.ok('GET', '/v1/model')).json.models).toEqual([]);
  });

  it('creates, versions (101009 on a name clash), lists, reads and deletes models', async () => {
    const { api, s3, platform } = env;
    const { modelPath, codeUrl } = await uploadPredictModel(s3, platform, 'crud', 'C', {
      file: 'predict-node.mjs',
      as: 'server.mjs',
    });
    const body = {
      name: 'crud',
      type: 'BASIC_FRAMEWORK',
      version: '1.0.0',
      frameworkId: NODE_PREDICT,
      modelPath,
      codeUrl,
      startup: 'server.mjs',
      description: 'the first',
      callSpecs: { input: { instances: 'number[][]' }, flag: true, none: null },
      gitInfo: [{ username: 'me', password: 'secret', branch: 'main' }],
    };
    const created = await api.ok('POST', '/v1/model', body);
    expect(created.json).toEqual({ id: expect.any(Number), versionId: expect.any(Number) });
    const clash = await api.call('POST', '/v1/model', { ...body, version: '1.0.1' });
    expect(clash.status).toBe(200);
    expect(clash.json).toEqual({ errorCode: 101009, message: expect.stringContaining('crud') });

    const second = await api.ok('POST', `/v1/model/${created.json.id}/version/`, {
      ...body,
      name: 'ignored',
      version: '1.0.1',
    });
    expect(second.json).toEqual({ id: created.json.id, versionId: expect.any(Number) });
    const third = await api.ok('POST', `/v1/model/${created.json.id}/version`, { ...body, version: '1.0.2' });
    expect((await api.call('POST', '/v1/model/9999/version/', body)).json.errorCode).toBe(4004);

    const list = await api.ok('GET', '/v1/model');
    expect(list.json.models).toEqual([
      {
        id: created.json.id,
        name: 'crud',
        type: 'BASIC_FRAMEWORK',
        description: 'the first',
        createdAt: expect.any(String),
        latestVersionId: third.json.versionId,
      },
    ]);
    const detail = await api.ok('GET', `/v1/model/${created.json.id}`);
    expect(detail.json.versions.map((v: { version: string }) => v.version)).toEqual([
      '1.0.0',
      '1.0.1',
      '1.0.2',
    ]);
    const version = await api.ok('GET', `/v1/model/version/${second.json.versionId}`);
    expect(version.json).toEqual({
      id: second.json.versionId,
      modelId: created.json.id,
      name: 'crud',
      version: '1.0.1',
      type: 'BASIC_FRAMEWORK',
      status: 'READY',
      frameworkId: NODE_PREDICT,
      modelPath,
      codeUrl,
      startup: 'server.mjs',
      description: 'the first',
      callSpecs: { input: { instances: 'number[][]' }, flag: 1 },
      gitInfo: [{ username: 'me', branch: 'main' }],
      createdAt: expect.any(String),
    });
    expect(version.text).not.toContain('secret');

    await api.ok('DELETE', `/v1/model/version/${second.json.versionId}`);
    expect((await api.call('GET', `/v1/model/version/${second.json.versionId}`)).json.errorCode).toBe(4004);
    await api.ok('DELETE', `/v1/model/${created.json.id}`);
    expect((await api.call('GET', `/v1/model/${created.json.id}`)).status).toBe(404);
    expect((await api.call('GET', `/v1/model/version/${third.json.versionId}`)).status).toBe(404);
    expect((await api.call('DELETE', `/v1/model/${created.json.id}`)).json.errorCode).toBe(4004);
  });
});

describe('service requests', () => {
  it('refuses bad service models in one 400, a taken name with 409 / 4009, unknown ids with 404', async () => {
    const { api, s3, platform } = env;
    const version = await nodeModel(api, s3, platform, 'svc-checks', 'V');
    const bad = await api.call('POST', '/v1/service', {
      name: 'bad',
      type: 'ONLINE_SERVICE',
      serviceModels: [
        { modelVersionId: 9999, weight: 0, resourceId: 500050, instanceCount: 1 },
        { modelVersionId: version, weight: 0, resourceId: PREDICT_MACHINE, instanceCount: 1 },
        { modelVersionId: version, weight: 0, resourceId: PREDICT_MACHINE, instanceCount: 1 },
      ],
    });
    expect(bad.status).toBe(400);
    for (const message of [
      /serviceModels\[0\]\.modelVersionId: no model version 9999/,
      /serviceModels\[0\]\.resourceId: no PREDICT resource 500050/,
      /serviceModels\[2\]\.modelVersionId: model version \d+ is listed twice/,
      /serviceModels: the weights add up to 0/,
    ]) {
      expect(bad.json.message).toMatch(message);
    }
    expect(
      (await api.call('POST', '/v1/service', { name: 'x', type: 'BATCH', serviceModels: [] })).status,
    ).toBe(400);

    const id = await deploy(api, 'taken', [serviceModel(version)]);
    const clash = await api.call('POST', '/v1/service', {
      name: 'taken',
      type: 'ONLINE_SERVICE',
      serviceModels: [serviceModel(version)],
    });
    expect(clash.status).toBe(409);
    expect(clash.json.errorCode).toBe(4009);
    const other = await deploy(api, 'other', [serviceModel(version)]);
    await waitForService(api, id, ['RUNNING']);
    expect((await api.call('PUT', `/v1/service/${other}`, { name: 'taken' })).json.errorCode).toBe(4009);
    await api.ok('PUT', `/v1/service/${other}`, { name: 'renamed' });
    expect((await api.ok('GET', `/v1/service/${other}`)).json.name).toBe('renamed');

    for (const [method, path] of [
      ['GET', '/v1/service/9999'],
      ['POST', '/v1/service/9999/start'],
      ['POST', '/v1/service/9999/stop'],
      ['PUT', '/v1/service/9999'],
      ['DELETE', '/v1/service/9999'],
      ['GET', '/v1/service/9999/log?lastId=0'],
    ] as const) {
      const answer = await api.call(method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
      expect([answer.status, answer.json.errorCode]).toEqual([404, 4004]);
    }
    await api.ok('DELETE', `/v1/service/${id}`);
    await api.ok('DELETE', `/v1/service/${other}`);
  });

  it('long-polls the service log: a waiting read is woken by new lines, and returns at once when STOPPED', async () => {
    const { api, s3, platform } = env;
    const version = await nodeModel(api, s3, platform, 'svc-logs', 'L');
    const id = await deploy(api, 'logs', [serviceModel(version)]);
    await waitForService(api, id, ['RUNNING']);
    const page = await api.ok('GET', `/v1/service/${id}/log?lastId=0`);
    const next = page.json.logs.at(-1).id + 1;
    const started = Date.now();
    const waiting = api.ok('GET', `/v1/service/${id}/log?lastId=${next}&wait=20`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await api.ok('POST', `/v1/service/${id}/stop`, {});
    const woken = await waiting;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(woken.json.logs[0]).toMatchObject({ id: next, instance: 0, stream: 'stdout' });
    await waitForService(api, id, ['STOPPED']);
    const all = await api.ok('GET', `/v1/service/${id}/log?lastId=0&limit=10000`);
    const end = all.json.logs.at(-1).id + 1;
    const quick = Date.now();
    expect((await api.ok('GET', `/v1/service/${id}/log?lastId=${end}&wait=20`)).json.logs).toEqual([]);
    expect(Date.now() - quick).toBeLessThan(2000);
    const limited = await api.ok('GET', `/v1/service/${id}/log?lastId=0&limit=2`);
    expect(limited.json).toMatchObject({ logs: [{ id: 0 }, { id: 1 }], hasMore: 1 });
    await api.ok('DELETE', `/v1/service/${id}`);
  });

  it('never sends true, false or null in any API response body', () => {
    for (const text of env.api.texts) expect(text).not.toMatch(/\btrue\b|\bfalse\b|\bnull\b/);
  });
});
