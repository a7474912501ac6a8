import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TokenIssuer } from '../../src/iam.js';
import { ChangeHub } from '../../src/server/changeHub.js';
import { type HttpListener, listen } from '../../src/server/http.js';
import { conflict, notFound } from '../../src/server/problem.js';
import { createRouter } from '../../src/server/router.js';
import { openStore, type Store } from '../../src/store/store.js';

const hub = new ChangeHub();
let store: Store;
let http: HttpListener;
let token: string;
const errors: unknown[] = [];
const seen: unknown[] = [];

beforeAll(async () => {
  store = openStore(':memory:');
  await store.users.setPassword('alice', 'secret');
  const tokens = new TokenIssuer(store.users, { ttlSeconds: 60 });
  const router = createRouter({
    checkToken: (t) => tokens.check(t),
    maxBodyBytes: 1024,
    onError: (error) => errors.push(error),
    handlers: {
      authToken: async ({ body }) => (await tokens.issue(body.username, body.password))!,
      getTrain: ({ params }) => {
        if (params.jobId === 404) throw notFound(`training job ${params.jobId}`);
        if (params.jobId === 500) throw new Error('secret database path /x/y');
        return { id: params.jobId, name: 'j', versions: [] };
      },
      getTrainVersion: ({ params }) => ({ status: 'TRAINING', id: params.versionId, isFlowInput: true }),
      getTrainLog: async ({ params, query, signal }) => {
        seen.push(query);
        if (params.versionId === 99) await hub.waitFor(99, 10_000, signal);
        return { logs: [], hasMore: false };
      },
      createTrainVersion: ({ params, body }) => {
        seen.push(body);
        if (params.jobId === 409) throw conflict('busy');
        return { id: params.jobId, versionId: 1 };
      },
    },
  });
  http = await listen(router, '127.0.0.1', 0);
  token = (await tokens.issue('alice', 'secret'))!.token;
});

afterAll(async () => {
  await http.close();
  store.close();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${http.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'auth-token': token, ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, json: JSON.parse(text) as Record<string, unknown> };
}

const trainBody = { name: 'j', type: 'CUSTOM', output: 's3://modelmaker/out', mirrorUrl: 'img' };

describe('routes built from the endpoint table', () => {
  it('decodes path parameters to numbers and encodes flags as 0/1, never true/false/null', async () => {
    const { status, json, text } = await call('GET', '/v1/train/version/7');
    expect(status).toBe(200);
    expect(json).toEqual({ status: 'TRAINING', id: 7, isFlowInput: 1 });
    expect(text).not.toMatch(/true|false|null/);
  });

  it('drops false flags the handler returned as absent-or-0, not false', async () => {
    const { text } = await call('GET', '/v1/train/version/7/log?lastId=0');
    expect(text).toBe('{"logs":[],"hasMore":0}');
  });

  it('decodes the query with its codec', async () => {
    seen.length = 0;
    await call('GET', '/v1/train/version/7/log?lastId=3&wait=1.5&limit=10');
    expect(seen).toEqual([{ lastId: 3, wait: 1.5, limit: 10 }]);
  });

  it('answers 400 / 4000 naming the query field', async () => {
    const { status, json } = await call('GET', '/v1/train/version/7/log?lastId=x');
    expect(status).toBe(400);
    expect(json.errorCode).toBe(4000);
    expect(json.message).toMatch(/^lastId: /);
  });

  it('answers 400 / 4000 naming the body field, and strips unknown fields before the handler sees them', async () => {
    const bad = await call('POST', '/v1/train/3/version', { ...trainBody, instance: 11 });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({
      errorCode: 4000,
      message: expect.stringMatching(/instance: expected an integer in 1..10/),
    });
    seen.length = 0;
    const ok = await call('POST', '/v1/train/3/version', { ...trainBody, surprise: 1 });
    expect(ok.status).toBe(200);
    expect(seen).toEqual([trainBody]);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const { status, json } = await call('POST', '/v1/train/3/version', '{not json');
    expect(status).toBe(400);
    expect(json).toEqual({ errorCode: 4000, message: 'body: expected JSON' });
  });

  it('answers 413 for a body over the limit, declared or streamed', async () => {
    const huge = JSON.stringify({ ...trainBody, description: 'x'.repeat(5000) });
    expect((await call('POST', '/v1/train/3/version', huge)).status).toBe(413);
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(huge));
        controller.close();
      },
    });
    const response = await fetch(`${http.url}/v1/train/3/version`, {
      method: 'POST',
      headers: { 'auth-token': token },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ errorCode: 4000 });
  });

  it('answers 404 / 4004 for an unknown route and for a handler that finds nothing', async () => {
    expect((await call('GET', '/v1/nothing')).json).toMatchObject({ errorCode: 4004 });
    expect((await call('GET', '/v1/nothing')).status).toBe(404);
    const missing = await call('GET', '/v1/train/404');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ errorCode: 4004, message: 'training job 404 not found' });
  });

  it('answers 405 for a known path with another method', async () => {
    expect((await call('PATCH', '/v1/train/3')).status).toBe(405);
  });

  it('answers 400 for a path parameter that is not an id', async () => {
    const { status, json } = await call('GET', '/v1/train/abc');
    expect(status).toBe(400);
    expect(json.message).toMatch(/^jobId: /);
  });

  it('answers 409 / 4009 for a state conflict', async () => {
    const { status, json } = await call('POST', '/v1/train/409/version', trainBody);
    expect(status).toBe(409);
    expect(json.errorCode).toBe(4009);
  });

  it('answers 500 / 5000 without leaking the error, and reports it', async () => {
    errors.length = 0;
    const { status, json, text } = await call('GET', '/v1/train/500');
    expect(status).toBe(500);
    expect(json).toEqual({ errorCode: 5000, message: 'internal error' });
    expect(text).not.toContain('secret');
    expect(errors).toHaveLength(1);
  });

  it('answers 501 for a contract endpoint without a handler yet', async () => {
    const { status, json } = await call('GET', '/v1/service');
    expect(status).toBe(501);
    expect(json.errorCode).toBe(5000);
  });

  it('aborts the handler signal when the client disconnects, so a long poll leaves no waiter', async () => {
    const controller = new AbortController();
    const pending = fetch(`${http.url}/v1/train/version/99/log?lastId=0&wait=10`, {
      headers: { 'auth-token': token },
      signal: controller.signal,
    }).catch(() => 'aborted');
    await vi.waitFor(() => expect(hub.size(99)).toBe(1));
    controller.abort();
    expect(await pending).toBe('aborted');
    await vi.waitFor(() => expect(hub.size(99)).toBe(0));
  });

  it('accepts one trailing slash either way', async () => {
    expect((await call('GET', '/v1/train/3/')).status).toBe(200);
  });
});

describe('authentication', () => {
  it('answers 401 / 1004 without a token, 200 / 1002 with an unknown one (as the real platform does)', async () => {
    const missing = await fetch(`${http.url}/v1/train/3`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ errorCode: 1004 });
    const invalid = await call('GET', '/v1/train/3', undefined, { 'auth-token': 'nope' });
    expect(invalid.status).toBe(200);
    expect(invalid.json.errorCode).toBe(1002);
  });

  it('checks the token before validating, so nothing is revealed without one', async () => {
    const response = await fetch(`${http.url}/v1/train/abc`);
    expect(response.status).toBe(401);
  });

  it('issues tokens on /v1/auth-token without needing one', async () => {
    const response = await fetch(`${http.url}/v1/auth-token`, {
      method: 'POST',
      body: JSON.stringify({ username: 'alice', password: 'secret' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ token: expect.any(String), expiresIn: 60 });
  });
});
