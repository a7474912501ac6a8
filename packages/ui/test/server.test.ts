/**
 * The dashboard server's parts without a browser: the burst batching, the SSE
 * encoding and resume cursor, secret masking, the version feed on a scripted
 * source (resume, gaps, failure), and the HTTP guard (Host, Origin, token,
 * content type) on a real server whose platform is never reached.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiError,
  type LogPage,
  type LogPageRequest,
  Session,
  type TrainingSource,
  type TrainVersionDetail,
} from 'modelmaker';
import { lastValueFrom, type Observable, of, throwError, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  batchBursts,
  type Dashboard,
  mask,
  resumeFrom,
  type ServerSentEvent,
  startDashboard,
  TOKEN_COOKIE,
  TOKEN_HEADER,
  toFrames,
  versionFeed,
} from '../src/index.js';

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('batchBursts', () => {
  it('groups what one burst emits, keeps order, flushes before completing', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const source = cold('(abc)--d--(ef|)');
      expectObservable(source.pipe(batchBursts(100, ts))).toBe('x------y--(z|)', {
        x: ['a', 'b', 'c'],
        y: ['d'],
        z: ['e', 'f'],
      });
    });
  });

  it('cuts a burst at max values and passes an error on after the pending batch', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const source = cold('(abcde#)', undefined, new Error('boom'));
      expectObservable(source.pipe(batchBursts(2, ts))).toBe(
        '(xyz#)',
        { x: ['a', 'b'], y: ['c', 'd'], z: ['e'] },
        new Error('boom'),
      );
    });
  });

  it('refuses a max that is not a positive integer', () => {
    expect(() => batchBursts(0)).toThrow(/max must be a positive integer/);
  });
});

describe('Server-Sent Events (the SDK feeds encoder and resume cursor)', () => {
  it('frames id, event and JSON data; retry first', async () => {
    const frames = await lastValueFrom(
      of<ServerSentEvent[]>(
        { event: 'status', data: { status: 'TRAINING' } },
        { event: 'log', id: '7', data: [{ type: 'line', id: 7, content: 'a\nb' }] },
      ).pipe(toFrames({ retryMs: 250 }), toArray()),
    );
    expect(frames).toEqual([
      'retry: 250\n\n',
      'event: status\ndata: {"status":"TRAINING"}\n\n',
      'id: 7\nevent: log\ndata: [{"type":"line","id":7,"content":"a\\nb"}]\n\n',
    ]);
  });

  it('refuses an event name that would break the framing', async () => {
    await expect(lastValueFrom(of({ event: 'x\ny', data: 1 }).pipe(toFrames()))).rejects.toMatchObject({
      _tag: 'ValidationError',
    });
  });

  it('resumes after the Last-Event-ID a page sends back, from 0 without one; refuses an id it never sent', () => {
    expect(resumeFrom('41')).toBe(42);
    expect(resumeFrom(['3', '9'])).toBe(4);
    expect(resumeFrom(undefined)).toBe(0);
    expect(resumeFrom('')).toBe(0);
    expect(() => resumeFrom('abc')).toThrow(/Last-Event-ID/);
    expect(() => resumeFrom('-1')).toThrow(/Last-Event-ID/);
  });
});

describe('mask', () => {
  it('masks secret keys and the values of name/value pairs whose name says secret', () => {
    const masked = mask({
      parameters: [
        { name: 'EPOCHS', value: 5 },
        { name: 'DB_PASSWORD', value: 'hunter2' },
        { name: 'hf_token', value: 'abc' },
        { name: 'OPENAI_API_KEY', value: 'sk-1' },
      ],
      gitInfo: { username: 'me', password: 'pw' },
      name: 'password-less job',
    });
    expect(masked).toEqual({
      parameters: [
        { name: 'EPOCHS', value: 5 },
        { name: 'DB_PASSWORD', value: '***' },
        { name: 'hf_token', value: '***' },
        { name: 'OPENAI_API_KEY', value: '***' },
      ],
      gitInfo: { username: 'me', password: '***' },
      name: 'password-less job',
    });
  });
});

/** A finished version whose log has `ids` (a jump makes a gap), one metric point and one sample. */
function finishedSource(ids: readonly number[]): TrainingSource & { logRequests: LogPageRequest[] } {
  const logRequests: LogPageRequest[] = [];
  const detail: TrainVersionDetail = {
    status: 'FINISH',
    parameters: [{ name: 'API_TOKEN', value: 'tok-secret' }],
  };
  return {
    logRequests,
    version: () => of(detail),
    logPage: (_, req): Observable<LogPage> => {
      logRequests.push(req);
      return of({ logs: ids.filter((id) => id >= req.lastId).map((id) => ({ id, content: `line ${id}` })) });
    },
    performance: () =>
      of({ metrics: [{ name: 'accuracy', points: [{ time: 1_000, value: 0.9, step: 1 }] }] }),
    resources: () => of({ samples: [{ time: 1_000, instance: 0, cpu: 0.5, memory: 1024 }] }),
  };
}

const FEED = { floorMs: 1, ceilingMs: 5, waitSeconds: 0 } as const;

describe('versionFeed', () => {
  it('sends hello, the status (masked), every line with the last id as the cursor, metrics, resources, end', async () => {
    const events = await lastValueFrom(versionFeed(finishedSource([0, 1, 2, 5, 6]), 9, FEED).pipe(toArray()));
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('hello');
    expect(names.at(-1)).toBe('end');
    expect(names).toEqual(expect.arrayContaining(['status', 'log', 'metrics', 'resources']));
    const status = events.find((e) => e.event === 'status')!;
    expect(status.data).toMatchObject({
      status: 'FINISH',
      terminal: true,
      detail: { parameters: [{ name: 'API_TOKEN', value: '***' }] },
    });
    const logs = events.filter((e) => e.event === 'log');
    const items = logs.flatMap((e) => e.data as { type: string; id?: number; from?: number; to?: number }[]);
    expect(items).toEqual([
      { type: 'line', id: 0, content: 'line 0' },
      { type: 'line', id: 1, content: 'line 1' },
      { type: 'line', id: 2, content: 'line 2' },
      { type: 'gap', from: 3, to: 4 },
      { type: 'line', id: 5, content: 'line 5' },
      { type: 'line', id: 6, content: 'line 6' },
    ]);
    expect(logs.at(-1)!.id).toBe('6');
    expect(events.at(-1)!.data).toEqual({ status: 'FINISH' });
    expect(JSON.stringify(events)).not.toContain('tok-secret');
  });

  it('resumes after the cursor a reconnecting page sends back', async () => {
    const source = finishedSource([0, 1, 2, 3, 4, 5]);
    const events: ServerSentEvent[] = await lastValueFrom(
      versionFeed(source, 9, { ...FEED, from: 4 }).pipe(toArray()),
    );
    const ids = events
      .filter((e) => e.event === 'log')
      .flatMap((e) => (e.data as { id: number }[]).map((item) => item.id));
    expect(ids).toEqual([4, 5]);
    expect(source.logRequests[0]!.lastId).toBe(4);
    expect(events[0]).toEqual({ event: 'hello', data: { versionId: 9, from: 4 } });
  });

  it('ends with a failure event naming the cause when the version cannot be read', async () => {
    const source: TrainingSource = {
      ...finishedSource([]),
      version: () => throwError(() => new ApiError(4004, 'no training version 9', 200)),
    };
    const events = await lastValueFrom(versionFeed(source, 9, FEED).pipe(toArray()));
    expect(events.at(-1)).toEqual({
      event: 'failure',
      data: expect.objectContaining({
        tag: 'ApiError',
        errorCode: 4004,
        message: expect.stringMatching(/no training version 9/),
      }),
    });
  });
});

/** One raw HTTP request (Host and Origin as given: fetch would not let a test forge them). */
function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('the HTTP guard', () => {
  const PASSWORD = 'pw-never-shown-42';
  let dashboard: Dashboard;
  let assets: string;
  let host: string;
  let token: string;

  beforeAll(async () => {
    assets = mkdtempSync(join(tmpdir(), 'mm-ui-guard-'));
    writeFileSync(
      join(assets, 'index.html'),
      '<meta name="modelmaker-ui-token" content="%MODELMAKER_UI_TOKEN%">',
    );
    writeFileSync(join(assets, 'app.js'), 'console.log(1)');
    // a platform address nothing listens on: a request that passes the guard fails in the SDK
    const session = new Session({
      baseUrl: 'http://127.0.0.1:9/v1',
      username: 'alice',
      password: PASSWORD,
      configPath: false,
      level: 50,
      maxAttempts: 1,
    });
    dashboard = await startDashboard({ session, assetsDir: assets });
    host = `127.0.0.1:${dashboard.port}`;
    const page = await raw(dashboard.url);
    token = /content="([^"]+)"/.exec(page.body)![1]!;
  });

  afterAll(async () => {
    await dashboard?.close();
    rmSync(assets, { recursive: true, force: true });
  });

  it('serves the page with its token, a SameSite=Strict HttpOnly cookie and a strict CSP', async () => {
    const page = await raw(dashboard.url);
    expect(page.status).toBe(200);
    expect(token).toMatch(/^[\w-]{40,}$/);
    expect(page.headers['set-cookie']).toEqual([
      `${TOKEN_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`,
    ]);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
    const script = await raw(`${dashboard.url}assets/app.js`);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect((await raw(`${dashboard.url}assets/../../etc/passwd`)).status).toBe(404);
  });

  it('answers only for its own host names (a DNS-rebinding page gets 421)', async () => {
    expect((await raw(`${dashboard.url}api/info`, { headers: { host: 'evil.example' } })).status).toBe(421);
    expect(
      (await raw(`${dashboard.url}api/info`, { headers: { host: `evil.example:${dashboard.port}` } })).status,
    ).toBe(421);
    const info = await raw(`${dashboard.url}api/info`, { headers: { host: `localhost:${dashboard.port}` } });
    expect(info.status).toBe(200);
    expect(JSON.parse(info.body)).toEqual({ baseUrl: 'http://127.0.0.1:9/v1', username: 'alice' });
    expect(info.body).not.toContain(PASSWORD);
  });

  it('refuses a POST from another origin, without the token, or not JSON; lets the page through', async () => {
    const url = `${dashboard.url}api/versions/3/stop`;
    const good = {
      host,
      origin: `http://${host}`,
      'content-type': 'application/json',
      [TOKEN_HEADER]: token,
      cookie: `${TOKEN_COOKIE}=${token}`,
    };
    const post = (headers: Record<string, string>) => raw(url, { method: 'POST', headers, body: '{}' });
    const without = (name: string) =>
      Object.fromEntries(Object.entries(good).filter(([key]) => key !== name));

    expect((await post({ ...good, origin: 'http://evil.example' })).status).toBe(403);
    expect((await post(without('origin'))).status).toBe(403);
    expect((await post(without(TOKEN_HEADER))).status).toBe(403);
    expect((await post(without('cookie'))).status).toBe(403);
    expect((await post({ ...good, [TOKEN_HEADER]: `${token.slice(0, -1)}x` })).status).toBe(403);
    const form = await post({ ...good, 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expect(JSON.parse(form.body).error.message).toMatch(/expected a JSON body/);

    // past the guard, the SDK is asked (and cannot reach the platform here)
    const passed = await post(good);
    expect(passed.status).toBe(502);
    expect(JSON.parse(passed.body).error.tag).toBe('NetworkError');
    expect(passed.body).not.toContain(PASSWORD);
  });

  it('names what is wrong: unknown route 404, wrong method 405, bad body or cursor 400', async () => {
    expect((await raw(`${dashboard.url}api/nothing`)).status).toBe(404);
    const cursor = await raw(`${dashboard.url}api/versions/3/events`, { headers: { 'last-event-id': 'x1' } });
    expect(cursor.status).toBe(400);
    expect(JSON.parse(cursor.body).error.message).toMatch(/Last-Event-ID/);
    expect((await raw(`${dashboard.url}api/versions/3/stop`)).status).toBe(405);
    const headers = {
      host,
      origin: `http://${host}`,
      'content-type': 'application/json',
      [TOKEN_HEADER]: token,
      cookie: `${TOKEN_COOKIE}=${token}`,
    };
    const bad = await raw(`${dashboard.url}api/services`, {
      method: 'POST',
      headers,
      body: '{"name": "svc"}',
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.message).toMatch(/modelVersionId: expected a positive integer/);
    const notJson = await raw(`${dashboard.url}api/services`, { method: 'POST', headers, body: '{' });
    expect(notJson.status).toBe(400);
  });
});
