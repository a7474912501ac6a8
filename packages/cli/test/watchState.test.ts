/**
 * The state of `jobs watch`'s live view: the reducer (pure, bounded) and the stream of
 * states `liveStates` draws, in virtual time (marbles): the first state at once, then
 * at most one per redraw window (the latest), a tick while nothing happens so the
 * elapsed time moves, the final state always drawn, and nothing left running after an
 * unsubscription.
 */
import { concat, ignoreElements, map, of, timer, VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  WATCH_LOG_TAIL_LINES,
  WATCH_MAX_METRIC_POINTS,
  WATCH_REDRAW_MS,
  WATCH_TICK_MS,
} from '../src/defaults.js';
import type { WatchEvent } from '../src/watch/events.js';
import { liveStates } from '../src/watch/liveStates.js';
import { initialState, reduce, type WatchState } from '../src/watch/state.js';

const VERSION = 7;
const status: WatchEvent = { type: 'status', versionId: VERSION, status: 'TRAINING', terminal: false };
const line = (id: number, content = `line ${id}`): WatchEvent => ({ type: 'line', line: { id, content } });
const metric = (value: number): WatchEvent => ({ type: 'metric', name: 'loss', value });

/** The state after `events`, from the start. */
const after = (...events: WatchEvent[]): WatchState => events.reduce(reduce, initialState(VERSION));

function marbles(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('the reducer', () => {
  it('keeps the last status, the last log lines (neutralised), the gaps, the latest sample per instance', () => {
    const lines = Array.from({ length: WATCH_LOG_TAIL_LINES + 5 }, (_, i) => line(i));
    const state = after(
      status,
      ...lines,
      line(99, 'bell\x07'),
      { type: 'gap', from: 3, to: 5 },
      { type: 'resource', time: 1, instance: 0, cpu: 0.5, memory: 10 },
      { type: 'resource', time: 2, instance: 0, cpu: 0.7, memory: 20 },
      { type: 'resource', time: 2, instance: 1, cpu: 0.1, memory: 30 },
    );
    expect(state.status).toBe(status);
    expect(state.tail).toHaveLength(WATCH_LOG_TAIL_LINES);
    expect(state.tail.at(-1)).toBe('bell␇');
    expect(state.tail[0]).toBe(`line ${lines.length - WATCH_LOG_TAIL_LINES + 1}`);
    expect(state.missing).toBe(3);
    expect([...state.resources.values()].map((s) => s.cpu)).toEqual([0.7, 0.1]);
    expect(state.resources.get(0)).not.toHaveProperty('type');
  });

  it('drops non-finite metric values and halves a series that grows past the cap', () => {
    expect(
      after(metric(1), metric(Number.NaN), metric(Number.POSITIVE_INFINITY)).metrics.get('loss'),
    ).toEqual([1]);
    const many = Array.from({ length: WATCH_MAX_METRIC_POINTS + 1 }, (_, i) => metric(i));
    const values = after(...many).metrics.get('loss')!;
    expect(values.length).toBeLessThanOrEqual(WATCH_MAX_METRIC_POINTS);
    expect(values.at(-1)).toBe(WATCH_MAX_METRIC_POINTS); // the newest point is kept
  });

  it('never changes the state it is given', () => {
    const before = after(status, metric(1), line(0));
    const snapshot = { ...before, metrics: new Map(before.metrics), tail: [...before.tail] };
    reduce(before, metric(2));
    reduce(before, line(1));
    expect(before).toEqual(snapshot);
  });
});

describe('liveStates (marbles; redraw window 100 ms, tick 1 s)', () => {
  it('times are the defaults the marbles assume', () => {
    expect([WATCH_REDRAW_MS, WATCH_TICK_MS]).toEqual([100, 1000]);
  });

  it('takes its time from the scheduler it is given, not from real timers', () => {
    // Outside TestScheduler.run(), the async scheduler is real time: only the scheduler passed moves this clock.
    const scheduler = new VirtualTimeScheduler(VirtualAction, Number.POSITIVE_INFINITY);
    const events = concat(
      of(status),
      timer(10, scheduler).pipe(map(() => line(0))),
      timer(2000, scheduler).pipe(ignoreElements()),
    );
    const drawn: Array<[number, WatchState]> = [];
    let completedAt: number | undefined;
    liveStates(events, VERSION, scheduler).subscribe({
      next: (state) => drawn.push([scheduler.now(), state]),
      complete: () => {
        completedAt = scheduler.now();
      },
    });
    scheduler.flush();
    expect(drawn).toEqual([
      [0, after(status)],
      [100, after(status, line(0))],
      [1000, after(status, line(0))],
      [2000, after(status, line(0))],
    ]);
    expect(completedAt).toBe(2010);
  });

  it('draws the first state at once, then only the latest of each redraw window', () => {
    const scheduler = marbles();
    scheduler.run(({ cold, expectObservable }) => {
      const events = cold<WatchEvent>('a 9ms b 9ms c 500ms |', { a: status, b: line(0), c: metric(1) });
      expectObservable(liveStates(events, VERSION, scheduler)).toBe('x 99ms y 420ms |', {
        x: after(status),
        y: after(status, line(0), metric(1)),
      });
    });
  });

  it('always draws the final state: events that end inside a window end the stream at its end', () => {
    const scheduler = marbles();
    scheduler.run(({ cold, expectObservable }) => {
      const events = cold<WatchEvent>('a 9ms b|', { a: status, b: line(0) });
      expectObservable(liveStates(events, VERSION, scheduler)).toBe('x 99ms (y|)', {
        x: after(status),
        y: after(status, line(0)),
      });
    });
  });

  it('redraws every tick while nothing happens (the elapsed time moves), and stops ticking at the end', () => {
    const scheduler = marbles();
    scheduler.run(({ cold, expectObservable }) => {
      const events = cold<WatchEvent>('a 2500ms |', { a: status });
      // 0: the event; 100: the tick of 0 (same state), drawn at the window's end; 1000, 2000: ticks
      expectObservable(liveStates(events, VERSION, scheduler)).toBe('x 99ms x 899ms x 999ms x 500ms |', {
        x: after(status),
      });
    });
  });

  it('passes an error of the events through', () => {
    const scheduler = marbles();
    scheduler.run(({ cold, expectObservable }) => {
      const events = cold<WatchEvent>('a 50ms #', { a: status }, new Error('poll failed'));
      expectObservable(liveStates(events, VERSION, scheduler)).toBe(
        'x 50ms #',
        { x: after(status) },
        new Error('poll failed'),
      );
    });
  });

  it('unsubscribing stops the ticks and unsubscribes from the events', () => {
    const scheduler = marbles();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const events = cold<WatchEvent>('a', { a: status }); // never ends
      expectObservable(liveStates(events, VERSION, scheduler), '^ 1500ms !').toBe('x 99ms x 899ms x', {
        x: after(status),
      });
      expectSubscriptions(events.subscriptions).toBe('^ 1500ms !');
    });
    // run() returns only once no action is left: a tick still scheduled would never let it.
  });
});
