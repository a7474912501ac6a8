/**
 * Sharing over HTTP: five subscribers to one version's streams cost the traffic
 * of one (real Session, msw platform).
 */
import { setupServer } from 'msw/node';
import { lastValueFrom, type Observable, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lines } from '../../src/streams/lines.js';
import { sourceFromSession } from '../../src/streams/sessionSource.js';
import { type TrainingWatch, type TrainingWatchOptions, trainingWatch } from '../../src/streams/share.js';
import { FakeTraining, type FakeTrainingOptions, fastSession, VERSION_ID } from './platform.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const options: TrainingWatchOptions = { floorMs: 2, ceilingMs: 8, waitSeconds: 0, limit: 5 };

/**
 * Runs `subscribers` subscribers of one shared stream to its end on a fresh
 * platform whose job advances only on the requests of that stream, so the
 * request sequence depends on the answers alone, not on timing.
 */
async function watchWith<T>(
  subscribers: number,
  job: FakeTrainingOptions,
  pick: (watch: TrainingWatch) => Observable<T>,
): Promise<{ fake: FakeTraining; results: T[][] }> {
  const fake = new FakeTraining(job);
  server.resetHandlers(...fake.handlers());
  const watch = trainingWatch(sourceFromSession(fastSession()), VERSION_ID, options);
  const results = await Promise.all(
    Array.from({ length: subscribers }, () => lastValueFrom(pick(watch).pipe(toArray()))),
  );
  return { fake, results };
}

describe('trainingWatch on HTTP', () => {
  it('5 log subscribers to one version: the requests of 1 subscriber, never two at once, every line to each', async () => {
    const job: FakeTrainingOptions = { total: 30, burst: (n) => (n % 2 === 0 ? 3 : 0), progressOn: 'log' };
    const one = await watchWith(1, job, (w) => w.logs$.pipe(lines()));
    const five = await watchWith(5, job, (w) => w.logs$.pipe(lines()));
    expect(five.fake.requests).toEqual(one.fake.requests);
    expect(five.fake.logQueries).toEqual(one.fake.logQueries);
    expect(five.fake.maxInFlight).toBe(1);
    for (const delivered of five.results) expect(delivered).toEqual(five.fake.expected());
  });

  it('5 status subscribers to one version: the requests of 1 subscriber, every status to each', async () => {
    const job: FakeTrainingOptions = { total: 6, burst: (n) => (n % 3 === 2 ? 2 : 0), progressOn: 'version' };
    const one = await watchWith(1, job, (w) => w.status$);
    const five = await watchWith(5, job, (w) => w.status$);
    expect(five.fake.requests).toEqual(one.fake.requests);
    expect(five.fake.requests.version).toBe(9); // 3 bursts of 2 lines, one every third request
    for (const statuses of five.results)
      expect(statuses.map((s) => s.status)).toEqual(['TRAINING', 'FINISH']);
  });
});
