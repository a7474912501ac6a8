import { HttpResponse, http } from 'msw';
import { firstValueFrom, lastValueFrom, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { RetryBudget } from '../../src/client/kernel/budget.js';
import { retryPolicy } from '../../src/client/kernel/policy.js';
import { createLogger, silentLogger } from '../../src/client/logger.js';
import { createTrain, deleteTrain, listTrain } from '../../src/client/training.js';
import { interpretResponse, Transport, toNetworkError } from '../../src/client/transport.js';
import type { TrainCreate } from '../../src/codecs/training.js';
import { hasTag } from '../../src/errors.js';
import { authCounter, authHandler, BASE, newSession, useServer } from './support.js';

const server = useServer();

const jobList = { trainTasks: [{ id: 1, name: 'job-a' }] };
const body: TrainCreate = { name: 'job-a', type: 'CUSTOM', output: 's3://bucket/out/', mirrorUrl: 'img:1' };

/** Rejects with whatever the Observable errors with (fails the test if it succeeds). */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

/** Resolves when `signal` aborts. */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

describe('retries', () => {
  it('succeeds after a GET answers 503 twice then 200', async () => {
    let hits = 0;
    server.use(
      authHandler(authCounter()),
      http.get(`${BASE}/v1/train`, () => {
        hits += 1;
        return hits <= 2 ? new HttpResponse('busy', { status: 503 }) : HttpResponse.json(jobList);
      }),
    );
    const session = newSession({ random: () => 0 });
    await expect(lastValueFrom(listTrain(session))).resolves.toEqual(jobList);
    expect(hits).toBe(3);
  });

  it('waits as long as Retry-After says on 429', async () => {
    const seen: number[] = [];
    server.use(
      authHandler(authCounter()),
      http.get(`${BASE}/v1/train`, () => {
        seen.push(Date.now());
        return seen.length === 1
          ? HttpResponse.json({ message: 'slow down' }, { status: 429, headers: { 'Retry-After': '1' } })
          : HttpResponse.json(jobList);
      }),
    );
    const session = newSession({ random: () => 0 });
    await lastValueFrom(listTrain(session));
    expect(seen).toHaveLength(2);
    expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(950);
  });

  it('gives up at once when Retry-After asks for longer than the cap', async () => {
    let hits = 0;
    server.use(
      authHandler(authCounter()),
      http.get(`${BASE}/v1/train`, () => {
        hits += 1;
        return new HttpResponse(null, { status: 503, headers: { 'Retry-After': '3600' } });
      }),
    );
    const error = await failure(lastValueFrom(listTrain(newSession())));
    // the hint travels on the error itself
    expect(error).toMatchObject({ _tag: 'HttpError', status: 503, retryAfterMs: 3_600_000 });
    expect(hits).toBe(1);
  });

  it('does not retry again a token fetch that already retried itself', async () => {
    let authRequests = 0;
    let listRequests = 0;
    server.use(
      http.post(`${BASE}/v1/auth-token`, () => {
        authRequests += 1;
        return new HttpResponse('busy', { status: 503 });
      }),
      http.get(`${BASE}/v1/train`, () => {
        listRequests += 1;
        return HttpResponse.json(jobList);
      }),
    );
    const error = await failure(lastValueFrom(listTrain(newSession({ random: () => 0 }))));
    expect(error).toMatchObject({ _tag: 'HttpError', status: 503, url: `${BASE}/v1/auth-token` });
    // the auth call's own 3 attempts, not 3 more for each attempt of the list call
    expect(authRequests).toBe(3);
    expect(listRequests).toBe(0);
  });

  it.each([400, 403, 404, 409, 422])('does not retry HTTP %i', async (status) => {
    let hits = 0;
    server.use(
      authHandler(authCounter()),
      http.get(`${BASE}/v1/train`, () => {
        hits += 1;
        return HttpResponse.json({ message: `nope ${status}` }, { status });
      }),
    );
    const error = await failure(lastValueFrom(listTrain(newSession({ random: () => 0 }))));
    expect(error).toMatchObject({ _tag: 'HttpError', status, serverMessage: `nope ${status}` });
    expect(hits).toBe(1);
  });

  it.each([408, 500, 502, 504])('retries HTTP %i up to the attempt limit', async (status) => {
    let hits = 0;
    server.use(
      authHandler(authCounter()),
      http.get(`${BASE}/v1/train`, () => {
        hits += 1;
        return new HttpResponse(null, { status });
      }),
    );
    const error = await failure(lastValueFrom(listTrain(newSession({ random: () => 0 }))));
    expect(error).toMatchObject({ _tag: 'HttpError', status });
    expect(hits).toBe(3);
  });

  it('caps retries with the shared budget when 1,000 calls fail at once', async () => {
    let hits = 0;
    server.use(
      authHandler(authCounter()),
      http.get(`${BASE}/v1/train`, () => {
        hits += 1;
        return new HttpResponse(null, { status: 503 });
      }),
    );
    const session = newSession({ random: () => 0, level: 'error' });
    const calls = Array.from({ length: 1000 }, () => failure(lastValueFrom(listTrain(session))));
    const errors = await Promise.all(calls);
    expect(errors.every((e) => hasTag(e, 'HttpError'))).toBe(true);
    // Capacity 500 at cost 5: 100 retries in all, instead of 2,000.
    expect(hits).toBe(1100);
    expect(session.retryBudget.available).toBeLessThan(5);
  });

  it('refills the budget as calls succeed', async () => {
    const budget = new RetryBudget({ capacity: 10 });
    let hits = 0;
    server.use(
      authHandler(authCounter()),
      http.get(`${BASE}/v1/train`, () => {
        hits += 1;
        return hits % 2 === 1 ? new HttpResponse(null, { status: 503 }) : HttpResponse.json(jobList);
      }),
    );
    const session = newSession({ random: () => 0, retryBudget: budget });
    await lastValueFrom(listTrain(session));
    // The retry cost 5 and the success refunded it.
    expect(budget.available).toBe(10);
  });
});

describe('non-idempotent calls', () => {
  it('does not resend a POST create after a network error once the request was sent', async () => {
    let creates = 0;
    server.use(
      authHandler(authCounter()),
      http.post(`${BASE}/v1/train`, () => {
        creates += 1;
        return HttpResponse.error();
      }),
    );
    const error = await failure(lastValueFrom(createTrain(newSession({ random: () => 0 }), body)));
    expect(error).toMatchObject({ _tag: 'NetworkError', method: 'POST', url: `${BASE}/v1/train` });
    expect(creates).toBe(1);
  });

  it('does not resend a POST create after a 503 or an attempt timeout', async () => {
    let creates = 0;
    server.use(
      authHandler(authCounter()),
      http.post(`${BASE}/v1/train`, async ({ request }) => {
        creates += 1;
        if (creates === 1) return new HttpResponse(null, { status: 503 });
        await aborted(request.signal);
        return HttpResponse.json({ id: 1, versionId: 2 });
      }),
    );
    const session = newSession({ random: () => 0, attemptTimeoutMs: 100 });
    expect(await failure(lastValueFrom(createTrain(session, body)))).toMatchObject({ _tag: 'HttpError' });
    expect(await failure(lastValueFrom(createTrain(session, body)))).toMatchObject({
      _tag: 'TimeoutError',
      reason: 'attempt',
    });
    expect(creates).toBe(2);
  });

  it('resends a POST create when the connection was refused before anything was sent', async () => {
    let refused = 0;
    let creates = 0;
    const refusingFetch: typeof fetch = (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url.endsWith('/v1/train') && refused === 0) {
        refused += 1;
        return Promise.reject(
          new TypeError('fetch failed', {
            cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
          }),
        );
      }
      return fetch(input, init);
    };
    server.use(
      authHandler(authCounter()),
      http.post(`${BASE}/v1/train`, () => {
        creates += 1;
        return HttpResponse.json({ id: 4, versionId: 5 });
      }),
    );
    const session = newSession({ random: () => 0, fetch: refusingFetch });
    await expect(lastValueFrom(createTrain(session, body))).resolves.toEqual({ id: 4, versionId: 5 });
    expect(refused).toBe(1);
    expect(creates).toBe(1);
  });
});

describe('deadline and cancellation', () => {
  it('fails a call to a hung server with TimeoutError within the deadline, aborting the request', async () => {
    let serverSawAbort = false;
    server.use(
      authHandler(authCounter()),
      http.get(`${BASE}/v1/train`, async ({ request }) => {
        await aborted(request.signal);
        serverSawAbort = true;
        return HttpResponse.json(jobList);
      }),
    );
    const session = newSession({ deadlineMs: 300 });
    const started = Date.now();
    const error = await failure(lastValueFrom(listTrain(session)));
    expect(Date.now() - started).toBeLessThan(1300);
    expect(error).toMatchObject({ _tag: 'TimeoutError', reason: 'deadline', timeoutMs: 300 });
    await expect.poll(() => serverSawAbort).toBe(true);
  });

  it('retries a GET whose attempt timed out', async () => {
    let hits = 0;
    server.use(
      authHandler(authCounter()),
      http.get(`${BASE}/v1/train`, async ({ request }) => {
        hits += 1;
        if (hits === 1) await aborted(request.signal);
        return HttpResponse.json(jobList);
      }),
    );
    const session = newSession({ random: () => 0, attemptTimeoutMs: 100 });
    await expect(lastValueFrom(listTrain(session))).resolves.toEqual(jobList);
    expect(hits).toBe(2);
  });

  it('aborts the request in flight when the subscriber unsubscribes', async () => {
    const arrived = new Subject<AbortSignal>();
    let serverSawAbort = false;
    server.use(
      authHandler(authCounter()),
      http.get(`${BASE}/v1/train`, async ({ request }) => {
        arrived.next(request.signal);
        await aborted(request.signal);
        serverSawAbort = true;
        return HttpResponse.json(jobList);
      }),
    );
    const signal = firstValueFrom(arrived);
    const subscription = listTrain(newSession()).subscribe();
    const serverSignal = await signal;
    subscription.unsubscribe();
    await expect.poll(() => serverSawAbort).toBe(true);
    expect(serverSignal.aborted).toBe(true);
  });

  it("errors with the signal's reason when the caller's AbortSignal aborts", async () => {
    server.use(
      authHandler(authCounter()),
      http.get(`${BASE}/v1/train`, async ({ request }) => {
        await aborted(request.signal);
        return HttpResponse.json(jobList);
      }),
    );
    const controller = new AbortController();
    const pending = failure(lastValueFrom(listTrain(newSession(), { signal: controller.signal })));
    setTimeout(() => controller.abort(new Error('user stop')), 50);
    expect(await pending).toMatchObject({ message: 'user stop' });
  });
});

describe('response classification', () => {
  it('turns an errorCode in an HTTP 200 body into an ApiError, not retried', async () => {
    let hits = 0;
    server.use(
      authHandler(authCounter()),
      http.get(`${BASE}/v1/train`, () => {
        hits += 1;
        return HttpResponse.json({ errorCode: 4004, message: 'no such job' });
      }),
    );
    const error = await failure(lastValueFrom(listTrain(newSession())));
    expect(error).toMatchObject({
      _tag: 'ApiError',
      errorCode: 4004,
      status: 200,
      serverMessage: 'no such job',
      method: 'GET',
      url: `${BASE}/v1/train`,
    });
    expect((error as Error).message).toContain('no such job');
    expect((error as Error).message).toContain(`GET ${BASE}/v1/train`);
    expect(hits).toBe(1);
  });

  it('never takes a 200 error body for a result, even where any JSON is a valid answer (an ack)', async () => {
    server.use(
      authHandler(authCounter()),
      http.delete(`${BASE}/v1/train/3`, () =>
        HttpResponse.json({ errorCode: 4009, message: 'version 4 is TRAINING: stop it first' }),
      ),
      http.post(`${BASE}/v1/train`, () => HttpResponse.json({ errorCode: 102009, id: 1, versionId: 2 })),
    );
    const session = newSession();
    await expect(lastValueFrom(deleteTrain(session, 3))).rejects.toMatchObject({
      _tag: 'ApiError',
      errorCode: 4009,
      status: 200,
    });
    // Even a body that also has the result's fields is an error when it carries errorCode.
    await expect(lastValueFrom(createTrain(session, body))).rejects.toMatchObject({
      _tag: 'ApiError',
      errorCode: 102009,
    });
  });

  it('turns a non-JSON error page into an HttpError quoting it', async () => {
    server.use(
      authHandler(authCounter()),
      http.get(`${BASE}/v1/train`, () => new HttpResponse('<h1>Bad Gateway</h1>', { status: 502 })),
    );
    const error = await failure(lastValueFrom(listTrain(newSession({ maxAttempts: 1 }))));
    expect(error).toMatchObject({ _tag: 'HttpError', status: 502, serverMessage: '<h1>Bad Gateway</h1>' });
  });

  it('turns a 2xx body that is not JSON into a DecodeError', async () => {
    server.use(
      authHandler(authCounter()),
      http.get(`${BASE}/v1/train`, () => new HttpResponse('hello')),
    );
    const error = await failure(lastValueFrom(listTrain(newSession())));
    expect(error).toMatchObject({ _tag: 'DecodeError' });
    expect((error as Error).message).toContain('expected a JSON body');
  });

  it('treats errorCode 0 as success', () => {
    expect(interpretResponse(200, 'OK', '{"errorCode":0,"trainTasks":[]}', {})).toEqual({
      value: { errorCode: 0, trainTasks: [] },
    });
  });

  it('redacts secret query parameters and known secrets from error URLs and messages', async () => {
    server.use(
      http.get(`${BASE}/v1/thing`, () =>
        HttpResponse.json({ errorCode: 4000, message: 'bad hunter22 here' }, { status: 400 }),
      ),
    );
    const transport = new Transport({
      baseUrl: BASE,
      logger: createLogger({ logger: silentLogger }),
      secrets: ['hunter22'],
      policy: retryPolicy(),
      budget: new RetryBudget(),
      attemptTimeoutMs: 1000,
      deadlineMs: 2000,
    });
    const error = await failure(
      lastValueFrom(
        transport.request({
          method: 'GET',
          path: '/v1/thing',
          query: { token: 'hunter22', page: '2' },
          auth: false,
          idempotent: true,
        }),
      ),
    );
    expect(error).toMatchObject({ _tag: 'ApiError', url: `${BASE}/v1/thing?token=***&page=2` });
    expect((error as Error).message).not.toContain('hunter22');
  });
});

describe('toNetworkError', () => {
  it('classifies refused connections as connect, resets as reset, the rest as unknown', () => {
    const withCode = (code: string) =>
      new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
    expect(toNetworkError(withCode('ECONNREFUSED'), {}).reason).toBe('connect');
    expect(toNetworkError(withCode('ENOTFOUND'), {}).reason).toBe('connect');
    expect(toNetworkError(withCode('ECONNRESET'), {}).reason).toBe('reset');
    expect(toNetworkError(new TypeError('Failed to fetch'), {}).reason).toBe('unknown');
  });
});
