import { describe, expect, it } from 'vitest';
import { ChangeHub } from '../../src/server/changeHub.js';
import { type LogSource, logQueryOf, longPollLog } from '../../src/server/longPoll.js';

interface Line {
  readonly id: number;
}

/** A source over an array the test appends to; `quiet` as the test sets it. */
function source(hub: ChangeHub, lines: Line[], state = { quiet: false }): LogSource<Line> {
  return {
    id: 7,
    hub,
    page: (cursor, count) =>
      lines.filter((l) => cursor.kind === 'id' && l.id >= cursor.fromId).slice(0, count),
    quiet: () => state.quiet,
  };
}

const lines = (from: number, to: number): Line[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ id: from + i }));

describe('longPollLog', () => {
  it('answers the lines already there at once, a page at a time, saying when more exist', async () => {
    const hub = new ChangeHub();
    const page = await longPollLog(
      source(hub, lines(1, 5)),
      logQueryOf({ lastId: 2, limit: 2, wait: 30 }),
      undefined,
      new AbortController().signal,
    );
    expect(page).toEqual({ lines: [{ id: 2 }, { id: 3 }], hasMore: true });
    const last = await longPollLog(
      source(hub, lines(1, 5)),
      logQueryOf({ lastId: 4, limit: 2 }),
      undefined,
      new AbortController().signal,
    );
    expect(last).toEqual({ lines: [{ id: 4 }, { id: 5 }], hasMore: false });
  });

  it('clamps limit to the page limits', async () => {
    const hub = new ChangeHub();
    const all = source(hub, lines(1, 50));
    const signal = new AbortController().signal;
    const limits = { pageSize: 3, maxPageSize: 10 };
    expect((await longPollLog(all, logQueryOf({ lastId: 0 }), limits, signal)).lines).toHaveLength(3);
    expect(
      (await longPollLog(all, logQueryOf({ lastId: 0, limit: 1000 }), limits, signal)).lines,
    ).toHaveLength(10);
    expect((await longPollLog(all, logQueryOf({ lastId: 0, limit: 0 }), limits, signal)).lines).toHaveLength(
      1,
    );
  });

  it('waits for the next change when nothing is there yet, then answers the new lines', async () => {
    const hub = new ChangeHub();
    const stored: Line[] = [];
    const polling = longPollLog(
      source(hub, stored),
      logQueryOf({ lastId: 0, wait: 30 }),
      undefined,
      new AbortController().signal,
    );
    expect(hub.size(7)).toBe(1);
    stored.push({ id: 1 });
    hub.notify([7]);
    expect(await polling).toEqual({ lines: [{ id: 1 }], hasMore: false });
    expect(hub.size()).toBe(0);
  });

  it('answers an empty page at once when the source is quiet, and after the (capped) wait otherwise', async () => {
    const hub = new ChangeHub();
    const signal = new AbortController().signal;
    const quiet = await longPollLog(
      source(hub, [], { quiet: true }),
      logQueryOf({ lastId: 0, wait: 30 }),
      undefined,
      signal,
    );
    expect(quiet).toEqual({ lines: [], hasMore: false });

    let clock = 0;
    const waited = longPollLog(
      source(hub, []),
      logQueryOf({ lastId: 0, wait: 30 }),
      { waitCapSeconds: 0.02 },
      signal,
      () => clock,
    );
    expect(hub.size(7)).toBe(1);
    clock = 20;
    expect(await waited).toEqual({ lines: [], hasMore: false });
    expect(hub.size()).toBe(0);
  });

  it('ends the wait when the client goes away, leaving no waiter behind', async () => {
    const hub = new ChangeHub();
    const controller = new AbortController();
    const polling = longPollLog(
      source(hub, []),
      logQueryOf({ lastId: 0, wait: 30 }),
      undefined,
      controller.signal,
    );
    expect(hub.size(7)).toBe(1);
    controller.abort();
    expect(await polling).toEqual({ lines: [], hasMore: false });
    expect(hub.size()).toBe(0);
  });
});
