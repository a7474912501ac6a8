import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import {
  decode,
  isSettledServiceStatus,
  KNOWN_SERVICE_STATUSES,
  ServiceCreate,
  ServiceDetail,
  ServiceList,
  ServiceUpdate,
} from '../../src/codecs/index.js';

function ok<A, O>(codec: t.Type<A, O, unknown>, value: unknown): A {
  const result = decode(codec, value);
  if (E.isLeft(result)) throw new Error(result.left.message);
  return result.right;
}

function problems<A, O>(codec: t.Type<A, O, unknown>, value: unknown): readonly string[] {
  const result = decode(codec, value);
  if (E.isRight(result)) throw new Error(`decoded unexpectedly: ${JSON.stringify(result.right)}`);
  return result.left.problems;
}

const model = { modelVersionId: 50283, weight: 100, resourceId: 500151, instanceCount: 1 };

describe('ServiceCreate (request validation)', () => {
  it('accepts the seed example', () => {
    const body = { name: 'svc', type: 'ONLINE_SERVICE', serviceModels: [model] };
    expect(ok(ServiceCreate, body)).toEqual(body);
  });

  it('accepts only type ONLINE_SERVICE and a non-empty serviceModels', () => {
    expect(problems(ServiceCreate, { name: 'svc', type: 'BATCH', serviceModels: [] })).toEqual([
      'type: expected "ONLINE_SERVICE", got "BATCH"',
      'serviceModels: expected a non-empty array, got []',
    ]);
  });

  it('names the bad field of each service model', () => {
    expect(
      problems(ServiceCreate, {
        name: 'svc',
        type: 'ONLINE_SERVICE',
        serviceModels: [model, { ...model, weight: -1, instanceCount: 11, resourcePoolType: 'MINE' }],
      }),
    ).toEqual([
      'serviceModels[1].weight: expected a non-negative integer, got -1',
      'serviceModels[1].instanceCount: expected an integer in 1..10, got 11',
      'serviceModels[1].resourcePoolType: expected ResourcePoolType, got "MINE"',
    ]);
  });

  it('strips unknown fields', () => {
    const decoded = ok(ServiceCreate, {
      name: 's',
      type: 'ONLINE_SERVICE',
      serviceModels: [model],
      extra: 1,
    });
    expect(Object.keys(decoded).sort()).toEqual(['name', 'serviceModels', 'type']);
  });
});

describe('ServiceUpdate', () => {
  it('accepts an empty update, a rename and new weights', () => {
    expect(ok(ServiceUpdate, {})).toEqual({});
    expect(ok(ServiceUpdate, { name: 'n2', serviceModels: null })).toEqual({ name: 'n2' });
    expect(ok(ServiceUpdate, { serviceModels: [{ ...model, weight: 30 }] })).toEqual({
      serviceModels: [{ ...model, weight: 30 }],
    });
  });

  it('checks instance counts', () => {
    expect(problems(ServiceUpdate, { serviceModels: [{ ...model, instanceCount: 0 }] })).toEqual([
      'serviceModels[0].instanceCount: expected an integer in 1..10, got 0',
    ]);
  });
});

describe('ServiceList', () => {
  it('decodes { services } and a bare array to { services }', () => {
    expect(ok(ServiceList, { services: [{ id: 1, name: 'a' }] })).toEqual({
      services: [{ id: 1, name: 'a' }],
    });
    expect(ok(ServiceList, [{ id: 1 }])).toEqual({ services: [{ id: 1 }] });
    expect(ServiceList.encode({ services: [] })).toEqual({ services: [] });
  });

  it('fails on a body without a list, naming services, and on bad items with their index', () => {
    expect(problems(ServiceList, { list: [] })).toEqual([
      expect.stringMatching(/^services: expected Array<.*>, got undefined$/),
    ]);
    expect(problems(ServiceList, { services: [{ id: 1 }, { id: 0 }] })).toEqual([
      'services[1].id: expected a positive integer, got 0',
    ]);
  });
});

describe('ServiceDetail and statuses', () => {
  it('decodes an unknown status as an open string, not settled', () => {
    expect(ok(ServiceDetail, { id: 1, status: 'SCALING' }).status).toBe('SCALING');
    expect(isSettledServiceStatus('SCALING')).toBe(false);
    expect(KNOWN_SERVICE_STATUSES.filter(isSettledServiceStatus)).toEqual(['RUNNING', 'STOPPED', 'FAILED']);
  });

  it('has only optional fields: absent or null', () => {
    expect(ok(ServiceDetail, {})).toEqual({});
    expect(ok(ServiceDetail, { id: 2, accessAddress: null, reason: null, serviceModels: null })).toEqual({
      id: 2,
    });
  });

  it('keeps service models with their per-instance state', () => {
    const detail = {
      id: 2,
      status: 'RUNNING',
      accessAddress: 'http://127.0.0.1:9000/svc/2',
      serviceModels: [{ ...model, status: 'RUNNING', instances: [{ index: 0, status: 'RUNNING' }] }],
      unknown: 'field',
    };
    expect(ok(ServiceDetail, detail)).toEqual(detail);
  });
});
