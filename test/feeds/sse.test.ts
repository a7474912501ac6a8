/**
 * toServerSentEvents and resumeCursor: frames as a real SSE parser reads them
 * (eventsource-parser, the one the `eventsource` client uses), ids that a
 * reconnecting client turns back into the stream's cursor, and the marble
 * behaviour of the operator (retry, heartbeat, resume, errors).
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import fc from 'fast-check';
import { concat, from, lastValueFrom, of, throwError, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { resumeCursor } from '../../src/feeds/resume.js';
import { SSE_HEARTBEAT_FRAME, serverSentEvent, toServerSentEvents } from '../../src/feeds/sse.js';
import type { LogEvent } from '../../src/streams/logs.js';
import { testScheduler } from '../streams/support.js';

/** Parses frames as a client would. */
function parse(frames: readonly string[]): { events: EventSourceMessage[]; retry: number[] } {
  const events: EventSourceMessage[] = [];
  const retry: number[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event), onRetry: (ms) => retry.push(ms) });
  for (const frame of frames) parser.feed(frame);
  return { events, retry };
}

const line = (id: number): LogEvent => ({ type: 'line', line: { id, content: `line ${id}` } });
const gap = (from: number, to: number): LogEvent => ({ type: 'gap', from, to });

async function frames<T>(values: readonly T[], options?: Parameters<typeof toServerSentEvents<T>>[0]) {
  return lastValueFrom(from(values).pipe(toServerSentEvents(options), toArray()));
}

describe('toServerSentEvents', () => {
  it('gives log events their log position as id and their type as event name', async () => {
    const { events } = parse(await frames([line(0), line(1), gap(2, 4), line(5)]));

    expect(events.map((e) => [e.id, e.event])).toEqual([
      ['0', 'line'],
      ['1', 'line'],
      ['4', 'gap'],
      ['5', 'line'],
    ]);
    expect(JSON.parse(events[2]!.data)).toEqual(gap(2, 4));
    // the id a client keeps resumes right after what it saw: a gap counts as seen
    expect(events.map((e) => resumeCursor(e.id).from)).toEqual([1, 2, 5, 6]);
  });

  it('numbers other streams from 0 and leaves out the event name of values without a type', async () => {
    const samples = [
      { name: 'loss', value: 0.9 },
      { name: 'loss', value: 0.5 },
    ];
    const { events } = parse(await frames(samples));

    expect(events.map((e) => e.id)).toEqual(['0', '1']);
    expect(events.map((e) => e.event)).toEqual([undefined, undefined]);
    expect(events.map((e) => JSON.parse(e.data))).toEqual(samples);
  });

  it('resumes a log feed after the Last-Event-ID: positions below the cursor are not sent', async () => {
    const all = [line(0), line(1), gap(2, 4), line(5), line(6)];
    const resumedAfter = (lastEventId: string) =>
      frames(all, { resume: resumeCursor(lastEventId) }).then((f) => parse(f).events.map((e) => e.id));

    expect(await resumedAfter('1')).toEqual(['4', '5', '6']);
    expect(await resumedAfter('4')).toEqual(['5', '6']);
    expect(await resumedAfter('6')).toEqual([]);
  });

  it('resumes a sequence feed by skipping the events the client saw, numbering the rest as before', async () => {
    const values = ['created', 'status', 'metric', 'metric', 'end'].map((type, i) => ({ type, i }));
    const first = parse(await frames(values, { id: 'sequence' })).events;
    const rest = parse(await frames(values, { id: 'sequence', resume: resumeCursor(first[1]!.id) })).events;

    expect(rest).toEqual(first.slice(2));
    expect(rest.map((e) => e.event)).toEqual(['metric', 'metric', 'end']);
  });

  it("fails a log feed in 'auto' mode that later carries an event without a log position", async () => {
    const mixed: unknown[] = [line(0), { type: 'metric', name: 'loss', value: 1 }];
    const error = await frames(mixed).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems[0]).toMatchObject({ field: 'id' });
    expect(String(error)).toMatch(/id: 'sequence'/);
    // and 'sequence' numbers that stream consistently
    expect(parse(await frames(mixed, { id: 'sequence' })).events.map((e) => e.id)).toEqual(['0', '1']);
  });

  it('sends endEvent (no id) when the stream completes, not when it errors', async () => {
    const ended = parse(await frames([line(0)], { endEvent: 'end' })).events;
    expect(ended.map((e) => [e.id, e.event, e.data])).toEqual([
      ['0', 'line', JSON.stringify(line(0))],
      [undefined, 'end', '{}'],
    ]);
    const failed: string[] = [];
    const error = await new Promise((resolve) =>
      concat(
        of(line(0)),
        throwError(() => new Error('down')),
      )
        .pipe(toServerSentEvents({ endEvent: 'end' }))
        .subscribe({ next: (f) => failed.push(f), error: resolve }),
    );
    expect(String(error)).toContain('down');
    expect(parse(failed).events.map((e) => e.event)).toEqual(['line']);
  });

  it('takes id, event and data functions, and splits multi-line data into data lines', async () => {
    const out = await frames(['a\nb', 'c\r\nd\re'], {
      id: (value, sequence) => `${value.length}-${sequence}`,
      event: () => 'text',
      data: (value) => value,
    });

    expect(out[0]).toBe('id: 3-0\nevent: text\ndata: a\ndata: b\n\n');
    expect(parse(out).events.map((e) => [e.id, e.event, e.data])).toEqual([
      ['3-0', 'text', 'a\nb'],
      ['6-1', 'text', 'c\nd\ne'],
    ]);
  });

  it('errors the stream with a ValidationError for an event name or id with a line break', async () => {
    const badEvent = await frames([1], { event: () => 'a\nb' }).catch((e: unknown) => e);
    const badId = await frames([1], { id: () => 'x\ry' }).catch((e: unknown) => e);

    expect((badEvent as ValidationError).problems).toEqual([{ field: 'event', message: expect.any(String) }]);
    expect((badId as ValidationError).problems).toEqual([{ field: 'id', message: expect.any(String) }]);
  });

  it('rejects invalid options at once, naming each field', () => {
    let caught: unknown;
    try {
      toServerSentEvents({ retryMs: -1, heartbeatMs: 0, resume: { from: 1.5 }, endEvent: 'a\nb' });
    } catch (error) {
      caught = error;
    }
    expect((caught as ValidationError).problems.map((p) => p.field)).toEqual([
      'retryMs',
      'heartbeatMs',
      'resume.from',
      'endEvent',
    ]);
  });

  it('sends retry first, and a heartbeat comment while the stream is open (marbles)', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('5ms a 9ms b |', { a: 'x', b: 'y' });
      const encoded = source.pipe(toServerSentEvents({ retryMs: 3000, heartbeatMs: 4 }));
      expectObservable(encoded).toBe('r 3ms h 0ms a 2ms h 3ms h 2ms b |', {
        r: 'retry: 3000\n\n',
        h: SSE_HEARTBEAT_FRAME,
        a: 'id: 0\ndata: "x"\n\n',
        b: 'id: 1\ndata: "y"\n\n',
      });
      expectSubscriptions(source.subscriptions).toBe('^ 15ms !');
    });
  });

  it('stops the heartbeat when the subscriber leaves (marbles)', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-----');
      expectObservable(source.pipe(toServerSentEvents({ heartbeatMs: 2 })), '^ 4ms !').toBe('2ms h 1ms h', {
        h: SSE_HEARTBEAT_FRAME,
      });
      expectSubscriptions(source.subscriptions).toBe('^ 4ms !');
    });
  });

  it('round-trips any data, event name and id through a real SSE parser (property)', () => {
    const oneLine = fc.string({ minLength: 1 }).filter((s) => !/[\r\n\0]/.test(s) && !s.startsWith(' '));
    fc.assert(
      fc.property(fc.string(), oneLine, oneLine, (data, event, id) => {
        const [parsed] = parse([serverSentEvent(id, event, data)]).events;
        expect(parsed).toEqual({ id, event, data: data.split(/\r\n|\r|\n/).join('\n') });
      }),
    );
  });
});

describe('resumeCursor', () => {
  it('starts from 0 without a Last-Event-ID, and after the id it names otherwise', () => {
    expect(resumeCursor(undefined)).toEqual({ from: 0 });
    expect(resumeCursor(null)).toEqual({ from: 0 });
    expect(resumeCursor('')).toEqual({ from: 0 });
    expect(resumeCursor('0')).toEqual({ from: 1 });
    expect(resumeCursor(' 41 ')).toEqual({ from: 42 });
  });

  it('rejects an id this feed never sent, naming Last-Event-ID and quoting a bounded part of it', () => {
    for (const bad of ['-1', '1.5', 'abc', '1e3', '99999999999999999999', 'x'.repeat(500)]) {
      let caught: unknown;
      try {
        resumeCursor(bad);
      } catch (error) {
        caught = error;
      }
      expect(caught, bad).toBeInstanceOf(ValidationError);
      const [problem] = (caught as ValidationError).problems;
      expect(problem?.field).toBe('Last-Event-ID');
      expect(problem!.message.length).toBeLessThan(200);
    }
  });
});
