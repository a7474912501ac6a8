/**
 * The API layer's `deploy` / `toService` and `deployed()` on a fake platform (msw)
 * through a real Session: the streams layer's events, the `running` one with a
 * `Predictor` built from the detail read with RUNNING; `deployed()` ends a pipeline
 * with that predictor, lets `ServiceFailed` through, and names `wait` when the feed
 * ended before the service ran.
 */
import { setupServer } from 'msw/node';
import { firstValueFrom, lastValueFrom, of, switchMap, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deploy, toService } from '../../src/api/deploy.js';
import { deployed } from '../../src/api/deployed.js';
import { Predictor } from '../../src/api/predictor.js';
import type { DeployParams } from '../../src/codecs/params/deploy.js';
import type { RegisteredModel } from '../../src/streams/createModel.js';
import { FAST, FakePlatform, GATEWAY, pipelineSession } from '../streams/pipelinePlatform.js';

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
  serviceModels: [{ weight: 100, resourceId: 3, instanceCount: 1 }],
};
const serviceReads = (fake: FakePlatform) => fake.count('GET', /^\/v1\/service\/\d+$/);

describe('deploy (API layer)', () => {
  it('ends with a running event carrying a Predictor on the service, built from the RUNNING detail', async () => {
    const fake = platform();
    const events = await lastValueFrom(deploy(pipelineSession(), params, model, FAST).pipe(toArray()));
    expect(events.map((e) => e.type)).toEqual(['created', 'status', 'status', 'running']);
    const running = events.at(-1);
    if (running?.type !== 'running') throw new Error('no running event');
    const [service] = [...fake.services.values()];
    expect(running.serviceId).toBe(service?.id);
    expect(running.predictor).toBeInstanceOf(Predictor);
    expect(running.predictor.serviceId).toBe(service?.id);
    expect(running.predictor.detail).toBe(running.detail);
    expect(running.detail).toMatchObject({
      status: 'RUNNING',
      accessAddress: `${GATEWAY}/services/${service?.id}/`,
    });
    // the detail is known: the prediction goes straight to the access address, no read first
    const reads = serviceReads(fake);
    await firstValueFrom(running.predictor.predict({ x: 1 }));
    expect(serviceReads(fake)).toBe(reads);
    expect(fake.predictions.map((p) => p.url)).toEqual([
      `${GATEWAY}/services/${service?.id}/ModelMaker/predict`,
    ]);
  });

  it('deployed() after toService ends a pipeline with the predictor, ready to predict', async () => {
    platform();
    const session = pipelineSession();
    const predictor = await lastValueFrom(
      of(model).pipe(switchMap(toService(session, params, FAST)), deployed()),
    );
    expect(predictor).toBeInstanceOf(Predictor);
    const answer = await firstValueFrom(predictor.predict({ instances: [[1, 2]] }));
    expect(answer).toEqual({ service: predictor.serviceId, echo: { instances: [[1, 2]] } });
  });

  it('deployed() lets ServiceFailed through', async () => {
    const fake = platform();
    fake.servicePlan = (n) => [{ status: 'DEPLOYING' }, { status: 'FAILED', reason: 'no instance ready' }][n];
    const error = await lastValueFrom(deploy(pipelineSession(), params, model, FAST).pipe(deployed())).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ _tag: 'ServiceFailed', status: 'FAILED', reason: 'no instance ready' });
  });

  it('deployed() on a feed made with wait: false errors with a ValidationError naming wait', async () => {
    platform();
    const error = await lastValueFrom(
      deploy(pipelineSession(), params, model, { ...FAST, wait: false }).pipe(deployed()),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ _tag: 'ValidationError', problems: [{ field: 'wait' }] });
  });
});
