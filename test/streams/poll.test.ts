import { count, lastValueFrom, map, type Observable, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { HttpError, ValidationError } from '../../src/errors.js';
import { nextInterval, type Pace } from '../../src/streams/pace.js';
import { type PollOptions, type PollStep, poll } from '../../src/streams/poll.js';
import { reset, testScheduler, unavailable } from './support.js';

const bounds = { floorMs: 10, ceilingMs: 40, factor: 2 };

describe('nextInterval', () => {
  it('waits the floor after progress and resets the idle interval to it', () => {
    expect(nextInterval('progress', 40, bounds)).toEqual({ delayMs: 10, intervalMs: 10 });
  });

  it('waits the idle interval, then grows it by the factor up to the ceiling', () => {
    expect(nextInterval('idle', 10, bounds)).toEqual({ delayMs: 10, intervalMs: 20 });
    expect(nextInterval('idle', 20, bounds)).toEqual({ delayMs: 20, intervalMs: 40 });
    expect(nextInterval('idle', 40, bounds)).toEqual({ delayMs: 40, intervalMs: 40 });
  });

  it('goes at once for now and keeps the idle interval', () => {
    expect(nextInterval('now', 20, bounds)).toEqual({ delayMs: 0, intervalMs: 20 });
  });

  it('keeps the interval within floor and ceiling whatever it is given', () => {
    expect(nextInterval('idle', 1, bounds).delayMs).toBe(10);
    expect(nextInterval('idle', 1000, bounds).delayMs).toBe(40);
  });
});

/** A loop whose state counts requests; `paceOf(n)` says how request n (0-based) paces the next. */
function counter(answer: Observable<unknown>, paceOf: (n: number) => Pace | 'done') {
  return (n: number): Observable<PollStep<number, number>> =>
    answer.pipe(map(() => ({ state: n + 1, emit: [n], pace: paceOf(n) })));
}

describe('poll (marbles)', () => {
  const base: PollOptions = {
    floorMs: 10,
    ceilingMs: 40,
    idleFactor: 2,
    retryBaseMs: 20,
    retryCapMs: 80,
    // full jitter at mid-draw: retry n waits min(80, 20·2^(n-1)) / 2, i.e. 10, 20, 40, 40 …
    random: () => 0.5,
  };

  it('backs off while idle: waits 10, 20, 40, 40 ms (floor, doubling, ceiling)', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const answer = cold('-a|');
      const stream = poll(
        0,
        counter(answer, () => 'idle'),
        { ...base, scheduler: ts },
      );
      // requests at 0, 11 (1+10), 32 (12+20), 73 (33+40), 114 (74+40)
      expectObservable(stream, '120ms !').toBe('-a 10ms b 20ms c 40ms d 40ms e', {
        a: 0,
        b: 1,
        c: 2,
        d: 3,
        e: 4,
      });
      expectSubscriptions(answer.subscriptions).toBe(['^!', '11ms ^!', '32ms ^!', '73ms ^!', '114ms ^!']);
    });
  });

  it('polls at the floor again as soon as something changes', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const answer = cold('-a|');
      const paces: Pace[] = ['idle', 'idle', 'progress', 'idle', 'idle'];
      const stream = poll(
        0,
        counter(answer, (n) => paces[n] ?? 'idle'),
        { ...base, scheduler: ts },
      );
      // waits: 10, 20, then progress → 10, then idle from the floor again → 10, 20
      expectObservable(stream, '90ms !').toBe('-a 10ms b 20ms c 10ms d 10ms e 20ms f', {
        a: 0,
        b: 1,
        c: 2,
        d: 3,
        e: 4,
        f: 5,
      });
      expectSubscriptions(answer.subscriptions).toBe([
        '^!',
        '11ms ^!',
        '32ms ^!',
        '43ms ^!',
        '54ms ^!',
        '75ms ^!',
      ]);
    });
  });

  it('goes at once when a step says now, and never overlaps a slow request', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const slow = cold('-----a|');
      const stream = poll(
        0,
        counter(slow, (n) => (n < 2 ? 'now' : 'done')),
        { ...base, scheduler: ts },
      );
      expectObservable(stream).toBe('-----a----b----(c|)', { a: 0, b: 1, c: 2 });
      expectSubscriptions(slow.subscriptions).toBe(['^----!', '5ms ^----!', '10ms ^----!']);
    });
  });

  it('completes after emitting what a done step emits, with no further request', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const answer = cold('-a|');
      const stream = poll(
        0,
        counter(answer, () => 'done'),
        { ...base, scheduler: ts },
      );
      expectObservable(stream).toBe('-(a|)', { a: 0 });
      expectSubscriptions(answer.subscriptions).toBe('^!');
    });
  });

  it('retries a transient failure after a full-jitter wait and goes on from the same state', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const asked: number[] = [];
      const answers = [cold('-#', undefined, unavailable()), cold('-#', undefined, reset()), cold('-a|')];
      const stream = poll<number, number>(
        5,
        (n) => {
          asked.push(ts.now());
          return answers.shift()!.pipe(map(() => ({ state: n + 1, emit: [n], pace: 'done' as const })));
        },
        { ...base, scheduler: ts },
      );
      // fail at 1 → wait 10 (0.5 · 20) → fail at 12 → wait 20 (0.5 · 40) → answer at 33
      expectObservable(stream).toBe('33ms (a|)', { a: 5 });
      ts.flush();
      expect(asked).toEqual([0, 11, 32]);
    });
  });

  it('tells onRetry about each retry before waiting', () => {
    const ts = testScheduler();
    const notices: unknown[] = [];
    ts.run(({ cold, expectObservable }) => {
      const error = unavailable();
      const answers = [cold('-#', undefined, error), cold('-a|')];
      const stream = poll<number, number>(
        0,
        () => answers.shift()!.pipe(map(() => ({ state: 1, pace: 'done' }))),
        {
          ...base,
          scheduler: ts,
          onRetry: (notice) => notices.push(notice),
        },
      );
      expectObservable(stream).toBe('12ms |');
    });
    expect(notices).toEqual([
      { error: expect.objectContaining({ _tag: 'HttpError', status: 503 }), failures: 1, delayMs: 10 },
    ]);
  });

  it('gives up after maxFailures failures in a row, with the last error itself', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const errors = [unavailable('first'), reset('second'), unavailable('third')];
      const answers = errors.map((e) => cold<never>('-#', undefined, e));
      const stream = poll(0, () => answers.shift()!, { ...base, maxFailures: 3, scheduler: ts });
      expectObservable(stream).toBe('33ms #', undefined, errors[2]);
      ts.flush();
      expect(answers).toHaveLength(0);
    });
  });

  it('gives up when failures have lasted maxOutageMs, however few', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const last = reset('still down');
      const answers = [reset(), reset(), last].map((e) => cold<never>('-#', undefined, e));
      const stream = poll(0, () => answers.shift()!, {
        ...base,
        maxFailures: 100,
        maxOutageMs: 25,
        scheduler: ts,
      });
      // failing since 1: at 12 the outage is 11 ms, at 33 it is 32 ms ≥ 25
      expectObservable(stream).toBe('33ms #', undefined, last);
    });
  });

  it('counts failures in a row only: a success in between starts the count again', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const e = () => cold('-#', undefined, unavailable());
      const ok = () => cold('-a|');
      const answers = [e(), ok(), e(), ok()];
      const stream = poll<number, number>(
        0,
        (n) =>
          answers
            .shift()!
            .pipe(map(() => ({ state: n + 1, emit: [n], pace: n === 1 ? 'done' : 'progress' }))),
        {
          ...base,
          maxFailures: 2,
          scheduler: ts,
        },
      );
      // fail@1 → wait 10 → ok@12 → floor 10 → fail@23 → wait 10 → ok@34
      expectObservable(stream).toBe('12ms a 21ms (b|)', { a: 0, b: 1 });
    });
  });

  it("waits the server's Retry-After (carried on the error) instead of the jittered wait", () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const throttled = new HttpError(429, 'slow down', { retryAfterMs: 30 });
      const answers = [cold('-#', undefined, throttled), cold('-a|')];
      const stream = poll<number, number>(
        0,
        () => answers.shift()!.pipe(map(() => ({ state: 1, emit: [7], pace: 'done' as const }))),
        { ...base, scheduler: ts },
      );
      // fail at 1 → wait 30 (not the 10 of the jitter) → answer at 32
      expectObservable(stream).toBe('32ms (a|)', { a: 7 });
    });
  });

  it('gives up at once when Retry-After asks for longer than maxOutageMs', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const throttled = new HttpError(503, 'maintenance', { retryAfterMs: 600_000 });
      const answer = cold<never>('-#', undefined, throttled);
      expectObservable(poll(0, () => answer, { ...base, maxOutageMs: 60_000, scheduler: ts })).toBe(
        '-#',
        undefined,
        throttled,
      );
      expectSubscriptions(answer.subscriptions).toBe('^!');
    });
  });

  it('ends at once on an error that is not transient, without retrying', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = new ValidationError([{ field: 'versionId', message: 'expected a positive integer' }]);
      const answer = cold<never>('-#', undefined, error);
      expectObservable(poll(0, () => answer, { ...base, scheduler: ts })).toBe('-#', undefined, error);
      expectSubscriptions(answer.subscriptions).toBe('^!');
    });
  });

  it('unsubscribing mid-request unsubscribes the in-flight request (which aborts it)', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const answer = cold('-----a|');
      expectObservable(
        poll(
          0,
          counter(answer, () => 'now'),
          { ...base, scheduler: ts },
        ),
        '---!',
      ).toBe('---');
      expectSubscriptions(answer.subscriptions).toBe('^--!');
    });
  });

  it('unsubscribing while waiting stops the timer: no request follows', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const answer = cold('-a|');
      expectObservable(
        poll(
          0,
          counter(answer, () => 'idle'),
          { ...base, scheduler: ts },
        ),
        '6ms !',
      ).toBe('-a', { a: 0 });
      expectSubscriptions(answer.subscriptions).toBe('^!');
    });
  });

  it('is cold: nothing is requested before subscription, and each subscription runs its own loop', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const answer = cold('-a|');
      const stream = poll(
        0,
        counter(answer, () => 'done'),
        { ...base, scheduler: ts },
      );
      expectObservable(stream, '5ms ^').toBe('5ms -(a|)', { a: 0 });
      expectObservable(stream, '9ms ^').toBe('9ms -(a|)', { a: 0 });
      expectSubscriptions(answer.subscriptions).toBe(['5ms ^!', '9ms ^!']);
    });
  });
});

describe('poll (real time)', () => {
  it('runs 100,000 back-to-back steps of a synchronous source without growing the stack', async () => {
    const steps = poll<number, number>(0, (n) =>
      of({ state: n + 1, emit: [n], pace: n + 1 === 100_000 ? 'done' : 'now' }),
    );
    await expect(lastValueFrom(steps.pipe(count()))).resolves.toBe(100_000);
  });
});
