import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { Api, put, startTestPlatform } from './helpers.js';

let env: Awaited<ReturnType<typeof startTestPlatform>>;

beforeAll(async () => {
  env = await startTestPlatform({ users: [{ username: 'bob', password: 'bobs-password' }] });
});

afterAll(async () => {
  await env?.close();
});

describe('IAM of the local platform', () => {
  it('answers 401 / 1001 to wrong credentials, and issues tokens to the generated and the given users', async () => {
    const stranger = new Api(env.platform.baseUrl, 'modelmaker', 'wrong');
    const refused = await stranger.call('POST', '/v1/auth-token', {
      username: 'modelmaker',
      password: 'wrong',
    });
    expect(refused.status).toBe(401);
    expect(refused.json.errorCode).toBe(1001);
    const bob = new Api(env.platform.baseUrl, 'bob', 'bobs-password');
    await bob.login();
    expect((await bob.call('GET', '/v1/train')).status).toBe(200);
  });

  it('answers 1004 without a token, 1002 with a made-up one, 1003 once it expired (TTL 1 s)', async () => {
    const shortLived = await startTestPlatform({ tokenTtlSeconds: 1 });
    onTestFinished(() => shortLived.close());
    const { platform } = shortLived;
    const api = new Api(platform.baseUrl, platform.username, platform.password);
    expect((await api.call('GET', '/v1/train')).json).toMatchObject({ errorCode: 1004 });
    api.token = 'made-up';
    expect((await api.call('GET', '/v1/train')).json).toMatchObject({ errorCode: 1002 });
    const issued = await api.call('POST', '/v1/auth-token', {
      username: platform.username,
      password: platform.password,
    });
    expect(issued.json).toEqual({ token: expect.any(String), expiresIn: 1 });
    api.token = issued.json.token;
    expect((await api.call('GET', '/v1/train')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const expired = await api.call('GET', '/v1/train');
    // 200 with the error body, as the real platform answers 1002/1003 (its client reads errorCode only then).
    expect(expired.status).toBe(200);
    expect(expired.json).toMatchObject({ errorCode: 1003 });
    for (const text of api.texts) expect(text).not.toMatch(/\btrue\b|\bfalse\b|\bnull\b/);
  });

  it('hands out working credentials for the embedded S3 through auth-access', async () => {
    const { api, platform, s3 } = env;
    const uri = await put(s3, platform, 'auth/hello.txt', 'hello');
    const access = await api.ok('GET', '/v1/account/auth-access');
    expect(access.json).toEqual({
      s3: {
        ak: expect.any(String),
        sk: expect.any(String),
        url: platform.s3.endpoint,
        region: expect.any(String),
      },
      mirror: { auth: '', url: '' },
    });
    const client = new S3Client({
      endpoint: access.json.s3.url,
      region: access.json.s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: access.json.s3.ak, secretAccessKey: access.json.s3.sk },
    });
    const object = await client.send(
      new GetObjectCommand({ Bucket: 'modelmaker', Key: uri.split('/').slice(3).join('/') }),
    );
    expect(await object.Body!.transformToString()).toBe('hello');
    client.destroy();
    // Temporary keys, not the platform's own pair (that one stays in the data dir's credentials).
    expect(access.json.s3.ak).not.toBe(platform.s3.accessKeyId);
    expect(access.json.s3.sk).not.toBe(platform.s3.secretAccessKey);
  });

  it('lets the S3 keys of auth-access expire with their token; a new token brings new keys (TTL 1 s)', async () => {
    const shortLived = await startTestPlatform({ tokenTtlSeconds: 1 });
    onTestFinished(() => shortLived.close());
    const { api, platform, s3 } = shortLived;
    const uri = await put(s3, platform, 'auth/expiring.txt', 'expiring');
    const key = uri.split('/').slice(3).join('/');
    const clientOf = (s3Access: { ak: string; sk: string; url: string; region: string }) =>
      new S3Client({
        endpoint: s3Access.url,
        region: s3Access.region,
        forcePathStyle: true,
        credentials: { accessKeyId: s3Access.ak, secretAccessKey: s3Access.sk },
      });
    const first = (await api.ok('GET', '/v1/account/auth-access')).json.s3;
    const before = clientOf(first);
    onTestFinished(() => before.destroy());
    await before.send(new HeadObjectCommand({ Bucket: 'modelmaker', Key: key }));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await expect(before.send(new GetObjectCommand({ Bucket: 'modelmaker', Key: key }))).rejects.toMatchObject(
      {
        name: 'ExpiredToken',
        $metadata: { httpStatusCode: 403 },
      },
    );
    await api.login();
    const second = (await api.ok('GET', '/v1/account/auth-access')).json.s3;
    expect(second.ak).not.toBe(first.ak);
    const after = clientOf(second);
    onTestFinished(() => after.destroy());
    const object = await after.send(new GetObjectCommand({ Bucket: 'modelmaker', Key: key }));
    expect(await object.Body!.transformToString()).toBe('expiring');
  });

  it('answers 429 / 4029 once a username failed too often, the right password included, and 401 again never reveals which users exist', async () => {
    const attempt = (username: string, password: string) =>
      env.api.call('POST', '/v1/auth-token', { username, password });
    for (const username of ['nobody-here', 'bob']) {
      for (let i = 0; i < 5; i++) expect((await attempt(username, 'guess')).status).toBe(401);
      const throttled = await attempt(username, username === 'bob' ? 'bobs-password' : 'guess');
      expect(throttled.status).toBe(429);
      expect(throttled.json).toEqual({
        errorCode: 4029,
        message: expect.stringMatching(/^too many failed logins; try again in \d+ s$/),
      });
    }
  });
});

describe('catalog routes', () => {
  it('serve machine specs, frameworks, preset algorithms and preset models', async () => {
    const { api } = env;
    const resources = await api.ok('GET', '/v1/resource/TRAIN');
    expect(resources.json.resources[0]).toMatchObject({ id: expect.any(Number), cpu: expect.any(Number) });
    const frameworks = await api.ok('GET', '/v1/basic-framework/PREDICT');
    expect(frameworks.json.frameWorks.map((f: { name: string }) => f.name).sort()).toEqual([
      'node',
      'python3',
    ]);
    expect((await api.ok('GET', '/v1/preset-algorithm')).json.presetAlgorithms.length).toBeGreaterThan(0);
    expect((await api.ok('GET', '/v1/preset-model')).json.presetModels.length).toBeGreaterThan(0);
    const badEnv = await api.call('GET', '/v1/resource/MOON');
    expect(badEnv.status).toBe(400);
    expect(badEnv.json.message).toMatch(/^env: /);
  });

  it('never sends true, false or null', () => {
    for (const text of env.api.texts) expect(text).not.toMatch(/\btrue\b|\bfalse\b|\bnull\b/);
  });
});
