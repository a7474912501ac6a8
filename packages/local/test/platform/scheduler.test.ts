import { NEVER, Observable, Subject, takeUntil } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/scheduler.js';

/** A launch whose runs end when the test says so, recording starts, stops and kills. */
function fakeRuns() {
  const ends = new Map<number, Subject<void>>();
  const events: string[] = [];
  const launch = (id: number, stop: AbortSignal) =>
    new Observable<never>((subscriber) => {
      events.push(`start ${id}`);
      const end = new Subject<void>();
      ends.set(id, end);
      stop.addEventListener('abort', () => {
        events.push(`stop ${id}`);
        subscriber.complete();
      });
      const sub = NEVER.pipe(takeUntil(end)).subscribe({ complete: () => subscriber.complete() });
      return () => {
        sub.unsubscribe();
        events.push(`end ${id}`);
      };
    });
  return { launch, events, end: (id: number) => ends.get(id)!.next() };
}

const unit = { cpu: 1, memory: 1 };

describe('the scheduler', () => {
  it('runs at most what the capacity holds, admitting the rest in submission order as runs end', () => {
    const runs = fakeRuns();
    const scheduler = new Scheduler({ capacity: { cpu: 2, memory: 10 }, launch: runs.launch });
    for (const id of [1, 2, 3, 4, 5]) scheduler.submit(id, unit);
    expect(scheduler.running()).toEqual([1, 2]);
    expect(scheduler.waiting()).toEqual([3, 4, 5]);
    runs.end(2);
    expect(scheduler.running()).toEqual([1, 3]);
    runs.end(1);
    runs.end(3);
    expect(scheduler.running()).toEqual([4, 5]);
    runs.end(4);
    runs.end(5);
    expect(scheduler.running()).toEqual([]);
    expect(runs.events.filter((e) => e.startsWith('start'))).toEqual([
      'start 1',
      'start 2',
      'start 3',
      'start 4',
      'start 5',
    ]);
  });

  it('counts memory as well as cpu', () => {
    const runs = fakeRuns();
    const scheduler = new Scheduler({ capacity: { cpu: 8, memory: 3 }, launch: runs.launch });
    for (const id of [1, 2, 3]) scheduler.submit(id, { cpu: 1, memory: 2 });
    expect(scheduler.running()).toEqual([1]);
  });

  it('lets no later version overtake a waiting one', () => {
    const runs = fakeRuns();
    const scheduler = new Scheduler({ capacity: { cpu: 3, memory: 10 }, launch: runs.launch });
    scheduler.submit(1, { cpu: 2, memory: 1 });
    scheduler.submit(2, { cpu: 2, memory: 1 });
    scheduler.submit(3, { cpu: 1, memory: 1 });
    expect(scheduler.running()).toEqual([1]);
    expect(scheduler.waiting()).toEqual([2, 3]);
  });

  it('runs a version larger than the whole capacity alone rather than never', () => {
    const runs = fakeRuns();
    const scheduler = new Scheduler({ capacity: { cpu: 2, memory: 10 }, launch: runs.launch });
    scheduler.submit(1, { cpu: 64, memory: 1 });
    scheduler.submit(2, unit);
    expect(scheduler.running()).toEqual([1]);
    runs.end(1);
    expect(scheduler.running()).toEqual([2]);
  });

  it('takes a waiting version out of the queue on stop, and asks a running one to stop', () => {
    const runs = fakeRuns();
    const scheduler = new Scheduler({ capacity: { cpu: 1, memory: 10 }, launch: runs.launch });
    scheduler.submit(1, unit);
    scheduler.submit(2, unit);
    expect(scheduler.stop(2)).toBe('waiting');
    expect(scheduler.waiting()).toEqual([]);
    expect(scheduler.stop(1)).toBe('running');
    expect(runs.events).toEqual(['start 1', 'stop 1', 'end 1']);
    expect(scheduler.stop(1)).toBe('unknown');
  });

  it('releases the share of a run that fails, and reports the error', () => {
    const errors: number[] = [];
    const scheduler = new Scheduler({
      capacity: { cpu: 1, memory: 10 },
      launch: (id) =>
        new Observable((subscriber) => {
          if (id === 1) subscriber.error(new Error('boom'));
        }),
      onRunError: (id) => errors.push(id),
    });
    scheduler.submit(1, unit);
    scheduler.submit(2, unit);
    expect(errors).toEqual([1]);
    expect(scheduler.running()).toEqual([2]);
  });

  it('on close, empties the queue, stops runs, and kills those that do not stop within the grace', async () => {
    const killed: number[] = [];
    const scheduler = new Scheduler({
      capacity: { cpu: 2, memory: 10 },
      launch: (id) => new Observable(() => () => killed.push(id)),
    });
    for (const id of [1, 2, 3]) scheduler.submit(id, unit);
    expect(await scheduler.close(20)).toEqual([3]);
    expect(killed).toEqual([1, 2]);
    expect(scheduler.running()).toEqual([]);
    expect(() => scheduler.submit(4, unit)).toThrow(/closed/);
  });
});
