import { map, Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { InFlight } from '../../src/runner/inFlight.js';
import {
  alongside,
  andThen,
  cancelOnStop,
  continueWith,
  endRun,
  type PhaseEvent,
} from '../../src/runner/phase.js';
import type { RunEvent } from '../../src/runner/types.js';
import { failed, finalStatus, GOING, judge, STOPPED_BY_USER_REASON } from '../../src/runner/verdict.js';

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

const note = (content: string): RunEvent => ({
  kind: 'log',
  instance: 0,
  stream: 'stdout',
  content,
  time: 0,
});
const boom = failed('TRAINING_FAIL', 'instance 0 exited with code 3', 3);

describe('the verdict: how a run ends, decided in one place', () => {
  it('keeps the first failure, and lets the user’s stop win over any failure', () => {
    const first = judge(GOING, { kind: 'failure', failure: boom.failure });
    expect(first).toEqual(boom);
    expect(judge(first, { kind: 'failure', failure: failed('TRAINING_FAIL', 'later').failure })).toEqual(
      boom,
    );
    const stopped = judge(first, { kind: 'stop' });
    expect(stopped).toEqual({ kind: 'stopped' });
    expect(judge(stopped, { kind: 'failure', failure: boom.failure })).toEqual({ kind: 'stopped' });
  });

  it('turns each end into the last status: FINISH with 0, STOPPED by the user, the failure as it was', () => {
    expect(finalStatus({ kind: 'finished' })).toEqual({ kind: 'status', status: 'FINISH', exitCode: 0 });
    expect(finalStatus({ kind: 'stopped' })).toEqual({
      kind: 'status',
      status: 'STOPPED',
      reason: STOPPED_BY_USER_REASON,
    });
    expect(finalStatus(boom)).toEqual({
      kind: 'status',
      status: 'TRAINING_FAIL',
      reason: 'instance 0 exited with code 3',
      exitCode: 3,
    });
    expect(finalStatus(failed('STARTING_FAIL', 'nothing found'))).toEqual({
      kind: 'status',
      status: 'STARTING_FAIL',
      reason: 'nothing found',
    });
  });
});

describe('phase chaining', () => {
  it('andThen: passes the first phase’s events, then runs the next one with its value', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const first = cold<PhaseEvent<number>>('a-(c|)', { a: note('a'), c: continueWith(7) });
      const second = (value: number) =>
        cold<PhaseEvent<never>>('-b-(e|)', { b: note(`b${value}`), e: endRun({ kind: 'finished' }) });
      expectObservable(andThen(first, second)).toBe('a--b-(e|)', {
        a: note('a'),
        b: note('b7'),
        e: endRun({ kind: 'finished' }),
      });
    });
  });

  it('andThen: an end of the first phase ends the run there', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const first = cold<PhaseEvent<number>>('a-(e|)', { a: note('a'), e: endRun(boom) });
      const subscribed: number[] = [];
      const second = (value: number) => {
        subscribed.push(value);
        return cold<PhaseEvent<never>>('b|', { b: note('b') });
      };
      expectObservable(andThen(first, second)).toBe('a-(e|)', { a: note('a'), e: endRun(boom) });
      expect(subscribed).toEqual([]);
    });
  });

  it('cancelOnStop: a stop cancels the work and ends the run as stopped; after the outcome a stop does nothing', () => {
    scheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const work = cold<PhaseEvent<number>>('a---b--(c|)', {
        a: note('a'),
        b: note('b'),
        c: continueWith(1),
      });
      const stop = hot('--s');
      expectObservable(cancelOnStop(work, stop, new InFlight())).toBe('a-(s|)', {
        a: note('a'),
        s: endRun({ kind: 'stopped' }),
      });
      expectSubscriptions(work.subscriptions).toBe('^-!');

      const quick = cold<PhaseEvent<number>>('a(c|)', { a: note('a'), c: continueWith(2) });
      const late = hot('-----s');
      expectObservable(cancelOnStop(quick, late, new InFlight())).toBe('a(c|)', {
        a: note('a'),
        c: continueWith(2),
      });
    });
  });

  it('cancelOnStop: a stop during a promise step ends the run only once that step has settled', async () => {
    const inFlight = new InFlight();
    let finishStep = () => {};
    const step = inFlight.step(
      () =>
        new Promise<void>((resolve) => {
          finishStep = resolve;
        }),
    );
    const stop = new Subject<void>();
    const seen: string[] = [];
    cancelOnStop(step.pipe(map(() => continueWith(1))), stop, inFlight).subscribe((event) =>
      seen.push(event.kind),
    );
    stop.next();
    await Promise.resolve();
    expect(seen).toEqual([]);
    finishStep();
    await expect.poll(() => seen).toEqual(['end']);
  });

  it('alongside: runs the sidecar while the main stream runs, and stops it when the main one completes', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const main = cold('a---b|');
      const sidecar = cold('--x-----y');
      expectObservable(alongside(main, sidecar)).toBe('a-x-b|');
      expectSubscriptions(sidecar.subscriptions).toBe('^----!');
    });
  });
});
