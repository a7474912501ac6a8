/**
 * The platform on an external S3 (a team's MinIO, Ceph or AWS S3): here a second,
 * independent S3 endpoint — a plain s3rver in its own process (`plainS3.ts`), not the
 * platform's embedded store. Jobs read from it and write to it, services load models
 * from it, `auth-access` hands out its client keys, and a store that cannot be used
 * stops the start with a reason naming it (never a secret).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExternalS3ConfigError, type ExternalS3Options } from '../../src/externalS3.js';
import { startLocalPlatform } from '../../src/platform.js';
import { deploy, nodeModel, predict, serviceModel, waitForService } from '../serving/helpers.js';
import { nodeJob, startTestPlatform, tempDir } from './helpers.js';
import { type PlainS3, startPlainS3 } from './plainS3.js';

const BUCKET = 'team-data';
const PLATFORM_KEYS = { accessKeyId: 'TEAMPLATFORMKEY', secretAccessKey: 'platform-secret-0f6b2c9e4d' };
const CLIENT_KEYS = { accessKeyId: 'TEAMCLIENTKEY', secretAccessKey: 'client-secret-7a1d5e3b8c' };

let store: PlainS3;
let env: Awaited<ReturnType<typeof startTestPlatform>>;
let options: ExternalS3Options;
const errors: unknown[] = [];

/** An S3 client of the external store with `keys` (what a team member's script would use). */
function clientOf(keys: { accessKeyId: string; secretAccessKey: string }): S3Client {
  return new S3Client({
    endpoint: store.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: keys,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

beforeAll(async () => {
  store = await startPlainS3(
    [BUCKET],
    [
      [PLATFORM_KEYS.accessKeyId, PLATFORM_KEYS.secretAccessKey],
      [CLIENT_KEYS.accessKeyId, CLIENT_KEYS.secretAccessKey],
    ],
  );
  options = { endpoint: store.endpoint, bucket: BUCKET, ...PLATFORM_KEYS, client: CLIENT_KEYS };
  env = await startTestPlatform({
    externalS3: options,
    onError: (error) => errors.push(error),
    serving: { containerEngine: null },
  });
  // The helpers' S3 client talks to the store the platform names: the external one, with the client keys.
  env.s3.destroy();
  env.s3 = clientOf(CLIENT_KEYS);
}, 60_000);

afterAll(async () => {
  await env?.close();
  await store?.stop();
});

describe('the platform on an external S3', () => {
  it('tells clients the external store: auth-access hands out its client keys, and no embedded S3 runs', async () => {
    const { platform, api } = env;
    expect(platform.storage).toBe('external');
    expect(platform.s3).toEqual({
      endpoint: store.endpoint,
      bucket: BUCKET,
      region: 'us-east-1',
      ...CLIENT_KEYS,
    });
    const access = (await api.ok('GET', '/v1/account/auth-access')).json;
    expect(access.s3).toEqual({
      ak: CLIENT_KEYS.accessKeyId,
      sk: CLIENT_KEYS.secretAccessKey,
      url: store.endpoint,
      region: 'us-east-1',
    });
    // The written profile names the store's bucket; keys come from auth-access, as for the embedded store.
    const profile = platform.configProfile().iam_config;
    expect(profile).toMatchObject({ bucket: BUCKET, s3_protocol: 'http' });
    expect(JSON.stringify(profile)).not.toContain(CLIENT_KEYS.secretAccessKey);
    expect(existsSync(join(platform.dataDir, 's3'))).toBe(false);
  });

  it('trains from and to it: data and code read from it, the output written to it and read back from the store itself', async () => {
    const { api, s3, platform } = env;
    const script = `import('node:fs').then((fs) => {
      const data = fs.readFileSync(process.env.MODELMAKER_DATA_DIR + '/data.csv', 'utf8');
      fs.writeFileSync(process.env.MODELMAKER_OUTPUT_DIR + '/model.txt', 'rows=' + data.trim().split('\\n').length);
      console.log('trained on the team store');
    });`;
    const body = await nodeJob(s3, platform, 'external', script);
    const { versionId } = (await api.ok('POST', '/v1/train', body)).json;
    const done = await api.waitForStatus(versionId, ['FINISH', 'TRAINING_FAIL', 'STARTING_FAIL'], 60_000);
    expect(done.json).toMatchObject({ status: 'FINISH' });
    expect((await api.allLogs(versionId)).map((l) => l.content)).toContain('trained on the team store');
    const files = (await api.ok('GET', `/v1/train/version/${versionId}/output`)).json.files;
    expect(files.map((f: { key: string }) => f.key)).toEqual(['model.txt']);
    const own = clientOf(PLATFORM_KEYS);
    try {
      const object = await own.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: 'jobs/external/output/model.txt' }),
      );
      expect(await object.Body!.transformToString()).toBe('rows=3');
    } finally {
      own.destroy();
    }
  });

  it('checks a job against it at submit: an output bucket it does not have is a 400', async () => {
    const { api, s3, platform } = env;
    const body = await nodeJob(s3, platform, 'missing-bucket', "console.log('never')", {
      output: 's3://team-missing/out/',
    });
    const answer = await api.call('POST', '/v1/train', body);
    expect(answer.status).toBe(400);
    expect(answer.json.message).toMatch(/outputPath \(output\): bucket team-missing does not exist/);
  });

  it('serves a model stored in it', async () => {
    const { api, s3, platform } = env;
    const modelVersion = await nodeModel(api, s3, platform, 'external-model', 'X');
    const serviceId = await deploy(api, 'external-service', [serviceModel(modelVersion)]);
    const { accessAddress } = await waitForService(api, serviceId, ['RUNNING'], 60_000);
    const answer = await predict(accessAddress, { instances: [[1, 2]] });
    expect(answer.json).toMatchObject({ predictions: [3], tag: 'X' });
    await api.ok('POST', `/v1/service/${serviceId}/stop`, {});
    await waitForService(api, serviceId, ['STOPPED']);
  });

  it('refuses to start on a store it cannot use, naming the endpoint and bucket and never a secret', async () => {
    const dir = tempDir();
    const secrets = [PLATFORM_KEYS.secretAccessKey, CLIENT_KEYS.secretAccessKey, 'wrong-secret-95c1'];
    const attempt = async (externalS3: ExternalS3Options) => {
      const error = await startLocalPlatform({ dataDir: dir.path, externalS3, onError: () => {} }).then(
        async (platform) => {
          await platform.close();
          return new Error('started');
        },
        (failure: unknown) => failure as Error,
      );
      for (const secret of secrets) expect(`${error.message} ${String(error.cause)}`).not.toContain(secret);
      return error;
    };
    try {
      const where = `the external S3 at ${store.endpoint}`;
      expect((await attempt({ ...options, bucket: 'no-such-bucket' })).message).toBe(
        `cannot use ${where} (bucket no-such-bucket): bucket no-such-bucket does not exist`,
      );
      expect(
        (await attempt({ ...options, accessKeyId: 'UNKNOWNKEY', secretAccessKey: 'wrong-secret-95c1' }))
          .message,
      ).toMatch(new RegExp(`^cannot use ${where} \\(bucket ${BUCKET}\\): .*Access Key`));
      const closed = await attempt({ ...options, endpoint: 'http://127.0.0.1:9' });
      expect(closed.message).toMatch(
        /^cannot use the external S3 at http:\/\/127\.0\.0\.1:9 \(bucket team-data\): /,
      );
      const tokenWithoutClient = await attempt({
        ...PLATFORM_KEYS,
        endpoint: store.endpoint,
        bucket: BUCKET,
        sessionToken: 't',
      });
      expect(tokenWithoutClient).toBeInstanceOf(ExternalS3ConfigError);
      expect(tokenWithoutClient.message).toMatch(/^external S3: client: required with a sessionToken/);
      expect((await attempt({ ...options, endpoint: 'minio:9000' })).message).toMatch(
        /^external S3: endpoint: /,
      );
      // Nothing was left open: the data dir can be used at once.
      const again = await startLocalPlatform({ dataDir: dir.path, externalS3: options, onError: () => {} });
      await again.close();
    } finally {
      dir.remove();
    }
    expect(errors).toEqual([]);
  }, 60_000);
});
