import type { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { TrainVersionDetail } from '../../src/codecs/training.js';
import { ApiError } from '../../src/errors.js';
import type { PollOptions } from '../../src/streams/poll.js';
import { type StatusChange, status$ } from '../../src/streams/status.js';
import { detail, scriptedSource, testScheduler, unavailable } from './support.js';

// full jitter at mid-draw: the first retry waits 10 ms, the second 20 ms
const base: PollOptions = { floorMs: 10, ceilingMs: 40, idleFactor: 2, retryBaseMs: 20, random: () => 0.5 };

const change = (status: string, terminal = false, extra: Partial<TrainVersionDetail> = {}): StatusChange => ({
  status,
  terminal,
  detail: detail(status, extra),
});

describe('status$', () => {
  it('emits each distinct status, unknown ones included, and completes after the terminal one', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const statuses = ['STARTING', 'STARTING', 'TRAINING', 'PAUSED_BY_OPERATOR', 'FINISH'];
      const answers = statuses.map((s) => cold('-a|', { a: detail(s) }));
      const source = scriptedSource({ version: answers.map((a) => () => a) });
      // STARTING@1 → floor 10 → same@12 → idle 10 → TRAINING@23 → 10 → PAUSED@34 → 10 → FINISH@45
      expectObservable(status$(source, 7, { ...base, scheduler: ts })).toBe('-a 21ms b 10ms c 10ms (d|)', {
        a: change('STARTING'),
        b: change('TRAINING'),
        c: change('PAUSED_BY_OPERATOR'),
        d: change('FINISH', true),
      });
      ts.flush();
      // one request per poll, each answered then released; none after FINISH
      expect(
        answers.map((a) => a.subscriptions.map((s) => [s.subscribedFrame, s.unsubscribedFrame])),
      ).toEqual([[[0, 1]], [[11, 12]], [[22, 23]], [[33, 34]], [[44, 45]]]);
    });
  });

  it.each(['FINISH', 'STARTING_FAIL', 'TRAINING_FAIL', 'STOPPED'])(
    'completes on %s with no further request',
    (terminal) => {
      const ts = testScheduler();
      ts.run(({ cold, expectObservable }) => {
        const source = scriptedSource({
          version: [() => cold('-a|', { a: detail(terminal, { reason: 'why' }) })],
        });
        expectObservable(status$(source, 7, { ...base, scheduler: ts })).toBe('-(a|)', {
          a: change(terminal, true, { reason: 'why' }),
        });
      });
    },
  );

  it('carries the whole detail of the terminal status (reason, exitCode) for the caller to report', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const failed = detail('TRAINING_FAIL', { reason: 'OOMKilled', exitCode: 137 });
      const source = scriptedSource({ version: [() => cold('-a|', { a: failed })] });
      expectObservable(status$(source, 7, { ...base, scheduler: ts })).toBe('-(a|)', {
        a: { status: 'TRAINING_FAIL', terminal: true, detail: failed },
      });
    });
  });

  it('backs off while the status stays the same: requests at 0, 11, 22, 43, 84, 125', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const answer = cold('-a|', { a: detail('TRAINING') });
      const source = scriptedSource({ version: Array.from({ length: 6 }, () => () => answer) });
      expectObservable(status$(source, 7, { ...base, scheduler: ts }), '130ms !').toBe('-a', {
        a: change('TRAINING'),
      });
      expectSubscriptions(answer.subscriptions).toBe([
        '^!',
        '11ms ^!',
        '22ms ^!',
        '43ms ^!',
        '84ms ^!',
        '125ms ^!',
      ]);
    });
  });

  it('retries a 503 and recovers without emitting the same status twice', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const scripts: Array<() => Observable<TrainVersionDetail>> = [
        () => cold('-a|', { a: detail('TRAINING') }),
        () => cold('-#', undefined, unavailable()),
        () => cold('-a|', { a: detail('TRAINING') }),
        () => cold('-a|', { a: detail('FINISH') }),
      ];
      const source = scriptedSource({ version: scripts });
      // TRAINING@1 → 10 → 503@12 → retry 10 → TRAINING@23 (same) → idle 10 → FINISH@34
      expectObservable(status$(source, 7, { ...base, scheduler: ts })).toBe('-a 32ms (b|)', {
        a: change('TRAINING'),
        b: change('FINISH', true),
      });
    });
  });

  it('fails at once for an unknown version (not transient)', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const notFound = new ApiError(4004, 'no such version', 404);
      const source = scriptedSource({ version: [() => cold('-#', undefined, notFound)] });
      expectObservable(status$(source, 7, { ...base, scheduler: ts })).toBe('-#', undefined, notFound);
    });
  });

  it('does not poll before subscription', () => {
    const source = scriptedSource({});
    status$(source, 7);
    expect(source.calls).toEqual([]);
  });
});
