/**
 * Every row of the endpoint table through its row function: method, path, query,
 * headers and body on the wire as the contract says; the decoded result; and a
 * malformed response failing with a DecodeError that names the path.
 */
import { HttpResponse, http } from 'msw';
import { lastValueFrom, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { authAccess, authToken } from '../../src/client/auth.js';
import { call } from '../../src/client/call.js';
import {
  listFrameworks,
  listPresetAlgorithms,
  listPresetModels,
  listResources,
} from '../../src/client/catalog.js';
import {
  createModel,
  createModelVersion,
  deleteModel,
  deleteModelVersion,
  getModel,
  getModelVersion,
  listModels,
} from '../../src/client/models.js';
import {
  createService,
  deleteService,
  getService,
  getServiceLog,
  listServices,
  startService,
  stopService,
  updateService,
} from '../../src/client/services.js';
import type { Session } from '../../src/client/session.js';
import {
  createTrain,
  createTrainVersion,
  deleteTrain,
  deleteTrainVersion,
  getTrain,
  getTrainLog,
  getTrainOutput,
  getTrainPerformanceMonitor,
  getTrainResourceMonitor,
  getTrainVersion,
  listTrain,
  stopTrain,
} from '../../src/client/training.js';
import { type EndpointName, endpoints } from '../../src/codecs/endpoints.js';
import type { ModelCreate } from '../../src/codecs/models.js';
import type { ServiceCreate } from '../../src/codecs/services.js';
import type { TrainCreate } from '../../src/codecs/training.js';
import { authCounter, authHandler, BASE, newSession, PASSWORD, USERNAME, useServer } from './support.js';

const server = useServer();

const trainBody: TrainCreate = {
  name: 'mnist',
  type: 'BASIC_FRAMEWORK',
  output: 's3://bucket/out/',
  frameworkId: 500100,
  codeUrl: 's3://bucket/code/',
  startup: 'train.py',
  resourceId: 500050,
  instance: 1,
  volumeSize: 1,
  gitInfo: { username: 'git-user', password: 'git-password', branch: 'main' },
  isFlowInput: true,
};
const trainWire = { ...trainBody, isFlowInput: 1 };
const modelBody: ModelCreate = {
  name: 'mnist-model',
  type: 'CUSTOM',
  version: '1.0.0',
  mirrorUrl: 'registry/img:1',
  modelPath: 's3://bucket/out/',
};
const serviceBody: ServiceCreate = {
  name: 'svc',
  type: 'ONLINE_SERVICE',
  serviceModels: [{ modelVersionId: 4, weight: 100, resourceId: 500151, instanceCount: 1 }],
};

interface Row {
  readonly name: EndpointName;
  readonly invoke: (session: Session) => Observable<unknown>;
  readonly method: string;
  readonly path: string;
  readonly query?: Record<string, string>;
  /** The JSON body expected on the wire. */
  readonly body?: unknown;
  readonly response: unknown;
  /** The decoded value, when it differs from `response`. */
  readonly decoded?: unknown;
  /** A response that must not decode, and the path its DecodeError names (none for ack rows). */
  readonly malformed?: { readonly response: unknown; readonly path: string };
}

const ack = {};

const rows: readonly Row[] = [
  {
    name: 'authToken',
    invoke: (s) => authToken(s, { username: USERNAME, password: PASSWORD }),
    method: 'POST',
    path: '/v1/auth-token',
    body: { username: USERNAME, password: PASSWORD },
    response: { token: 'tok-1', expiresIn: 3600 },
    malformed: { response: { token: 5 }, path: 'token' },
  },
  {
    name: 'authAccess',
    invoke: (s) => authAccess(s),
    method: 'GET',
    path: '/v1/account/auth-access',
    response: {
      s3: { ak: 'AK', sk: 'SK-secret', url: 's3.local:9000', region: 'js01' },
      mirror: { url: 'r' },
    },
    malformed: { response: { s3: { ak: 'AK', sk: 'SK', url: 'u' } }, path: 's3.region' },
  },
  {
    name: 'listResources',
    invoke: (s) => listResources(s, 'TRAIN'),
    method: 'GET',
    path: '/v1/resource/TRAIN',
    response: { resources: [{ id: 500050, name: 'gpu-1', cpu: 8, memory: '32G', gpu: 1, gpuModel: 'V100' }] },
    malformed: { response: { resources: [{ id: 'x' }] }, path: 'resources[0].id' },
  },
  {
    name: 'listFrameworks',
    invoke: (s) => listFrameworks(s, 'PREDICT'),
    method: 'GET',
    path: '/v1/basic-framework/PREDICT',
    response: { frameWorks: [{ id: 500150, name: 'tensorflow-1.15' }] },
    malformed: { response: { frameworks: [] }, path: 'frameWorks' },
  },
  {
    name: 'listPresetAlgorithms',
    invoke: (s) => listPresetAlgorithms(s),
    method: 'GET',
    path: '/v1/preset-algorithm',
    response: { presetAlgorithms: [{ id: 500000, name: 'resnet50' }] },
    malformed: { response: { presetAlgorithms: [{ id: 500000 }] }, path: 'presetAlgorithms[0].name' },
  },
  {
    name: 'listPresetModels',
    invoke: (s) => listPresetModels(s),
    method: 'GET',
    path: '/v1/preset-model',
    response: { presetModels: [{ id: 600000, name: 'resnet50' }] },
    malformed: { response: { presetModels: [{ name: 'x' }] }, path: 'presetModels[0].id' },
  },
  {
    name: 'createTrain',
    invoke: (s) => createTrain(s, trainBody),
    method: 'POST',
    path: '/v1/train',
    body: trainWire,
    response: { id: 7, versionId: 9 },
    malformed: { response: { id: 7 }, path: 'versionId' },
  },
  {
    name: 'createTrainVersion',
    invoke: (s) => createTrainVersion(s, 7, trainBody),
    method: 'POST',
    path: '/v1/train/7/version',
    body: trainWire,
    response: { id: 7, versionId: 10 },
    malformed: { response: { id: 7, versionId: 'ten' }, path: 'versionId' },
  },
  {
    name: 'listTrain',
    invoke: (s) => listTrain(s),
    method: 'GET',
    path: '/v1/train',
    response: { trainTasks: [{ id: 7, name: 'mnist', status: 'TRAINING' }] },
    malformed: {
      response: {
        trainTasks: [
          { id: 7, name: 'a' },
          { id: 'x', name: 'b' },
        ],
      },
      path: 'trainTasks[1].id',
    },
  },
  {
    name: 'getTrain',
    invoke: (s) => getTrain(s, 7),
    method: 'GET',
    path: '/v1/train/7',
    response: { id: 7, name: 'mnist', versions: [{ id: 9, status: 'FINISH' }] },
    malformed: { response: { versions: [{ id: -1 }] }, path: 'versions[0].id' },
  },
  {
    name: 'getTrainVersion',
    invoke: (s) => getTrainVersion(s, 9),
    method: 'GET',
    path: '/v1/train/version/9',
    response: { id: 9, status: 'TRAINING', jobId: 7 },
    malformed: { response: { id: 9 }, path: 'status' },
  },
  {
    name: 'getTrainLog',
    invoke: (s) => getTrainLog(s, 9, { lastId: 3, wait: 2, limit: 100 }),
    method: 'GET',
    path: '/v1/train/version/9/log',
    query: { lastId: '3', wait: '2', limit: '100' },
    response: { logs: [{ id: 3, content: 'epoch 1', instance: 0, stream: 'stdout' }], hasMore: 1 },
    decoded: { logs: [{ id: 3, content: 'epoch 1', instance: 0, stream: 'stdout' }], hasMore: true },
    malformed: { response: { logs: [{ id: 3 }] }, path: 'logs[0].content' },
  },
  {
    name: 'getTrainLog',
    invoke: (s) => getTrainLog(s, 9, { lastTime: 1714557600, lastNan: 250000000 }),
    method: 'GET',
    path: '/v1/train/version/9/log',
    query: { lastTime: '1714557600', lastNan: '250000000' },
    response: { logs: [{ id: 3, content: 'epoch 1', time: '2024-05-01T10:00:00.251Z', nanTime: 251000000 }] },
    malformed: { response: { logs: [{ id: 3 }] }, path: 'logs[0].content' },
  },
  {
    name: 'getTrainResourceMonitor',
    invoke: (s) => getTrainResourceMonitor(s, 9),
    method: 'GET',
    path: '/v1/train/version/9/resource-monitor',
    response: { samples: [{ time: 1700000000, instance: 0, cpu: 1.5, memory: 1024 }] },
    malformed: {
      response: { samples: [{ time: 1, instance: 0, cpu: 'x', memory: 1 }] },
      path: 'samples[0].cpu',
    },
  },
  {
    name: 'getTrainPerformanceMonitor',
    invoke: (s) => getTrainPerformanceMonitor(s, 9),
    method: 'GET',
    path: '/v1/train/version/9/performance-monitor',
    response: { metrics: [{ name: 'loss', points: [{ time: 1, value: 0.5, step: 1 }] }] },
    malformed: { response: { metrics: [{ points: [] }] }, path: 'metrics[0].name' },
  },
  {
    name: 'getTrainOutput',
    invoke: (s) => getTrainOutput(s, 9),
    method: 'GET',
    path: '/v1/train/version/9/output',
    response: {
      output: 's3://bucket/out/',
      files: [{ key: 'model.bin', size: 10, lastModified: '2024-01-01' }],
    },
    malformed: { response: { files: [] }, path: 'output' },
  },
  {
    name: 'stopTrain',
    invoke: (s) => stopTrain(s, 9),
    method: 'POST',
    path: '/v1/train/9/stop',
    body: {},
    response: ack,
  },
  {
    name: 'deleteTrainVersion',
    invoke: (s) => deleteTrainVersion(s, 9),
    method: 'DELETE',
    path: '/v1/train/version/9',
    response: ack,
  },
  {
    name: 'deleteTrain',
    invoke: (s) => deleteTrain(s, 7),
    method: 'DELETE',
    path: '/v1/train/7',
    response: ack,
  },
  {
    name: 'createModel',
    invoke: (s) => createModel(s, modelBody),
    method: 'POST',
    path: '/v1/model',
    body: modelBody,
    response: { id: 3, versionId: 4 },
    malformed: { response: { versionId: 4 }, path: 'id' },
  },
  {
    name: 'createModelVersion',
    invoke: (s) => createModelVersion(s, 3, modelBody),
    method: 'POST',
    path: '/v1/model/3/version/',
    body: modelBody,
    response: { versionId: 5 },
    malformed: { response: { id: 3 }, path: 'versionId' },
  },
  {
    name: 'listModels',
    invoke: (s) => listModels(s),
    method: 'GET',
    path: '/v1/model',
    response: { models: [{ id: 3, name: 'mnist-model' }] },
    malformed: { response: { models: {} }, path: 'models' },
  },
  {
    name: 'getModel',
    invoke: (s) => getModel(s, 3),
    method: 'GET',
    path: '/v1/model/3',
    response: { id: 3, name: 'mnist-model', versions: [{ id: 4, version: '1.0.0' }] },
    malformed: { response: { versions: [{ id: '4' }] }, path: 'versions[0].id' },
  },
  {
    name: 'getModelVersion',
    invoke: (s) => getModelVersion(s, 4),
    method: 'GET',
    path: '/v1/model/version/4',
    response: { id: 4, modelId: 3, version: '1.0.0', status: 'READY' },
    malformed: { response: { id: 0 }, path: 'id' },
  },
  {
    name: 'deleteModel',
    invoke: (s) => deleteModel(s, 3),
    method: 'DELETE',
    path: '/v1/model/3',
    response: ack,
  },
  {
    name: 'deleteModelVersion',
    invoke: (s) => deleteModelVersion(s, 4),
    method: 'DELETE',
    path: '/v1/model/version/4',
    response: ack,
  },
  {
    name: 'createService',
    invoke: (s) => createService(s, serviceBody),
    method: 'POST',
    path: '/v1/service',
    body: serviceBody,
    response: { id: 11 },
    malformed: { response: {}, path: 'id' },
  },
  {
    name: 'listServices',
    invoke: (s) => listServices(s),
    method: 'GET',
    path: '/v1/service',
    response: { services: [{ id: 11, name: 'svc', status: 'RUNNING' }] },
    malformed: { response: { services: [{ status: 'RUNNING' }] }, path: 'services[0].id' },
  },
  {
    name: 'getService',
    invoke: (s) => getService(s, 11),
    method: 'GET',
    path: '/v1/service/11',
    response: { id: 11, status: 'RUNNING', accessAddress: 'http://svc.local:8080' },
    malformed: { response: { status: 5 }, path: 'status' },
  },
  {
    name: 'startService',
    invoke: (s) => startService(s, 11),
    method: 'POST',
    path: '/v1/service/11/start',
    body: {},
    response: ack,
  },
  {
    name: 'stopService',
    invoke: (s) => stopService(s, 11),
    method: 'POST',
    path: '/v1/service/11/stop',
    body: {},
    response: ack,
  },
  {
    name: 'updateService',
    invoke: (s) => updateService(s, 11, { name: 'svc-2' }),
    method: 'PUT',
    path: '/v1/service/11',
    body: { name: 'svc-2' },
    response: ack,
  },
  {
    name: 'deleteService',
    invoke: (s) => deleteService(s, 11),
    method: 'DELETE',
    path: '/v1/service/11',
    response: ack,
  },
  {
    name: 'getServiceLog',
    invoke: (s) => getServiceLog(s, 11, { lastId: 0 }),
    method: 'GET',
    path: '/v1/service/11/log',
    query: { lastId: '0' },
    response: { logs: [{ id: 0, content: 'serving on 8080' }] },
    malformed: { response: { logs: 'none' }, path: 'logs' },
  },
];

interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Headers;
  body: unknown;
}

/** Serves `response` for the row's method and path, recording the request. */
function serve(row: Row, response: unknown): Seen[] {
  const seen: Seen[] = [];
  const counter = authCounter();
  const method = row.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete';
  // The authToken row is its own auth handler; every other row needs a token first.
  if (row.name !== 'authToken') server.use(authHandler(counter));
  server.use(
    http[method](`${BASE}${row.path}`, async ({ request }) => {
      const url = new URL(request.url);
      const text = await request.text();
      seen.push({
        method: request.method,
        path: url.pathname.slice(new URL(BASE).pathname.length),
        query: Object.fromEntries(url.searchParams),
        headers: request.headers,
        body: text === '' ? undefined : JSON.parse(text),
      });
      return HttpResponse.json(response as Record<string, unknown>);
    }),
  );
  return seen;
}

describe('endpoint table coverage', () => {
  it('has a row function test for every endpoint', () => {
    expect([...new Set(rows.map((r) => r.name))].sort()).toEqual(Object.keys(endpoints).sort());
  });
});

describe.each(rows)('$name', (row) => {
  it(`sends ${row.method} ${row.path} as the contract says and decodes the answer`, async () => {
    const seen = serve(row, row.response);
    const result = await lastValueFrom(row.invoke(newSession()));
    expect(result).toEqual(row.decoded ?? row.response);
    expect(seen).toHaveLength(1);
    const request = seen[0]!;
    expect(request.method).toBe(row.method);
    expect(request.path).toBe(row.path);
    expect(request.query).toEqual(row.query ?? {});
    expect(request.body).toEqual(row.body);
    expect(request.headers.get('accept')).toContain('application/json');
    if (row.body !== undefined) expect(request.headers.get('content-type')).toContain('application/json');
    if (row.name === 'authToken') expect(request.headers.get('Auth-Token')).toBeNull();
    else expect(request.headers.get('Auth-Token')).toBe('token-1');
  });

  if (row.malformed !== undefined) {
    const malformed = row.malformed;
    it(`fails with a DecodeError naming ${malformed.path} on a malformed answer`, async () => {
      serve(row, malformed.response);
      const error = await lastValueFrom(row.invoke(newSession())).catch((e: unknown) => e);
      expect(error).toMatchObject({ _tag: 'DecodeError', method: row.method });
      expect((error as { problems: string[] }).problems.some((p) => p.startsWith(`${malformed.path}:`))).toBe(
        true,
      );
      expect((error as Error).message).toContain(`${BASE}${row.path}`);
    });
  }
});

describe('call', () => {
  it('runs any row from the table with params, query and body', async () => {
    const row = rows.find((r) => r.name === 'getTrainLog')!;
    const seen = serve(row, row.response);
    const page = await lastValueFrom(
      call(newSession(), endpoints.getTrainLog, {
        params: { versionId: 9 },
        query: { lastId: 3, wait: 2, limit: 100 },
      }),
    );
    expect(page.logs[0]?.content).toBe('epoch 1');
    expect(seen[0]?.query).toEqual({ lastId: '3', wait: '2', limit: '100' });
  });

  it('types the arguments from the row: params and body required where the row has them', () => {
    const session = newSession();
    // Cold: none of these is subscribed, so nothing is sent.
    const typed = [
      // @ts-expect-error createTrain needs a body
      session.call(endpoints.createTrain, {}),
      // @ts-expect-error getTrain needs params.jobId
      session.call(endpoints.getTrain, {}),
      // @ts-expect-error jobId is a number
      session.call(endpoints.getTrain, { params: { jobId: '3' } }),
      session.call(endpoints.listTrain, {}),
    ];
    expect(typed).toHaveLength(4);
  });
});
