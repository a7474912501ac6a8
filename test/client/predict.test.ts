/**
 * `predict` over HTTP through a real Session: JSON in and out at the access address,
 * the retry rule of a POST (only when nothing can have been sent), the deadline,
 * cancellation, the token only on request, and logging through the session's
 * redacting logger.
 */
import { createServer } from 'node:net';
import { delay, HttpResponse, http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { firstValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PREDICT_PATH, predict } from '../../src/client/predict.js';
import { Session, type SessionOptions } from '../../src/client/session.js';

const BASE = 'http://predict.test/mmr';
const ADDRESS = 'http://gateway.test/services/9';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface Captured {
  readonly messages: string[];
  readonly fields: string[];
}

function session(options: SessionOptions = {}, captured?: Captured): Session {
  const log = (message: string, fields?: object) => {
    captured?.messages.push(message);
    if (fields !== undefined) captured?.fields.push(JSON.stringify(fields));
  };
  return new Session({
    baseUrl: BASE,
    username: 'alice',
    password: 'secret',
    configPath: false,
    logger: { debug: log, info: log, warn: log, error: log },
    retryBaseMs: 1,
    retryCapMs: 4,
    ...options,
  });
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('predict', () => {
  it('posts the body as JSON to {accessAddress}/ModelMaker/predict and emits the JSON answer, without a token', async () => {
    const seen: Array<{ url: string; type: string | null; token: string | null; body: unknown }> = [];
    server.use(
      http.post(`${ADDRESS}${PREDICT_PATH}`, async ({ request }) => {
        seen.push({
          url: request.url,
          type: request.headers.get('content-type'),
          token: request.headers.get('auth-token'),
          body: await request.json(),
        });
        return HttpResponse.json({ predictions: [1, 0] });
      }),
    );
    const answer = await firstValueFrom(predict(session(), `${ADDRESS}/`, { instances: [[1, 2]] }));
    expect(answer).toEqual({ predictions: [1, 0] });
    expect(seen).toEqual([
      {
        url: `${ADDRESS}/ModelMaker/predict`,
        type: 'application/json',
        token: null,
        body: { instances: [[1, 2]] },
      },
    ]);
  });

  it('auth: true sends the session token', async () => {
    const tokens: Array<string | null> = [];
    server.use(
      http.post(`${BASE}/v1/auth-token`, () => HttpResponse.json({ token: 'tok-1' })),
      http.post(`${ADDRESS}${PREDICT_PATH}`, ({ request }) => {
        tokens.push(request.headers.get('auth-token'));
        return HttpResponse.json({});
      }),
    );
    await firstValueFrom(predict(session(), ADDRESS, {}, { auth: true }));
    expect(tokens).toEqual(['tok-1']);
  });

  it('a 500 is an HttpError and a reset a NetworkError, each after one request (a POST is not resent)', async () => {
    let requests = 0;
    server.use(
      http.post(`${ADDRESS}${PREDICT_PATH}`, () => {
        requests++;
        return requests === 1
          ? HttpResponse.json({ message: 'model crashed' }, { status: 500 })
          : HttpResponse.error();
      }),
    );
    const first = await firstValueFrom(predict(session(), ADDRESS, {})).catch((e: unknown) => e);
    expect(first).toMatchObject({ _tag: 'HttpError', status: 500, serverMessage: 'model crashed' });
    expect(requests).toBe(1);
    const second = await firstValueFrom(predict(session(), ADDRESS, {})).catch((e: unknown) => e);
    expect(second).toMatchObject({ _tag: 'NetworkError' });
    expect(requests).toBe(2);
  });

  it('a refused connection (nothing sent) is tried again, up to the attempts, then a NetworkError', async () => {
    const port = await closedPort();
    const address = `http://127.0.0.1:${port}/services/9`;
    server.use(http.post(`${address}${PREDICT_PATH}`, () => passthrough()));
    const captured: Captured = { messages: [], fields: [] };
    const error = await firstValueFrom(predict(session({ maxAttempts: 3 }, captured), address, {})).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ _tag: 'NetworkError', reason: 'connect' });
    expect(captured.messages.filter((m) => /^retrying POST .*ModelMaker\/predict/.test(m))).toHaveLength(2);
  });

  it('the deadline bounds the call: a slow model is a TimeoutError', async () => {
    server.use(
      http.post(`${ADDRESS}${PREDICT_PATH}`, async () => {
        await delay(500);
        return HttpResponse.json({});
      }),
    );
    const started = Date.now();
    const error = await firstValueFrom(predict(session(), ADDRESS, {}, { deadlineMs: 60 })).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ _tag: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(400);
  });

  it('unsubscribing aborts the request in flight', async () => {
    let aborted = false;
    let arrived = false;
    server.use(
      http.post(`${ADDRESS}${PREDICT_PATH}`, async ({ request }) => {
        arrived = true;
        for (let i = 0; i < 100 && !request.signal.aborted; i++) await delay(5);
        aborted = request.signal.aborted;
        return HttpResponse.json({});
      }),
    );
    const subscription = predict(session(), ADDRESS, {}).subscribe();
    while (!arrived) await delay(2);
    subscription.unsubscribe();
    await delay(50);
    expect(aborted).toBe(true);
  });

  it('an access address that is not an http(s) URL is a DecodeError, with no request', async () => {
    const error = await firstValueFrom(predict(session(), 'gateway:9/x', {})).catch((e: unknown) => e);
    expect(error).toMatchObject({ _tag: 'DecodeError' });
  });

  it("logs through the session's logger, secrets redacted", async () => {
    server.use(http.post(`${ADDRESS}${PREDICT_PATH}`, () => HttpResponse.json({ ok: 1 })));
    const captured: Captured = { messages: [], fields: [] };
    await firstValueFrom(
      predict(session({ level: 'debug' }, captured), ADDRESS, { password: 'hunter2', x: 1 }),
    );
    expect(captured.messages.some((m) => m.startsWith(`→ POST ${ADDRESS}/ModelMaker/predict`))).toBe(true);
    expect(captured.messages.some((m) => m.startsWith(`← 200 POST ${ADDRESS}/ModelMaker/predict`))).toBe(
      true,
    );
    const text = captured.fields.join('\n');
    expect(text).toContain('"x":1');
    expect(text).not.toContain('hunter2');
  });
});
