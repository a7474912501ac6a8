import { inspect } from 'node:util';
import { HttpResponse, http } from 'msw';
import { lastValueFrom } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, LogLevel } from '../../src/client/logger.js';
import { Session } from '../../src/client/session.js';
import { tlsFetchExtras } from '../../src/client/tls.js';
import { listTrain } from '../../src/client/training.js';
import { endpoints } from '../../src/codecs/endpoints.js';
import { hasTag } from '../../src/errors.js';
import {
  authCounter,
  authHandler,
  BASE,
  captureLogger,
  newSession,
  PASSWORD,
  USERNAME,
  useServer,
} from './support.js';

const server = useServer();
const jobList = { trainTasks: [{ id: 1, name: 'job-a' }] };

afterEach(() => {
  vi.unstubAllEnvs();
});

/** `GET /v1/train` accepting only the counter's current token; otherwise answers `refusal`. */
function listHandler(
  counter: { current(): string },
  refusal: () => Response = () => HttpResponse.json({ errorCode: 1003, message: 'token expired' }),
  onHit?: (token: string | null) => void,
) {
  return http.get(`${BASE}/v1/train`, ({ request }) => {
    const token = request.headers.get('Auth-Token');
    onHit?.(token);
    return token === counter.current() ? HttpResponse.json(jobList) : refusal();
  });
}

describe('construction', () => {
  it('does no I/O: no request, no config file read, until the first call', async () => {
    const fetchSpy = vi.fn<typeof fetch>(() => Promise.reject(new Error('no')));
    const session = newSession({ fetch: fetchSpy, configPath: '/nonexistent/modelmaker/config.json' });
    expect(fetchSpy).not.toHaveBeenCalled();
    // The missing explicit config file is noticed only when settings are needed.
    await expect(session.resolved()).rejects.toMatchObject({ _tag: 'ValidationError' });
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('never mutates the options object it was given', async () => {
    const options = Object.freeze({
      baseUrl: BASE,
      configPath: false as const,
      username: 'u',
      password: 'pw',
      retryBudget: Object.freeze({ capacity: 7 }),
    });
    // Frozen: any write by the session would throw (modules are strict).
    const session = new Session(options);
    await expect(session.resolved()).resolves.toMatchObject({ baseUrl: BASE, username: 'u' });
    expect(session.retryBudget.capacity).toBe(7);
    expect(options).toEqual({
      baseUrl: BASE,
      configPath: false,
      username: 'u',
      password: 'pw',
      retryBudget: { capacity: 7 },
    });
  });
});

describe('token', () => {
  it('fetches the token lazily, once for 20 concurrent first calls, and sends it as Auth-Token', async () => {
    const counter = authCounter();
    const seen: Array<string | null> = [];
    server.use(
      authHandler(counter),
      listHandler(counter, undefined, (t) => seen.push(t)),
    );
    const session = newSession();
    expect(counter.requests).toBe(0);
    await Promise.all(Array.from({ length: 20 }, () => lastValueFrom(listTrain(session))));
    expect(counter.requests).toBe(1);
    expect(seen).toEqual(Array.from({ length: 20 }, () => 'token-1'));
  });

  // The real platform answers 1002/1003 with HTTP 200; a server may use 401 for them too.
  it.each([200, 401])(
    're-authenticates exactly once when 20 concurrent calls meet an expired token mid-run (errorCode 1003 with HTTP %i), and all succeed',
    async (status) => {
      const counter = authCounter();
      server.use(
        authHandler(counter),
        listHandler(counter, () =>
          HttpResponse.json({ errorCode: 1003, message: 'token expired' }, { status }),
        ),
      );
      const session = newSession();
      await lastValueFrom(listTrain(session));
      expect(counter.requests).toBe(1);
      // The server expires token-1: only a new token is accepted from now on.
      counter.issued += 100;
      const results = await Promise.all(Array.from({ length: 20 }, () => lastValueFrom(listTrain(session))));
      expect(results).toEqual(Array.from({ length: 20 }, () => jobList));
      expect(counter.requests).toBe(2);
    },
  );

  it('re-authenticates on HTTP 401 as on errorCode 1002/1003', async () => {
    const counter = authCounter();
    server.use(
      authHandler(counter),
      listHandler(counter, () => new HttpResponse('unauthorized', { status: 401 })),
    );
    const session = newSession();
    await lastValueFrom(listTrain(session));
    counter.issued += 100;
    await expect(lastValueFrom(listTrain(session))).resolves.toEqual(jobList);
    expect(counter.requests).toBe(2);
  });

  it('fails with AuthError when the server refuses a fresh token too, re-authenticating once', async () => {
    const counter = authCounter();
    let calls = 0;
    server.use(
      authHandler(counter),
      http.get(`${BASE}/v1/train`, () => {
        calls += 1;
        return HttpResponse.json({ errorCode: 1002, message: 'token invalid' });
      }),
    );
    const error = await lastValueFrom(listTrain(newSession())).catch((e: unknown) => e);
    expect(error).toMatchObject({ _tag: 'AuthError' });
    expect(counter.requests).toBe(2);
    expect(calls).toBe(2);
  });

  it('fails 20 concurrent calls with AuthError on bad credentials after one auth request, without retries', async () => {
    const counter = authCounter();
    let calls = 0;
    server.use(
      authHandler(counter),
      http.get(`${BASE}/v1/train`, () => {
        calls += 1;
        return HttpResponse.json(jobList);
      }),
    );
    const session = newSession({ password: 'wrong-password' });
    const errors = await Promise.all(
      Array.from({ length: 20 }, () => lastValueFrom(listTrain(session)).catch((e: unknown) => e)),
    );
    expect(errors.every((e) => hasTag(e, 'AuthError'))).toBe(true);
    expect((errors[0] as Error).message).toContain('1001');
    expect(counter.requests).toBe(1);
    expect(calls).toBe(0);
  });

  it('fails with AuthError on HTTP 401 from /v1/auth-token without errorCode', async () => {
    let requests = 0;
    server.use(
      http.post(`${BASE}/v1/auth-token`, () => {
        requests += 1;
        return new HttpResponse('no', { status: 401 });
      }),
    );
    const error = await lastValueFrom(listTrain(newSession())).catch((e: unknown) => e);
    expect(error).toMatchObject({ _tag: 'AuthError', reason: 'credentials' });
    expect(requests).toBe(1);
  });

  it('renews a token before its expiresIn runs out, without a refused round trip', async () => {
    const counter = authCounter();
    const refusals: Array<string | null> = [];
    server.use(
      authHandler(counter, 120),
      listHandler(
        counter,
        () => HttpResponse.json({ errorCode: 1003 }),
        (t) => {
          if (t !== counter.current()) refusals.push(t);
        },
      ),
    );
    let clock = 1_000_000;
    const session = newSession({ now: () => clock, tokenRefreshMarginMs: 30_000 });
    await lastValueFrom(listTrain(session));
    clock += 60_000;
    await lastValueFrom(listTrain(session));
    expect(counter.requests).toBe(1);
    clock += 31_000; // 91 s of 120: inside the 30 s margin.
    await lastValueFrom(listTrain(session));
    expect(counter.requests).toBe(2);
    expect(refusals).toEqual([]);
  });

  it('rejects with ValidationError naming the missing credentials, before any request', async () => {
    const error = await lastValueFrom(
      listTrain(newSession({ username: undefined, password: undefined })),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ _tag: 'ValidationError' });
    expect((error as { problems: Array<{ field: string }> }).problems.map((p) => p.field)).toEqual([
      'username',
      'password',
    ]);
  });
});

describe('call', () => {
  it('rejects an invalid path parameter with ValidationError before any request', async () => {
    const session = newSession();
    const error = await lastValueFrom(session.call(endpoints.getTrain, { params: { jobId: 0 } })).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ _tag: 'ValidationError' });
  });

  it('is cold: nothing is sent until subscription, and each subscription sends again', async () => {
    const counter = authCounter();
    let calls = 0;
    server.use(
      authHandler(counter),
      listHandler(counter, undefined, () => {
        calls += 1;
      }),
    );
    const list$ = listTrain(newSession());
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls).toBe(0);
    await lastValueFrom(list$);
    await lastValueFrom(list$);
    expect(calls).toBe(2);
  });
});

describe('resolved settings', () => {
  it('masks password and secretKey in JSON, String and inspect, but keeps them readable', async () => {
    const session = newSession({ secretKey: 'S3-SECRET-KEY', accessKey: 'AK' });
    const settings = await session.resolved();
    expect(settings.password).toBe(PASSWORD);
    expect(settings.secretKey).toBe('S3-SECRET-KEY');
    for (const shown of [JSON.stringify(settings), String(settings), inspect(settings)]) {
      expect(shown).not.toContain(PASSWORD);
      expect(shown).not.toContain('S3-SECRET-KEY');
      expect(shown).toContain(USERNAME);
    }
  });

  it('takes the project id from PROJECT_ID unless given', async () => {
    vi.stubEnv('PROJECT_ID', 'p-42');
    await expect(newSession().resolved()).resolves.toMatchObject({ projectId: 'p-42' });
    await expect(newSession({ projectId: 'p-1' }).resolved()).resolves.toMatchObject({ projectId: 'p-1' });
  });

  it('gives the default bucket, or a ValidationError naming bucket', async () => {
    await expect(newSession({ bucket: 'data' }).bucket()).resolves.toBe('data');
    await expect(newSession().bucket()).rejects.toMatchObject({ _tag: 'ValidationError' });
  });

  it('warns once that verify_ssl is off for an https platform, however many calls run', async () => {
    const logger = captureLogger();
    const sdkLogger = createLogger({ logger, level: LogLevel.info });
    await tlsFetchExtras(false, 'https://mm.example.com/mmr', sdkLogger);
    await tlsFetchExtras(false, 'https://mm.example.com/mmr', sdkLogger);
    const warnings = logger.entries.filter((e) => e.level === 'warn' && e.message.includes('verify_ssl'));
    expect(warnings).toHaveLength(1);
  });

  it('says nothing about verify_ssl for a plain http platform (no certificates to verify)', async () => {
    const counter = authCounter();
    server.use(authHandler(counter), listHandler(counter));
    const logger = captureLogger();
    const session = newSession({ verifySsl: false, logger, level: 'info' });
    await lastValueFrom(listTrain(session));
    expect(logger.entries.filter((e) => e.message.includes('verify_ssl'))).toHaveLength(0);
  });
});

describe('s3Access', () => {
  const access = { s3: { ak: 'AKID', sk: 'S3-TEMP-SECRET', url: 's3.example.com:9000', region: 'js01' } };

  it('fetches auth-access lazily and once, and prefixes s3_protocol to a scheme-less url', async () => {
    const counter = authCounter();
    let fetches = 0;
    server.use(
      authHandler(counter),
      http.get(`${BASE}/v1/account/auth-access`, ({ request }) => {
        fetches += 1;
        expect(request.headers.get('Auth-Token')).toBe(counter.current());
        return HttpResponse.json(access);
      }),
    );
    const session = newSession();
    const provider = session.s3Access();
    expect(fetches).toBe(0);
    const [a, b] = await Promise.all([provider.get(), provider.get()]);
    expect(a).toEqual({
      accessKeyId: 'AKID',
      secretAccessKey: 'S3-TEMP-SECRET',
      endpoint: 'http://s3.example.com:9000',
      region: 'js01',
    });
    expect(b).toEqual(a);
    await provider.get();
    expect(fetches).toBe(1);
    await provider.refresh();
    expect(fetches).toBe(2);
    expect(session.s3Access()).toBe(provider);
  });

  it('uses https when s3Protocol says so, and keeps a url that has a scheme', async () => {
    server.use(
      authHandler(authCounter()),
      http.get(`${BASE}/v1/account/auth-access`, () => HttpResponse.json(access)),
    );
    await expect(newSession({ s3Protocol: 'https' }).s3Access().get()).resolves.toMatchObject({
      endpoint: 'https://s3.example.com:9000',
    });
    server.use(
      http.get(`${BASE}/v1/account/auth-access`, () =>
        HttpResponse.json({ s3: { ...access.s3, url: 'https://minio.local/' } }),
      ),
    );
    await expect(newSession().s3Access().get()).resolves.toMatchObject({ endpoint: 'https://minio.local' });
  });

  it('stops waiting when the caller aborts, without failing other callers', async () => {
    server.use(
      authHandler(authCounter()),
      http.get(`${BASE}/v1/account/auth-access`, async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        return HttpResponse.json(access);
      }),
    );
    const provider = newSession().s3Access();
    const controller = new AbortController();
    const first = provider.get(controller.signal);
    const second = provider.get();
    controller.abort(new Error('gone'));
    await expect(first).rejects.toThrow('gone');
    await expect(second).resolves.toMatchObject({ accessKeyId: 'AKID' });
  });
});
