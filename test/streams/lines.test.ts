import { describe, expect, it } from 'vitest';
import { LogGapError } from '../../src/streams/errors.js';
import { lines } from '../../src/streams/lines.js';
import type { LogEvent } from '../../src/streams/logs.js';
import { lineIds, testScheduler } from './support.js';

const [l0, l1, l5] = lineIds(0, 1, 5);
const events: Record<string, LogEvent> = {
  a: { type: 'line', line: l0! },
  b: { type: 'line', line: l1! },
  g: { type: 'gap', from: 2, to: 4 },
  f: { type: 'line', line: l5! },
};

describe('lines()', () => {
  it('passes the lines of a stream without gaps through, unchanged', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-|', events);
      expectObservable(source.pipe(lines())).toBe('-a-b-|', { a: l0, b: l1 });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('errors with a LogGapError naming the missing ids at a gap, and unsubscribes upstream', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-g-f-|', events);
      expectObservable(source.pipe(lines())).toBe('-a-b-#', { a: l0, b: l1 }, new LogGapError(2, 4));
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it("with onGap: 'skip' drops the gap and goes on", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a-b-g-f-|', events);
      expectObservable(source.pipe(lines({ onGap: 'skip' }))).toBe('-a-b---f-|', { a: l0, b: l1, f: l5 });
    });
  });

  it('LogGapError is a tagged error with the range', () => {
    const error = new LogGapError(2, 4);
    expect(error).toMatchObject({ _tag: 'LogGapError', name: 'LogGapError', from: 2, to: 4, reason: 'gap' });
    expect(error.message).toBe('log lines 2..4 are missing');
  });
});
