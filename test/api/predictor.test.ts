/**
 * `Predictor` on a fake platform (msw) through a real Session: the service rows,
 * predictions at the access address (read once, forgotten when it may change),
 * waiting for a status, and the service log.
 */
import { setupServer } from 'msw/node';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Predictor } from '../../src/api/predictor.js';
import type { Session } from '../../src/client/session.js';
import { endpoints } from '../../src/codecs/endpoints.js';
import { lines } from '../../src/streams/lines.js';
import { FAST, FakePlatform, GATEWAY, pipelineSession } from '../streams/pipelinePlatform.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** A platform with one service (created through the API, as `deploy` would). */
async function withService(): Promise<{ fake: FakePlatform; session: Session; id: number }> {
  const fake = new FakePlatform();
  server.resetHandlers(...fake.handlers());
  const session = pipelineSession();
  const created = await firstValueFrom(
    session.call(endpoints.createService, {
      body: {
        name: 'svc',
        type: 'ONLINE_SERVICE',
        serviceModels: [{ modelVersionId: 1, weight: 100, resourceId: 3, instanceCount: 1 }],
      },
    }),
  );
  return { fake, session, id: created.id };
}

const serviceReads = (fake: FakePlatform) => fake.count('GET', /^\/v1\/service\/\d+$/);

describe('Predictor', () => {
  it('predict reads the access address once and posts JSON to {accessAddress}/ModelMaker/predict', async () => {
    const { fake, session, id } = await withService();
    const predictor = new Predictor(session, id);
    expect(fake.seen.length).toBe(2); // auth + create: construction does no I/O
    const first = await firstValueFrom(predictor.predict({ x: [1, 2] }));
    const second = await firstValueFrom(predictor.predict([3]));
    expect(first).toEqual({ service: id, echo: { x: [1, 2] } });
    expect(second).toEqual({ service: id, echo: [3] });
    expect(serviceReads(fake)).toBe(1);
    expect(fake.predictions.map((p) => p.url)).toEqual([
      `${GATEWAY}/services/${id}/ModelMaker/predict`,
      `${GATEWAY}/services/${id}/ModelMaker/predict`,
    ]);
    expect(fake.predictions.map((p) => p.token)).toEqual([null, null]);
  });

  it('a detail given to the constructor spares the read; start, stop, update and delete forget the address', async () => {
    const { fake, session, id } = await withService();
    const predictor = new Predictor(session, id, {
      id,
      status: 'RUNNING',
      accessAddress: `${GATEWAY}/services/${id}`,
    });
    await firstValueFrom(predictor.predict(1));
    expect(serviceReads(fake)).toBe(0);
    await firstValueFrom(predictor.start());
    expect(predictor.detail).toBeUndefined();
    await firstValueFrom(predictor.predict(2));
    expect(serviceReads(fake)).toBe(1);
    await firstValueFrom(
      predictor.update({
        serviceModels: [{ modelVersionId: 1, weight: 100, resourceId: 3, instanceCount: 2 }],
      }),
    );
    await firstValueFrom(predictor.stop());
    await firstValueFrom(predictor.delete());
    const rows = fake.seen.slice(2).map((s) => `${s.method} ${s.path}`);
    expect(rows).toEqual([
      `POST /v1/service/${id}/start`,
      `GET /v1/service/${id}`,
      `PUT /v1/service/${id}`,
      `POST /v1/service/${id}/stop`,
      `DELETE /v1/service/${id}`,
    ]);
    expect(fake.seen.find((s) => s.method === 'PUT')?.body).toEqual({
      serviceModels: [{ modelVersionId: 1, weight: 100, resourceId: 3, instanceCount: 2 }],
    });
  });

  it('info reads the detail and keeps it', async () => {
    const { session, id } = await withService();
    const predictor = new Predictor(session, id);
    const detail = await firstValueFrom(predictor.info());
    expect(detail).toMatchObject({ id, name: 'svc', status: 'DEPLOYING' });
    expect(predictor.detail).toEqual(detail);
  });

  it('predict fails with a DecodeError when the service has no access address', async () => {
    const { fake, session, id } = await withService();
    fake.accessAddress = false;
    const error = await firstValueFrom(new Predictor(session, id).predict({})).catch((e: unknown) => e);
    expect(error).toMatchObject({ _tag: 'DecodeError' });
    expect(String(error)).toMatch(/accessAddress/);
    expect(fake.predictions).toEqual([]);
  });

  it('waitUntil polls until the status and emits that detail', async () => {
    const { fake, session, id } = await withService();
    fake.servicePlan = (n) => [{ status: 'STOPPING' }, { status: 'STOPPING' }, { status: 'STOPPED' }][n];
    const predictor = new Predictor(session, id);
    const detail = await lastValueFrom(predictor.waitUntil('STOPPED', FAST));
    expect(detail.status).toBe('STOPPED');
    expect(serviceReads(fake)).toBe(3);
    expect(predictor.detail).toEqual(detail);
  });

  it('waitUntil errors with ServiceFailed when the service fails instead', async () => {
    const { fake, session, id } = await withService();
    fake.servicePlan = (n) => [{ status: 'DEPLOYING' }, { status: 'FAILED', reason: 'no port' }][n];
    const error = await lastValueFrom(new Predictor(session, id).waitUntil('RUNNING', FAST)).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      _tag: 'ServiceFailed',
      serviceId: id,
      status: 'FAILED',
      reason: 'no port',
    });
  });

  it('logs$ delivers the service log from a line on, and completes once the service is stopped', async () => {
    const { fake, session, id } = await withService();
    fake.services.get(id)?.lines.push('ready', 'GET /ModelMaker/predict 200');
    fake.servicePlan = () => ({ status: 'STOPPED' });
    const predictor = new Predictor(session, id);
    const all = await lastValueFrom(predictor.logs$(undefined, FAST).pipe(lines(), toArray()));
    expect(all).toEqual([
      { id: 0, content: 'serving on :7001' },
      { id: 1, content: 'ready' },
      { id: 2, content: 'GET /ModelMaker/predict 200' },
    ]);
    const later = await lastValueFrom(predictor.logs$(2, FAST).pipe(lines(), toArray()));
    expect(later.map((l) => l.id)).toEqual([2]);
    expect(fake.seen.some((s) => s.path === `/v1/service/${id}/log`)).toBe(true);
  });

  it('logs$ follows a running service until unsubscribed', async () => {
    const { fake, session, id } = await withService();
    fake.servicePlan = () => ({ status: 'RUNNING' });
    const seen: string[] = [];
    const subscription = new Predictor(session, id)
      .logs$(0, FAST)
      .pipe(lines())
      .subscribe((line) => seen.push(line.content));
    const service = fake.services.get(id)!;
    await new Promise((resolve) => setTimeout(resolve, 30));
    service.lines.push('late line');
    const end = Date.now() + 2000;
    while (seen.length < 2 && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 5));
    subscription.unsubscribe();
    expect(seen).toEqual(['serving on :7001', 'late line']);
    const mark = fake.seen.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(fake.seen.length).toBe(mark);
  });
});
