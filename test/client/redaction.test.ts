/**
 * With level 10 (debug), everything a full auth + create flow logs — through a
 * user logger and through the console — never shows the password, the token, the S3
 * secret or the git password.
 */
import { HttpResponse, http } from 'msw';
import { lastValueFrom } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerModel } from '../../src/client/models.js';
import { Session } from '../../src/client/session.js';
import { createTrainJob, getTrainVersion } from '../../src/client/training.js';
import type { TrainCreate } from '../../src/codecs/training.js';
import { BASE, captureLogger, PASSWORD, USERNAME, useServer } from './support.js';

const server = useServer();

const TOKEN = 'tok-7f3a9c1e5b2d';
const SK = 'S3-SK-9d8c7b6a5f4e';
const GIT_PASSWORD = 'git-pw-4c3b2a19';
const STATIC_SECRET = 'STATIC-SECRET-0a1b2c';

const trainBody: TrainCreate = {
  name: 'mnist',
  type: 'BASIC_FRAMEWORK',
  output: 's3://bucket/out/',
  frameworkId: 500100,
  startup: 'train.py',
  resourceId: 500050,
  gitInfo: {
    username: 'git-user',
    password: GIT_PASSWORD,
    branch: 'main',
    url: 'https://git.example.com/r.git',
  },
};

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function platform(): void {
  let versionCalls = 0;
  server.use(
    http.post(`${BASE}/v1/auth-token`, () => HttpResponse.json({ token: TOKEN, expiresIn: 3600 })),
    http.get(`${BASE}/v1/account/auth-access`, () =>
      HttpResponse.json({
        s3: { ak: 'AKID', sk: SK, url: 's3.local:9000', region: 'js01' },
        mirror: { auth: SK },
      }),
    ),
    http.post(`${BASE}/v1/train`, () => HttpResponse.json({ errorCode: 102009, message: 'exists' })),
    http.get(`${BASE}/v1/train`, () => HttpResponse.json({ trainTasks: [{ id: 7, name: 'mnist' }] })),
    http.post(`${BASE}/v1/train/7/version`, () => HttpResponse.json({ id: 7, versionId: 9 })),
    // The version detail echoes the body, git password included, as a careless server might;
    // the first answer refuses the token to force a re-authentication.
    http.get(`${BASE}/v1/train/version/9`, () => {
      versionCalls += 1;
      return versionCalls === 1
        ? HttpResponse.json({ errorCode: 1003, message: `token ${TOKEN} expired` })
        : HttpResponse.json({ status: 'TRAINING', ...trainBody });
    }),
    http.post(`${BASE}/v1/model`, () =>
      HttpResponse.json({ errorCode: 4000, message: `bad body {"password":"${PASSWORD}"}` }, { status: 400 }),
    ),
  );
}

async function fullFlow(session: Session): Promise<unknown> {
  await lastValueFrom(createTrainJob(session, trainBody));
  await session.s3Access().get();
  await lastValueFrom(getTrainVersion(session, 9));
  return lastValueFrom(
    registerModel(session, {
      name: 'm',
      type: 'CUSTOM',
      version: '1',
      mirrorUrl: 'i',
      gitInfo: trainBody.gitInfo,
    }),
  ).catch((e: unknown) => e);
}

function expectClean(text: string): void {
  for (const secret of [PASSWORD, TOKEN, SK, GIT_PASSWORD, STATIC_SECRET]) expect(text).not.toContain(secret);
}

describe('redaction', () => {
  it('keeps every secret out of a user logger at level 10, while showing requests and bodies', async () => {
    platform();
    const logger = captureLogger();
    const session = new Session({
      baseUrl: BASE,
      username: USERNAME,
      password: PASSWORD,
      secretKey: STATIC_SECRET,
      configPath: false,
      level: 10,
      logger,
    });
    const error = await fullFlow(session);
    const text = logger.text();
    expect(text).toContain(`POST ${BASE}/v1/auth-token`);
    expect(text).toContain(`GET ${BASE}/v1/train/version/9`);
    expect(text).toMatch(/← 200 POST .*\/v1\/train\/7\/version \(\d+ ms\)/);
    expect(text).toContain('git-user');
    expect(text).toContain('re-authenticating');
    expectClean(text);
    expectClean(JSON.stringify(await session.resolved()));
    expect(error).toMatchObject({ _tag: 'ApiError' });
    expectClean(String(error));
  });

  it('keeps every secret out of the console logger with MODELMAKER_LEVEL=10', async () => {
    platform();
    vi.stubEnv('MODELMAKER_LEVEL', '10');
    const lines: string[] = [];
    for (const method of ['debug', 'info', 'warn', 'error'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(' '));
      });
    }
    const session = new Session({ baseUrl: BASE, username: USERNAME, password: PASSWORD, configPath: false });
    await fullFlow(session);
    expect(lines.some((line) => line.startsWith('[modelmaker] DEBUG'))).toBe(true);
    expectClean(lines.join('\n'));
  });
});
