/**
 * Local code directories in the pipeline, against a real S3 store (s3rver): `fit`
 * uploads a local `codeDir` into `s3://<bucket>/<timestamp>/<dirname>/` before creating
 * the job (its transfer events in the feed, the URI in the create body), and
 * `createModel` does the same for `modelCodeDir`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransferEvent } from '../../src/client/storage/events.js';
import type { TrainParams } from '../../src/codecs/params/train.js';
import { createModel } from '../../src/streams/createModel.js';
import type { FitEvent } from '../../src/streams/fit.js';
import * as training from '../../src/streams/fit.js';
import { codeUploadUri } from '../../src/streams/internal/codeUpload.js';
import { cleanupTempDirs, type S3Fixture, startS3, tempDir } from '../client/storage/fixture.js';
import { FAST, FakePlatform, pipelineSession } from './pipelinePlatform.js';

const server = setupServer();
let s3: S3Fixture;
let fake: FakePlatform;

beforeAll(async () => {
  s3 = await startS3();
  fake = new FakePlatform();
  fake.s3Endpoint = s3.access.endpoint;
  server.listen({ onUnhandledRequest: 'error' });
  server.use(
    ...fake.handlers(),
    http.all(`${s3.access.endpoint}/*`, () => passthrough()),
  );
});
afterAll(async () => {
  server.close();
  await s3.stop();
  await cleanupTempDirs();
});

const STAMPED = /^s3:\/\/test-bucket\/\d{8}T\d{9}Z\/trainer\/$/;

/** A code directory `name` holding `main` (the boot file) and `lib/util.py`. */
async function codeDir(name: string, main = 'train.py'): Promise<string> {
  const dir = join(await tempDir('mm-pipeline-code-'), name);
  await mkdir(join(dir, 'lib'), { recursive: true });
  await writeFile(join(dir, main), 'print("running")\n');
  await writeFile(join(dir, 'lib', 'util.py'), 'X = 1\n');
  return dir;
}

describe('local code directories', () => {
  it('codeUploadUri: bucket, UTC timestamp to the ms, directory name', () => {
    expect(codeUploadUri('mm', '/home/me/trainer/', Date.UTC(2024, 5, 1, 12, 3, 4, 567))).toBe(
      's3://mm/20240601T120304567Z/trainer/',
    );
    expect(codeUploadUri('mm', 'C:\\work\\serve', 0)).toBe('s3://mm/19700101T000000000Z/serve/');
    expect(codeUploadUri('mm', '.', 0)).toBe('s3://mm/19700101T000000000Z/code/');
  });

  it('fit uploads a local codeDir first: upload events in the feed, its s3 URI in the create body', async () => {
    const session = pipelineSession({ bucket: s3.bucket });
    // the data is there, as fit's check before the upload wants it (test/streams/preflight.test.ts)
    const data = join(await tempDir('mm-pipeline-data-'), 'iris.csv');
    await writeFile(data, '5.1,3.5,1.4,0.2,setosa\n');
    await lastValueFrom(session.uploadData(data, 's3://test-bucket/iris.csv'));
    const params: TrainParams = {
      jobName: 'uploaded',
      frameworkType: 'BASIC_FRAMEWORK',
      framework: 500100,
      bootFile: 'train.py',
      codeDir: await codeDir('trainer'),
      inputs: 's3://test-bucket/iris.csv',
      outputPath: 's3://test-bucket/out/',
      trainInstanceType: 1,
      trainInstanceCount: 1,
      volumeSize: 1,
    };
    const events: FitEvent[] = await lastValueFrom(training.fit(session, params, FAST).pipe(toArray()));
    const created = events.findIndex((e) => e.type === 'created');
    const uploads = events.filter((e): e is Extract<FitEvent, { type: 'upload' }> => e.type === 'upload');
    expect(created).toBe(uploads.length); // every upload event comes before the job exists
    expect(uploads.map((u) => u.event.type)).toContain('file');
    expect(uploads[uploads.length - 1]?.event).toMatchObject({ type: 'summary', filesSent: 2 });

    const [body] = fake.trainBodies() as Array<{ codeUrl: string }>;
    expect(body?.codeUrl).toMatch(STAMPED);
    const stored = await lastValueFrom(session.listObjects(body!.codeUrl).pipe(toArray()));
    expect(stored.map((o) => o.uri.slice(body!.codeUrl.length)).sort()).toEqual(['lib/util.py', 'train.py']);
    const completed = events[events.length - 1] as Extract<FitEvent, { type: 'completed' }>;
    expect(completed.job.body.codeUrl).toBe(body?.codeUrl);
  });

  it('createModel uploads a local modelCodeDir first and registers its s3 URI', async () => {
    const session = pipelineSession({ bucket: s3.bucket });
    const progress: TransferEvent[] = [];
    const model = await firstValueFrom(
      createModel(
        session,
        {
          modelName: 'served',
          modelVersion: '1.0.0',
          modelFrameworkType: 'BASIC_FRAMEWORK',
          modelFramework: 500150,
          modelPath: 's3://test-bucket/out/',
          modelBootFile: 'predict.py',
          modelCodeDir: await codeDir('trainer', 'predict.py'),
        },
        undefined,
        { onUpload: (event) => progress.push(event) },
      ),
    );
    expect(model.body.codeUrl).toMatch(STAMPED);
    expect(fake.modelBodies[fake.modelBodies.length - 1]).toMatchObject({ codeUrl: model.body.codeUrl });
    expect(progress[progress.length - 1]).toMatchObject({ type: 'summary', filesSent: 2 });
  });

  it('no default bucket: a ValidationError before anything is created', async () => {
    const session = pipelineSession({ bucket: undefined });
    const before = fake.trainBodies().length;
    const params: TrainParams = {
      jobName: 'nobucket',
      frameworkType: 'CUSTOM',
      userImageUrl: 'registry.test/x:1',
      codeDir: await codeDir('trainer'),
      outputPath: 's3://test-bucket/out/',
      trainInstanceType: 1,
      trainInstanceCount: 1,
      volumeSize: 1,
    };
    const error = await lastValueFrom(training.fit(session, params, FAST)).catch((e: unknown) => e);
    expect(error).toMatchObject({ _tag: 'ValidationError', problems: [{ field: 'bucket' }] });
    expect(fake.trainBodies().length).toBe(before);
  });
});
