/**
 * Through the API layer against the local platform: what the platform refuses in its
 * wire field names (`frameworkId`, `resourceId`, `serviceModels[0].resourceId`) reaches
 * the user as a `ValidationError` naming the parameters they wrote (`framework`,
 * `trainInstanceType`, `modelFramework`), the platform's `ApiError` as its cause; and
 * what the SDK can see before an upload or a submit (a boot file missing from the local
 * `codeDir`, an output bucket that does not exist) fails before either happens.
 */
import { fileURLToPath } from 'node:url';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORK_IDS } from '../../packages/local/src/catalog.js';
import { type OpenedSession, openSession } from '../../packages/local/src/connect.js';
import { Estimator, type EstimatorParams } from '../../src/api/estimator.js';
import { Model } from '../../src/api/model.js';
import { listTrain } from '../../src/client/training.js';
import { ApiError } from '../../src/errors.js';

const CODE_DIR = fileURLToPath(new URL('../../examples/quickstart/code', import.meta.url));
/** The local catalog's ids. */
const TRAIN_SMALL = 500050;
const NODE_TRAIN = FRAMEWORK_IDS.trainNode;

let opened: OpenedSession;
let bucket: string;
let baseUrl: string;

beforeAll(async () => {
  opened = await openSession({ useLocal: 'always', level: 'error' });
  bucket = await opened.session.bucket();
  baseUrl = opened.platform!.baseUrl;
}, 60_000);

afterAll(async () => {
  await opened?.close();
});

function estimator(extra: Partial<EstimatorParams> = {}): Estimator {
  return new Estimator(opened.session, {
    frameworkType: 'BASIC_FRAMEWORK',
    framework: NODE_TRAIN,
    codeDir: `s3://${bucket}/code/`,
    bootFile: 'train.mjs',
    outputPath: `s3://${bucket}/out/`,
    trainInstanceType: TRAIN_SMALL,
    trainInstanceCount: 1,
    volumeSize: 1,
    ...extra,
  } as EstimatorParams);
}

/** What `source` fails with. */
function failure(source: Parameters<typeof lastValueFrom>[0]): Promise<unknown> {
  return lastValueFrom(source).then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

describe("the platform's refusals, in the user's parameters", () => {
  it('fit: frameworkId and resourceId are told as framework and trainInstanceType; the ApiError is the cause', async () => {
    const error = await failure(
      estimator({ framework: 999, trainInstanceType: 7 }).fit({
        inputs: `s3://${bucket}/data/`,
        jobName: 'refused',
        preflight: false,
      }),
    );
    expect((error as Error).message).toBe(
      `invalid parameters: framework: no TRAIN framework 999; trainInstanceType: no TRAIN resource 7 (POST ${baseUrl}/v1/train)`,
    );
    expect(error).toMatchObject({
      _tag: 'ValidationError',
      problems: [
        { field: 'framework', message: 'no TRAIN framework 999' },
        { field: 'trainInstanceType', message: 'no TRAIN resource 7' },
      ],
    });
    const cause = (error as Error).cause as ApiError;
    expect(cause).toBeInstanceOf(ApiError);
    expect([cause.status, cause.errorCode, cause.serverMessage]).toEqual([
      400,
      4000,
      'frameworkId: no TRAIN framework 999; resourceId: no TRAIN resource 7',
    ]);
  });

  it('createModel: frameworkId and codeUrl are told as modelFramework and modelCodeDir', async () => {
    const model = new Model(opened.session);
    const refused = await failure(
      model.createModel({
        modelName: 'refused',
        modelVersion: '1.0.0',
        modelFramework: 999,
        modelCodeDir: `s3://${bucket}/code/`,
        modelBootFile: 'predict.mjs',
        modelPath: `s3://${bucket}/out/`,
      }),
    );
    expect((refused as Error).message).toBe(
      `invalid parameters: modelFramework: no PREDICT framework 999; modelPath: nothing found at s3://${bucket}/out/; modelCodeDir: nothing found at s3://${bucket}/code/ (POST ${baseUrl}/v1/model)`,
    );
  });
});

describe('checks before upload and submit', () => {
  it('a boot file missing from the local codeDir fails before anything is uploaded or created', async () => {
    const before = await lastValueFrom(opened.session.listObjects(`s3://${bucket}/`).pipe(toArray()));
    const error = await failure(
      estimator({ codeDir: CODE_DIR, bootFile: 'nope.mjs' }).fit({
        inputs: `s3://${bucket}/data/`,
        jobName: 'no-boot-file',
      }),
    );
    expect((error as Error).message).toBe(
      `invalid parameters: bootFile: "nope.mjs" is not in codeDir ${CODE_DIR}`,
    );
    const after = await lastValueFrom(opened.session.listObjects(`s3://${bucket}/`).pipe(toArray()));
    expect(after).toEqual(before);
    expect((await lastValueFrom(listTrain(opened.session))).trainTasks.map((t) => t.name)).not.toContain(
      'no-boot-file',
    );
  });

  it('an output bucket that does not exist fails before the job is submitted, naming outputPath', async () => {
    const error = await failure(
      estimator({ codeDir: CODE_DIR, outputPath: 's3://nobucket/out/' }).fit({
        inputs: `s3://${bucket}/data/`,
        jobName: 'no-bucket',
      }),
    );
    expect(error).toMatchObject({
      _tag: 'ValidationError',
      problems: [
        {
          field: 'outputPath',
          message:
            'the bucket "nobucket" does not exist, so the output of s3://nobucket/out/ could not be stored',
        },
        { field: 'inputs', message: `nothing found at s3://${bucket}/data/` },
      ],
    });
    expect((await lastValueFrom(listTrain(opened.session))).trainTasks.map((t) => t.name)).not.toContain(
      'no-bucket',
    );
  });
});
