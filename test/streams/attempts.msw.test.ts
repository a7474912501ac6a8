/**
 * The attempt bound per read (see "Attempts per read" on `poll`): a poll's read goes
 * through the real Session with one HTTP attempt, and the polling engine is the only
 * layer retrying it — against a server that always fails transiently, a read is sent
 * exactly `maxFailures` times, not the transport's attempts × `maxFailures`.
 */
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { lastValueFrom, type Observable } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getTrainVersion } from '../../src/client/training.js';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_POLL_MAX_FAILURES } from '../../src/defaults.js';
import { logs$ } from '../../src/streams/logs.js';
import { metrics$ } from '../../src/streams/metrics.js';
import type { PollOptions } from '../../src/streams/poll.js';
import { resources$ } from '../../src/streams/resources.js';
import { serviceLogs$ } from '../../src/streams/serviceLogs.js';
import { serviceStatus$ } from '../../src/streams/serviceStatus.js';
import { sourceFromSession } from '../../src/streams/sessionSource.js';
import { status$ } from '../../src/streams/status.js';
import { BASE, fastSession, VERSION_ID } from './platform.js';

const SERVICE_ID = 3;
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** A platform whose `path` always answers 503; counts the requests to it. */
function alwaysUnavailable(path: string): { readonly count: () => number } {
  let hits = 0;
  server.use(
    http.post(`${BASE}/v1/auth-token`, () => HttpResponse.json({ token: 't-1' })),
    http.get(`${BASE}${path}`, () => {
      hits += 1;
      return new HttpResponse('busy', { status: 503 });
    }),
  );
  return { count: () => hits };
}

const fast: PollOptions = { retryBaseMs: 1, retryCapMs: 2 };

type Read = readonly [name: string, path: string, stream: (options: PollOptions) => Observable<unknown>];

/** Each stream and the path of its first read. */
const reads: readonly Read[] = [
  [
    'status$',
    `/v1/train/version/${VERSION_ID}`,
    (o) => status$(sourceFromSession(fastSession()), VERSION_ID, o),
  ],
  [
    'logs$',
    `/v1/train/version/${VERSION_ID}/log`,
    (o) => logs$(sourceFromSession(fastSession()), VERSION_ID, { ...o, waitSeconds: 0 }),
  ],
  [
    'metrics$',
    `/v1/train/version/${VERSION_ID}/performance-monitor`,
    (o) => metrics$(sourceFromSession(fastSession()), VERSION_ID, o),
  ],
  [
    'resources$',
    `/v1/train/version/${VERSION_ID}/resource-monitor`,
    (o) => resources$(sourceFromSession(fastSession()), VERSION_ID, o),
  ],
  ['serviceStatus$', `/v1/service/${SERVICE_ID}`, (o) => serviceStatus$(fastSession(), SERVICE_ID, o)],
  [
    'serviceLogs$',
    `/v1/service/${SERVICE_ID}/log`,
    (o) => serviceLogs$(fastSession(), SERVICE_ID, { ...o, waitSeconds: 0 }),
  ],
];

describe('attempts per read of a poll', () => {
  it.each(reads)(
    '%s sends a read that keeps failing exactly maxFailures times (20), then fails with its error',
    async (_name, path, stream) => {
      const platform = alwaysUnavailable(path);
      await expect(lastValueFrom(stream(fast))).rejects.toMatchObject({ _tag: 'HttpError', status: 503 });
      expect(platform.count()).toBe(DEFAULT_POLL_MAX_FAILURES);
    },
  );

  it('follows maxFailures: 4 failures, 4 requests', async () => {
    const platform = alwaysUnavailable(`/v1/train/version/${VERSION_ID}`);
    await expect(
      lastValueFrom(status$(sourceFromSession(fastSession()), VERSION_ID, { ...fast, maxFailures: 4 })),
    ).rejects.toMatchObject({ _tag: 'HttpError', status: 503 });
    expect(platform.count()).toBe(4);
  });

  it('leaves the transport its attempts for a call that is not a poll read', async () => {
    const platform = alwaysUnavailable(`/v1/train/version/${VERSION_ID}`);
    await expect(lastValueFrom(getTrainVersion(fastSession(), VERSION_ID))).rejects.toMatchObject({
      _tag: 'HttpError',
      status: 503,
    });
    expect(platform.count()).toBe(DEFAULT_MAX_ATTEMPTS);
  });
});
