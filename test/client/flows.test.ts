import { HttpResponse, http } from 'msw';
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { registerModel } from '../../src/client/models.js';
import { createTrainJob } from '../../src/client/training.js';
import type { ModelCreate } from '../../src/codecs/models.js';
import type { TrainCreate } from '../../src/codecs/training.js';
import { authCounter, authHandler, BASE, newSession, useServer } from './support.js';

const server = useServer();

const trainBody: TrainCreate = {
  name: 'mnist',
  type: 'CUSTOM',
  output: 's3://bucket/out/',
  mirrorUrl: 'img:1',
};
const modelBody: ModelCreate = { name: 'mnist-model', type: 'CUSTOM', version: '1.0.1', mirrorUrl: 'img:1' };

describe('createTrainJob', () => {
  it('creates a job when the name is new', async () => {
    server.use(
      authHandler(authCounter()),
      http.post(`${BASE}/v1/train`, () => HttpResponse.json({ id: 1, versionId: 2 })),
    );
    await expect(lastValueFrom(createTrainJob(newSession(), trainBody))).resolves.toEqual({
      id: 1,
      versionId: 2,
    });
  });

  // The real platform answers 102009 with HTTP 200; a server may use 409.
  it.each([200, 409])(
    'creates a new version of the job of that name on errorCode 102009 (HTTP %i), with the same body',
    async (status) => {
      const versionBodies: unknown[] = [];
      server.use(
        authHandler(authCounter()),
        http.post(`${BASE}/v1/train`, () =>
          HttpResponse.json({ errorCode: 102009, message: 'job exists' }, { status }),
        ),
        http.get(`${BASE}/v1/train`, () =>
          HttpResponse.json({
            trainTasks: [
              { id: 3, name: 'other' },
              { id: 7, name: 'mnist' },
            ],
          }),
        ),
        http.post(`${BASE}/v1/train/7/version`, async ({ request }) => {
          versionBodies.push(await request.json());
          return HttpResponse.json({ id: 7, versionId: 12 });
        }),
      );
      await expect(lastValueFrom(createTrainJob(newSession(), trainBody))).resolves.toEqual({
        id: 7,
        versionId: 12,
      });
      expect(versionBodies).toEqual([trainBody]);
    },
  );

  it('fails with the original ApiError 102009 when no job of that name is listed', async () => {
    server.use(
      authHandler(authCounter()),
      http.post(`${BASE}/v1/train`, () => HttpResponse.json({ errorCode: 102009, message: 'job exists' })),
      http.get(`${BASE}/v1/train`, () => HttpResponse.json({ trainTasks: [] })),
    );
    await expect(lastValueFrom(createTrainJob(newSession(), trainBody))).rejects.toMatchObject({
      _tag: 'ApiError',
      errorCode: 102009,
    });
  });

  it('passes other errors through without looking for the job', async () => {
    server.use(
      authHandler(authCounter()),
      http.post(`${BASE}/v1/train`, () =>
        HttpResponse.json({ errorCode: 4000, message: 'name: bad' }, { status: 400 }),
      ),
    );
    await expect(lastValueFrom(createTrainJob(newSession(), trainBody))).rejects.toMatchObject({
      _tag: 'ApiError',
      errorCode: 4000,
    });
  });
});

describe('registerModel', () => {
  it.each([200, 409])(
    'creates a new version of the model of that name on errorCode 101009 (HTTP %i), filling in the model id',
    async (status) => {
      const versionBodies: unknown[] = [];
      server.use(
        authHandler(authCounter()),
        http.post(`${BASE}/v1/model`, () =>
          HttpResponse.json({ errorCode: 101009, message: 'model exists' }, { status }),
        ),
        http.get(`${BASE}/v1/model`, () => HttpResponse.json({ models: [{ id: 5, name: 'mnist-model' }] })),
        http.post(`${BASE}/v1/model/5/version/`, async ({ request }) => {
          versionBodies.push(await request.json());
          return HttpResponse.json({ versionId: 21 });
        }),
      );
      await expect(lastValueFrom(registerModel(newSession(), modelBody))).resolves.toEqual({
        id: 5,
        versionId: 21,
      });
      expect(versionBodies).toEqual([modelBody]);
    },
  );

  it('keeps the id the server sends for the new version', async () => {
    server.use(
      authHandler(authCounter()),
      http.post(`${BASE}/v1/model`, () => HttpResponse.json({ errorCode: 101009 })),
      http.get(`${BASE}/v1/model`, () => HttpResponse.json({ models: [{ id: 5, name: 'mnist-model' }] })),
      http.post(`${BASE}/v1/model/5/version/`, () => HttpResponse.json({ id: 5, versionId: 22 })),
    );
    await expect(lastValueFrom(registerModel(newSession(), modelBody))).resolves.toEqual({
      id: 5,
      versionId: 22,
    });
  });

  it('creates a model when the name is new', async () => {
    server.use(
      authHandler(authCounter()),
      http.post(`${BASE}/v1/model`, () => HttpResponse.json({ id: 5, versionId: 20 })),
    );
    await expect(lastValueFrom(registerModel(newSession(), modelBody))).resolves.toEqual({
      id: 5,
      versionId: 20,
    });
  });
});
