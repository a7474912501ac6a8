/**
 * `deployService` on a fake platform (msw) through a real Session: follows the service
 * to RUNNING (plain events: the id and detail, no handle), errors with ServiceFailed on
 * FAILED, defaults the model version, validates before any request. The API layer's
 * `deploy`, which adds a `Predictor`, is tested in test/api/deploy.test.ts.
 */
import { setupServer } from 'msw/node';
import { lastValueFrom, type Observable, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeployParams } from '../../src/codecs/params/deploy.js';
import type { RegisteredModel } from '../../src/streams/createModel.js';
import { deployService, type ServiceDeployEvent } from '../../src/streams/deploy.js';
import { ServiceFailed } from '../../src/streams/failures.js';
import { FAST, FakePlatform, GATEWAY, pipelineSession } from './pipelinePlatform.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function platform(): FakePlatform {
  const fake = new FakePlatform();
  server.resetHandlers(...fake.handlers());
  return fake;
}

const model: RegisteredModel = {
  modelId: 40,
  versionId: 41,
  body: {
    name: 'iris',
    type: 'PRESET_MODEL',
    version: '1.0.0',
    presetModelId: 600007,
    modelPath: 's3://b/out/',
  },
};
const params: DeployParams = {
  serviceName: 'iris-svc',
  serviceModels: [{ weight: 100, resourceId: 3, instanceCount: 2 }],
};

function run(
  feed: Observable<ServiceDeployEvent>,
): Promise<{ events: ServiceDeployEvent[]; error?: unknown }> {
  const events: ServiceDeployEvent[] = [];
  return new Promise((resolve) => {
    feed.subscribe({
      next: (event) => events.push(event),
      error: (error: unknown) => resolve({ events, error }),
      complete: () => resolve({ events }),
    });
  });
}

describe('deployService', () => {
  it('creates the service with the model version and follows it DEPLOYING → RUNNING to the running detail', async () => {
    const fake = platform();
    const { events, error } = await run(deployService(pipelineSession(), params, model, FAST));
    expect(error).toBeUndefined();
    const [service] = [...fake.services.values()];
    expect(service?.body).toEqual({
      name: 'iris-svc',
      type: 'ONLINE_SERVICE',
      serviceModels: [{ modelVersionId: 41, weight: 100, resourceId: 3, instanceCount: 2 }],
    });
    expect(events.map((e) => (e.type === 'status' ? `status ${e.status}` : e.type))).toEqual([
      'created',
      'status DEPLOYING',
      'status RUNNING',
      'running',
    ]);
    expect(events[0]).toEqual({ type: 'created', serviceId: service?.id });
    const running = events[3] as Extract<ServiceDeployEvent, { type: 'running' }>;
    expect(running.serviceId).toBe(service?.id);
    expect(running.detail).toMatchObject({
      status: 'RUNNING',
      accessAddress: `${GATEWAY}/services/${service?.id}/`,
    });
    // plain data: nothing but the id and the detail (JSON-printable as it is)
    expect(Object.keys(running).sort()).toEqual(['detail', 'serviceId', 'type']);
    // DEPLOYING was read twice, RUNNING once: then the polls stopped
    expect(fake.count('GET', /^\/v1\/service\/\d+$/)).toBe(3);
  });

  it('errors with ServiceFailed (reason) when the service settles in FAILED, after its status event', async () => {
    const fake = platform();
    fake.servicePlan = (n) =>
      [{ status: 'DEPLOYING' }, { status: 'FAILED', reason: 'instance 0 exited with code 1' }][n];
    const { events, error } = await run(deployService(pipelineSession(), params, model, FAST));
    expect(error).toBeInstanceOf(ServiceFailed);
    expect(error).toMatchObject({
      _tag: 'ServiceFailed',
      status: 'FAILED',
      reason: 'instance 0 exited with code 1',
    });
    expect(events.map((e) => e.type)).toEqual(['created', 'status', 'status']);
    expect(events[2]).toMatchObject({ status: 'FAILED' });
  });

  it('an explicit modelVersionId wins over the model', async () => {
    const fake = platform();
    const explicit: DeployParams = {
      serviceName: 'two',
      serviceModels: [
        { weight: 80, resourceId: 3, instanceCount: 1 },
        { modelVersionId: 99, weight: 20, resourceId: 3, instanceCount: 1 },
      ],
    };
    const events = await lastValueFrom(
      deployService(pipelineSession(), explicit, model, FAST).pipe(toArray()),
    );
    expect(events.at(-1)?.type).toBe('running');
    const [service] = [...fake.services.values()];
    const models = service!.body.serviceModels as { modelVersionId: number }[];
    expect(models.map((m) => m.modelVersionId)).toEqual([41, 99]);
  });

  it('fails with a ValidationError before any request when no model version is known', async () => {
    const fake = platform();
    const { events, error } = await run(deployService(pipelineSession(), params, undefined, FAST));
    expect(events).toEqual([]);
    expect(error).toMatchObject({
      _tag: 'ValidationError',
      problems: [{ field: 'serviceModels[0].modelVersionId' }],
    });
    expect(fake.seen).toEqual([]);
  });

  it('wait: false emits created and completes without reading the service', async () => {
    const fake = platform();
    const events = await lastValueFrom(
      deployService(pipelineSession(), params, model, { ...FAST, wait: false }).pipe(toArray()),
    );
    expect(events.map((e) => e.type)).toEqual(['created']);
    expect(fake.count('GET', /^\/v1\/service\//)).toBe(0);
  });

  it('a server whose detail has no status: running after the first read, with a warning', async () => {
    const fake = platform();
    // every read answers without a status
    fake.servicePlan = () => ({ status: undefined });
    const warnings: string[] = [];
    const session = pipelineSession({
      logger: { debug: () => {}, info: () => {}, warn: (m: string) => warnings.push(m), error: () => {} },
    });
    const { events, error } = await run(deployService(session, params, model, FAST));
    expect(error).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(['created', 'status', 'running']);
    expect(events[1]).toMatchObject({ type: 'status', status: undefined });
    expect(warnings.some((w) => /no status/.test(w))).toBe(true);
  });
});
