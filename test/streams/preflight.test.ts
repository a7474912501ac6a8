/**
 * What `fit` and `createModel` check before they upload or submit, against a real S3
 * store (s3rver behind a recording proxy) and a fake platform: a boot file that is not
 * in the local code directory (or that the upload would leave out), an output bucket
 * that does not exist, nothing at `inputs` — each a `ValidationError` naming the
 * parameter, with nothing uploaded and no job created. A store that refuses or does not
 * answer lets the job go on; `preflight: false` asks nothing.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TrainParams } from '../../src/codecs/params/train.js';
import { createModel } from '../../src/streams/createModel.js';
import { type FitOptions, fit } from '../../src/streams/fit.js';
import { trainPreflight } from '../../src/streams/internal/preflight.js';
import { cleanupTempDirs, type S3Fixture, startS3, tempDir } from '../client/storage/fixture.js';
import { FAST, FakePlatform, pipelineSession } from './pipelinePlatform.js';

const server = setupServer();
let s3: S3Fixture;
let fake: FakePlatform;
/** A local code directory: `train.py`, `lib/util.py`. */
let code: string;
const DATA = 's3://test-bucket/preflight/iris.csv';

beforeAll(async () => {
  s3 = await startS3();
  fake = new FakePlatform();
  fake.s3Endpoint = s3.access.endpoint;
  server.listen({ onUnhandledRequest: 'error' });
  server.use(
    ...fake.handlers(),
    http.all(`${s3.access.endpoint}/*`, () => passthrough()),
  );
  code = join(await tempDir('mm-preflight-'), 'trainer');
  await mkdir(join(code, 'lib'), { recursive: true });
  await writeFile(join(code, 'train.py'), 'print("training")\n');
  await writeFile(join(code, 'lib', 'util.py'), 'X = 1\n');
  const data = join(await tempDir('mm-preflight-data-'), 'iris.csv');
  await writeFile(data, 'a,b\n1,2\n');
  await lastValueFrom(pipelineSession({ bucket: s3.bucket }).uploadData(data, DATA));
});
afterEach(() => {
  s3.respond = undefined;
  s3.drop = undefined;
});
afterAll(async () => {
  server.close();
  await s3.stop();
  await cleanupTempDirs();
});

function params(extra: Partial<TrainParams> = {}): TrainParams {
  return {
    jobName: 'checked',
    frameworkType: 'BASIC_FRAMEWORK',
    framework: 500101,
    bootFile: 'train.py',
    codeDir: code,
    inputs: DATA,
    outputPath: 's3://test-bucket/out/',
    trainInstanceType: 1,
    trainInstanceCount: 1,
    volumeSize: 1,
    ...extra,
  };
}

/** The error `fit` ends with (undefined when it completes), and what it sent meanwhile. */
async function attempt(
  trainParams: TrainParams,
  options: FitOptions = {},
): Promise<{ error: unknown; created: boolean; s3: Array<{ method: string; path: string }> }> {
  s3.clear();
  const before = fake.trainBodies().length;
  const error = await lastValueFrom(
    fit(pipelineSession({ bucket: s3.bucket }), trainParams, { ...FAST, wait: false, ...options }).pipe(
      toArray(),
    ),
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  return {
    error,
    created: fake.trainBodies().length > before,
    s3: s3.requests.map((r) => ({ method: r.method, path: new URL(r.url, 'http://store').pathname })),
  };
}

const message = (error: unknown) => (error as Error | undefined)?.message;

describe('the boot file, before anything is uploaded', () => {
  it('missing, a directory, outside the code, or left out by the ignore patterns: a ValidationError naming bootFile', async () => {
    const cases: Array<[Partial<TrainParams>, FitOptions, string]> = [
      [{ bootFile: 'nope.py' }, {}, `bootFile: "nope.py" is not in codeDir ${code}`],
      [{ bootFile: 'lib' }, {}, `bootFile: "lib" is a directory of codeDir ${code}, not a file`],
      [
        { bootFile: '../train.py' },
        {},
        `bootFile: expected a path inside codeDir ${code}, got "../train.py"`,
      ],
      [
        {},
        { upload: { ignore: ['*.py'] } },
        `bootFile: "train.py" is in codeDir ${code}, but the upload leaves "train.py" out (ignore patterns)`,
      ],
      [
        { bootFile: 'lib/util.py' },
        { upload: { ignore: ['lib/'] } },
        `bootFile: "lib/util.py" is in codeDir ${code}, but the upload leaves "lib" out (ignore patterns)`,
      ],
    ];
    for (const [extra, options, problem] of cases) {
      const outcome = await attempt(params(extra), options);
      expect({ problem, outcome }).toEqual({
        problem,
        outcome: { error: expect.anything(), created: false, s3: [] },
      });
      expect(message(outcome.error)).toBe(`invalid parameters: ${problem}`);
      expect(outcome.error).toMatchObject({ _tag: 'ValidationError', problems: [{ field: 'bootFile' }] });
    }
  });

  it('createModel: a modelBootFile missing from the local modelCodeDir, before anything is uploaded', async () => {
    s3.clear();
    const before = fake.modelBodies.length;
    const error = await lastValueFrom(
      createModel(pipelineSession({ bucket: s3.bucket }), {
        modelName: 'served',
        modelVersion: '1.0.0',
        modelFrameworkType: 'BASIC_FRAMEWORK',
        modelFramework: 500150,
        modelPath: 's3://test-bucket/out/',
        modelBootFile: 'predict.py',
        modelCodeDir: code,
      }),
    ).catch((e: unknown) => e);
    expect(message(error)).toBe(
      `invalid parameters: modelBootFile: "predict.py" is not in modelCodeDir ${code}`,
    );
    expect(fake.modelBodies.length).toBe(before);
    expect(s3.requests).toEqual([]);
  });
});

describe('the output bucket and the data, before submit', () => {
  it('a missing output bucket: one HEAD of it, a ValidationError naming outputPath, nothing uploaded or created', async () => {
    const outcome = await attempt(params({ outputPath: 's3://no-such-bucket/out/' }));
    expect(message(outcome.error)).toBe(
      'invalid parameters: outputPath: the bucket "no-such-bucket" does not exist, so the output of s3://no-such-bucket/out/ could not be stored',
    );
    expect(outcome.created).toBe(false);
    expect(outcome.s3).toEqual([
      { method: 'HEAD', path: '/no-such-bucket/' }, // the bucket
      { method: 'HEAD', path: '/test-bucket/preflight/iris.csv' }, // the data
    ]);
  });

  it('nothing at inputs (object or folder), with a missing bucket: both problems at once', async () => {
    const outcome = await attempt(
      params({ inputs: 's3://test-bucket/preflight/missing/', outputPath: 's3://no-such-bucket/out/' }),
    );
    expect(outcome.error).toMatchObject({
      _tag: 'ValidationError',
      problems: [
        {
          field: 'outputPath',
          message:
            'the bucket "no-such-bucket" does not exist, so the output of s3://no-such-bucket/out/ could not be stored',
        },
        { field: 'inputs', message: 'nothing found at s3://test-bucket/preflight/missing/' },
      ],
    });
    expect(outcome.created).toBe(false);
    // the data as an object, and as a folder: both found
    const [object, folder] = [
      await attempt(params({ inputs: DATA })),
      await attempt(params({ inputs: 's3://test-bucket/preflight' })),
    ];
    expect([object.error, object.created, folder.error, folder.created]).toEqual([
      undefined,
      true,
      undefined,
      true,
    ]);
  });

  it('a store that refuses the checks (403) lets the job go on; preflight: false asks nothing', async () => {
    // the checks' requests: HEAD of a bucket or of the data, a listing of one key
    s3.respond = (request) =>
      (request.method === 'HEAD' && !request.url.includes('/trainer/')) || request.url.includes('max-keys=1')
        ? { status: 403, body: '<Error><Code>AccessDenied</Code><Message>no</Message></Error>' }
        : undefined;
    const refused = await attempt(params({ outputPath: 's3://no-such-bucket/out/' }));
    expect([refused.error, refused.created]).toEqual([undefined, true]);
    expect(refused.s3).toContainEqual({ method: 'HEAD', path: '/no-such-bucket/' }); // asked, and refused
    s3.respond = undefined;

    const unchecked = await attempt(params({ outputPath: 's3://no-such-bucket/out/' }), { preflight: false });
    expect([unchecked.error, unchecked.created]).toEqual([undefined, true]);
    // the upload's requests alone (each names the code's prefix)
    expect(s3.requests.filter((r) => !decodeURIComponent(r.url).includes('/trainer/'))).toEqual([]);
  });

  it('a store that does not answer: the checks give up after their time limit and let the job go on', async () => {
    s3.drop = () => true;
    const session = pipelineSession({ bucket: s3.bucket });
    const started = Date.now();
    const result = await lastValueFrom(
      trainPreflight(
        session,
        { body: { name: 'x', type: 'CUSTOM', output: 's3://test-bucket/out/', dataUrl: DATA } },
        { timeoutMs: 200 },
      ).pipe(toArray()),
    );
    expect(result).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5_000); // not the S3 client's own timeouts
  });
});
