import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import {
  buildPath,
  type Endpoint,
  type EndpointName,
  endpointList,
  endpoints,
  matchPath,
} from '../../src/codecs/index.js';
import { arbitraryOf } from './arbitraries.js';

/** Every contract row: name, method, path. */
const CONTRACT: ReadonlyArray<readonly [EndpointName, Endpoint['method'], string]> = [
  ['authToken', 'POST', '/v1/auth-token'],
  ['authAccess', 'GET', '/v1/account/auth-access'],
  ['listResources', 'GET', '/v1/resource/{env}'],
  ['listFrameworks', 'GET', '/v1/basic-framework/{env}'],
  ['listPresetAlgorithms', 'GET', '/v1/preset-algorithm'],
  ['listPresetModels', 'GET', '/v1/preset-model'],
  ['createTrain', 'POST', '/v1/train'],
  ['createTrainVersion', 'POST', '/v1/train/{jobId}/version'],
  ['listTrain', 'GET', '/v1/train'],
  ['getTrain', 'GET', '/v1/train/{jobId}'],
  ['getTrainVersion', 'GET', '/v1/train/version/{versionId}'],
  ['getTrainLog', 'GET', '/v1/train/version/{versionId}/log'],
  ['getTrainResourceMonitor', 'GET', '/v1/train/version/{versionId}/resource-monitor'],
  ['getTrainPerformanceMonitor', 'GET', '/v1/train/version/{versionId}/performance-monitor'],
  ['getTrainOutput', 'GET', '/v1/train/version/{versionId}/output'],
  ['stopTrain', 'POST', '/v1/train/{versionId}/stop'],
  ['deleteTrainVersion', 'DELETE', '/v1/train/version/{versionId}'],
  ['deleteTrain', 'DELETE', '/v1/train/{jobId}'],
  ['createModel', 'POST', '/v1/model'],
  ['createModelVersion', 'POST', '/v1/model/{modelId}/version/'],
  ['listModels', 'GET', '/v1/model'],
  ['getModel', 'GET', '/v1/model/{modelId}'],
  ['getModelVersion', 'GET', '/v1/model/version/{versionId}'],
  ['deleteModel', 'DELETE', '/v1/model/{modelId}'],
  ['deleteModelVersion', 'DELETE', '/v1/model/version/{versionId}'],
  ['createService', 'POST', '/v1/service'],
  ['listServices', 'GET', '/v1/service'],
  ['getService', 'GET', '/v1/service/{id}'],
  ['startService', 'POST', '/v1/service/{id}/start'],
  ['stopService', 'POST', '/v1/service/{id}/stop'],
  ['updateService', 'PUT', '/v1/service/{id}'],
  ['deleteService', 'DELETE', '/v1/service/{id}'],
  ['getServiceLog', 'GET', '/v1/service/{id}/log'],
];

/** What a router built from the table does: method, template, then the params codec. */
function route(method: string, pathname: string): string[] {
  return endpointList
    .filter((e) => {
      if (e.method !== method) return false;
      const raw = matchPath(e.path, pathname);
      return raw !== undefined && E.isRight(e.params.decode(raw));
    })
    .map((e) => e.name);
}

const SAMPLE_PARAMS = { env: 'TRAIN', jobId: 12, versionId: 34, modelId: 56, id: 78 };

describe('endpoint table', () => {
  it('has exactly one entry per contract row, keyed by its name', () => {
    expect(Object.keys(endpoints).sort()).toEqual(CONTRACT.map(([name]) => name).sort());
    for (const [key, e] of Object.entries(endpoints)) expect(e.name).toBe(key);
  });

  it.each(CONTRACT)('%s is %s %s', (name, method, path) => {
    expect(endpoints[name].method).toBe(method);
    expect(endpoints[name].path).toBe(path);
  });

  it('sends Auth-Token everywhere but on /v1/auth-token', () => {
    expect(endpointList.filter((e) => !e.auth).map((e) => e.name)).toEqual(['authToken']);
  });

  it('marks GET/PUT/DELETE, stops, starts and the token call idempotent, and never a create', () => {
    const postIdempotent = endpointList.filter((e) => e.method === 'POST' && e.idempotent).map((e) => e.name);
    expect(postIdempotent.sort()).toEqual(['authToken', 'startService', 'stopService', 'stopTrain']);
    for (const e of endpointList) if (e.method !== 'POST') expect(e.idempotent).toBe(true);
    for (const name of [
      'createTrain',
      'createTrainVersion',
      'createModel',
      'createModelVersion',
      'createService',
    ])
      expect(endpoints[name as EndpointName].idempotent).toBe(false);
  });

  it('gives POST and PUT a body codec, and GET and DELETE none', () => {
    for (const e of endpointList)
      expect(e.body === undefined).toBe(e.method === 'GET' || e.method === 'DELETE');
  });

  it('declares a query codec on the two log endpoints only', () => {
    expect(endpointList.filter((e) => e.query !== undefined).map((e) => e.name)).toEqual([
      'getTrainLog',
      'getServiceLog',
    ]);
  });

  it('calls only the service log an extension', () => {
    expect(endpointList.filter((e) => e.origin === 'extension').map((e) => e.name)).toEqual([
      'getServiceLog',
    ]);
  });

  it('names only placeholders its params codec decodes', () => {
    for (const e of endpointList) {
      const names = [...e.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const sample = Object.fromEntries(
        names.map((n) => [n, String(SAMPLE_PARAMS[n as keyof typeof SAMPLE_PARAMS])]),
      );
      expect(E.isRight(e.params.decode(sample)), e.name).toBe(true);
    }
  });
});

describe('routing by the table', () => {
  it.each(endpointList.map((e) => [e.name, e] as const))(
    'a real %s path matches that entry only',
    (name, e) => {
      const codec: t.Any = e.params;
      const params = codec.decode(
        Object.fromEntries(Object.entries(SAMPLE_PARAMS).map(([k, v]) => [k, String(v)])),
      );
      if (E.isLeft(params)) throw new Error(`sample params rejected for ${name}`);
      const pathname = buildPath(e.path, codec.encode(params.right));
      expect(route(e.method, pathname)).toEqual([name]);
    },
  );

  it('never routes the word "version" into an id placeholder', () => {
    expect(route('GET', '/v1/train/version')).toEqual([]);
    expect(route('DELETE', '/v1/model/version')).toEqual([]);
    expect(route('GET', '/v1/train/version/34')).toEqual(['getTrainVersion']);
    expect(route('GET', '/v1/train/34')).toEqual(['getTrain']);
  });

  it('rejects ids that are zero, negative or not integers', () => {
    for (const bad of ['0', '-1', '1.5', '01', 'abc']) expect(route('GET', `/v1/service/${bad}`)).toEqual([]);
  });

  it('keeps the trailing slash of createModelVersion significant', () => {
    expect(route('POST', '/v1/model/56/version/')).toEqual(['createModelVersion']);
    expect(route('POST', '/v1/model/56/version')).toEqual([]);
  });
});

describe('buildPath and matchPath through the params codecs', () => {
  it.each(endpointList.map((e) => [e.name, e] as const))(
    '%s: decode(match(build(encode(p)))) equals p',
    (_name, e) => {
      fc.assert(
        fc.property(arbitraryOf(e.params), (params) => {
          const codec: t.Any = e.params;
          const pathname = buildPath(e.path, codec.encode(params));
          const raw = matchPath(e.path, pathname);
          expect(raw).toBeDefined();
          expect(codec.decode(raw)).toEqual(E.right(params));
        }),
        { numRuns: 50 },
      );
    },
  );

  it('fills the log query from LogQuery as strings', () => {
    expect(endpoints.getTrainLog.query?.encode({ lastId: 10, wait: 5, limit: 100 })).toEqual({
      lastId: '10',
      wait: '5',
      limit: '100',
    });
  });
});
