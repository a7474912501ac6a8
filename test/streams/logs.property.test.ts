/**
 * Property: whatever faults hit which request (503, reset before or during the
 * body, an expired token, a slow answer), whatever the page size and whether
 * the platform long-polls, logs$ through the real Session delivers exactly the
 * platform's full sequence of lines, in order, and completes.
 */
import fc from 'fast-check';
import { setupServer } from 'msw/node';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lines } from '../../src/streams/lines.js';
import { logs$ } from '../../src/streams/logs.js';
import { sourceFromSession } from '../../src/streams/sessionSource.js';
import { FakeTraining, type Fault, fastSession, VERSION_ID } from './platform.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

const FAULTS: readonly Fault[] = ['none', '503', 'reset', 'midbody', 'expired', 'slow'];

const scenario = fc.record({
  total: fc.integer({ min: 0, max: 80 }),
  bursts: fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 8 }),
  limit: fc.integer({ min: 1, max: 30 }),
  longPoll: fc.boolean(),
  /**
   * The session's attempts per call, 1 or 3: poll reads override it with one attempt (every
   * fault reaches the stream, which alone retries), so the outcome must not depend on it.
   */
  attempts: fc.constantFrom(1, 3),
  faults: fc.array(fc.constantFrom(...FAULTS), { maxLength: 30 }),
});

describe('logs$ under random fault schedules (fast-check, msw, real Session)', () => {
  it('always delivers the platform’s full sequence, once, in order', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ total, bursts, limit, longPoll, attempts, faults }) => {
        server.resetHandlers();
        const burst = (n: number) => (bursts.some((b) => b > 0) ? (bursts[n % bursts.length] ?? 0) : 1);
        const fake = new FakeTraining({ total, burst, longPoll, slowMs: 5 });
        fake.faults.push(...faults);
        server.use(...fake.handlers());
        const source = sourceFromSession(fastSession({ maxAttempts: attempts }));
        const delivered = await lastValueFrom(
          logs$(source, VERSION_ID, {
            limit,
            waitSeconds: 0.03,
            floorMs: 1,
            ceilingMs: 4,
            retryBaseMs: 1,
            retryCapMs: 4,
            maxFailures: 1000,
          }).pipe(lines(), toArray()),
        );
        expect(fake.written).toBe(total);
        expect(delivered).toEqual(fake.expected());
      }),
      { numRuns: 60 },
    );
  });
});
