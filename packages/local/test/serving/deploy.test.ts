import { GetObjectCommand } from '@aws-sdk/client-s3';
import { quote } from 'shell-quote';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPredictor } from '../../src/algorithms/predictor.js';
import { isRunning, put, SMALL_MACHINE, startTestPlatform, waitUntil } from '../platform/helpers.js';
import {
  deploy,
  fixture,
  instancesOf,
  LOGISTIC_REGRESSION,
  LOGISTIC_REGRESSION_MODEL,
  NODE_PREDICT,
  PYTHON_PREDICT,
  predict,
  serviceLogs,
  serviceModel,
  uploadPredictModel,
  waitForService,
} from './helpers.js';

let env: Awaited<ReturnType<typeof startTestPlatform>>;

beforeAll(async () => {
  env = await startTestPlatform({
    serving: { containerEngine: null },
    onError: (e) => console.error('PLATFORM', e),
  });
});

afterAll(async () => {
  await env?.close();
});

const IRIS = fixture('iris.csv');
const rows = IRIS.trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',').slice(0, 4).map(Number));

describe('train → model → deploy → predict', () => {
  it('PRESET_ALGORITHM: a logistic regression trained on iris answers as loadPredictor on its model.json', async () => {
    const { api, s3, platform } = env;
    const dataUrl = await put(s3, platform, 'iris/data/iris.csv', IRIS);
    const output = `s3://${platform.s3.bucket}/iris/output/`;
    const job = await api.ok('POST', '/v1/train', {
      name: 'iris',
      type: 'PRESET_ALGORITHM',
      algorithmId: LOGISTIC_REGRESSION,
      resourceId: SMALL_MACHINE,
      dataUrl,
      output,
      parameters: [{ name: 'epochs', value: '20' }],
    });
    await api.waitForStatus(job.json.versionId, ['FINISH'], 30_000);

    const model = await api.ok('POST', '/v1/model', {
      name: 'iris-model',
      type: 'PRESET_MODEL',
      version: '1.0.0',
      presetModelId: LOGISTIC_REGRESSION_MODEL,
      modelPath: output,
    });
    const id = await deploy(api, 'iris-service', [serviceModel(model.json.versionId)]);
    expect((await api.ok('GET', `/v1/service/${id}`)).json.status).toMatch(/DEPLOYING|RUNNING/);
    const detail = await waitForService(api, id, ['RUNNING', 'FAILED']);
    expect(detail).toMatchObject({
      id,
      name: 'iris-service',
      type: 'ONLINE_SERVICE',
      status: 'RUNNING',
      accessAddress: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      serviceModels: [
        {
          modelVersionId: model.json.versionId,
          weight: 100,
          instanceCount: 1,
          instances: [{ index: 0, status: 'READY', restarts: 0, port: expect.any(Number) }],
        },
      ],
    });

    const stored = await s3.send(
      new GetObjectCommand({ Bucket: platform.s3.bucket, Key: 'iris/output/model.json' }),
    );
    const expected = loadPredictor(JSON.parse(await stored.Body!.transformToString()))({ instances: rows });
    const answer = await predict(detail.accessAddress, { instances: rows });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual(expected);
    expect(new Set(answer.json.predictions)).toEqual(new Set(['setosa', 'versicolor', 'virginica']));

    const bad = await predict(detail.accessAddress, { instances: [[1, 2]] });
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ errorCode: 4000, message: expect.stringContaining('instances[0]') });

    const logs = await serviceLogs(api, id);
    expect(logs.map((l) => l.id)).toEqual(logs.map((_, i) => i));
    expect(logs.some((l) => l.instance === 0 && /serving logistic-regression/.test(l.content))).toBe(true);
    expect(logs.some((l) => /\[modelmaker\] instance 0: ready on port/.test(l.content))).toBe(true);
  });

  it('BASIC_FRAMEWORK: a Node and a Python stdlib predict server, with PORT, the model and code dirs and envs', async () => {
    const { api, s3, platform } = env;
    const deployed: Array<[number, string]> = [];
    for (const [framework, file, tag] of [
      [NODE_PREDICT, 'predict-node.mjs', 'node-model'],
      [PYTHON_PREDICT, 'predict-python.py', 'python-model'],
    ] as const) {
      const as = file.endsWith('.py') ? 'predict.py' : 'predict.mjs';
      const { modelPath, codeUrl } = await uploadPredictModel(s3, platform, tag, tag, { file, as });
      const model = await api.ok('POST', '/v1/model', {
        name: tag,
        type: 'BASIC_FRAMEWORK',
        version: '0.1.0',
        frameworkId: framework,
        modelPath,
        codeUrl,
        startup: as,
      });
      const id = await deploy(api, `${tag}-service`, [
        serviceModel(model.json.versionId, { instanceCount: 2, envs: [{ name: 'GREETING', value: 'hi' }] }),
      ]);
      deployed.push([id, tag]);
    }
    for (const [id, tag] of deployed) {
      const detail = await waitForService(api, id, ['RUNNING', 'FAILED']);
      expect(detail.status).toBe('RUNNING');
      const instances = instancesOf(detail);
      expect(instances.map((i) => [i.index, i.status])).toEqual([
        [0, 'READY'],
        [1, 'READY'],
      ]);
      const ports = new Set<number>();
      for (let i = 0; i < 6; i++) {
        const answer = await predict(detail.accessAddress, { instances: [[1, 2, 3]] });
        expect(answer.status).toBe(200);
        expect(answer.json).toMatchObject({ predictions: [6], tag });
        ports.add(answer.json.port);
      }
      // Round-robin over the two instances, each on its own port.
      expect(ports).toEqual(new Set(instances.map((i) => i.port)));
      const logs = await serviceLogs(api, id);
      expect(logs.some((l) => l.instance === 1 && l.content.includes(`model ${tag}`))).toBe(true);
      if (tag === 'node-model') {
        expect(logs.find((l) => l.content === 'predict-node: a line on stderr')).toMatchObject({
          stream: 'stderr',
        });
        expect(logs.some((l) => /code \/.*\/code$/.test(l.content))).toBe(true);
      }
    }
  });

  it('CUSTOM: without a container engine, the MODELMAKER_HOST_COMMAND env runs the model server on the host', async () => {
    const { api, s3, platform } = env;
    const modelPath = (await put(s3, platform, 'custom/model/tag.txt', 'custom-model')).replace(
      /tag\.txt$/,
      '',
    );
    await put(s3, platform, 'custom/model/server.mjs', fixture('predict-node.mjs'));
    const model = await api.ok('POST', '/v1/model', {
      name: 'custom-model',
      type: 'CUSTOM',
      version: '2.0.0',
      mirrorUrl: 'registry.example/team/predict:2.0',
      modelPath,
    });

    const imageOnly = await deploy(api, 'custom-image-only', [serviceModel(model.json.versionId)]);
    const failed = await waitForService(api, imageOnly, ['RUNNING', 'FAILED']);
    expect(failed.status).toBe('FAILED');
    expect(failed.reason).toMatch(/container engine.*MODELMAKER_HOST_COMMAND/);
    expect((await predict(failed.accessAddress, {})).json.message).toContain('FAILED');

    const id = await deploy(api, 'custom-host', [
      serviceModel(model.json.versionId, {
        envs: [{ name: 'MODELMAKER_HOST_COMMAND', value: `${quote([process.execPath])} server.mjs` }],
      }),
    ]);
    const detail = await waitForService(api, id, ['RUNNING', 'FAILED']);
    expect(detail.status).toBe('RUNNING');
    const answer = await predict(detail.accessAddress, { instances: [[2, 2]] });
    expect(answer).toMatchObject({ status: 200, json: { predictions: [4], tag: 'custom-model' } });
    const logs = await serviceLogs(api, id);
    expect(logs.some((l) => l.content.includes('running MODELMAKER_HOST_COMMAND'))).toBe(true);

    const pid = instancesOf(detail)[0]!.pid!;
    await api.ok('DELETE', `/v1/service/${id}`);
    expect(isRunning(pid)).toBe(false);
    await api.ok('DELETE', `/v1/service/${imageOnly}`);
    await waitUntil(async () => (await api.ok('DELETE', `/v1/model/${model.json.id}`)) && true);
  });

  it('never sends true, false or null in any API response body', () => {
    expect(env.api.texts.length).toBeGreaterThan(10);
    for (const text of env.api.texts) expect(text).not.toMatch(/\btrue\b|\bfalse\b|\bnull\b/);
  });
});
