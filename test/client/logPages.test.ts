import { describe, expect, it } from 'vitest';
import { checkLogPage } from '../../src/client/logPages.js';

const line = (id: number) => ({ id, content: `line ${id}` });

describe('checkLogPage', () => {
  it('sorts a descending or shuffled page by id, keeping every line; an ordered page is returned as is', () => {
    expect(checkLogPage({ lastId: 0 }, { logs: [2, 0, 1].map(line) }).logs.map((l) => l.id)).toEqual([
      0, 1, 2,
    ]);
    expect(checkLogPage({ lastId: 0 }, { logs: [5, 4, 4, 3].map(line) }).logs.map((l) => l.id)).toEqual([
      3, 4, 4, 5,
    ]);
    const ordered = { logs: [1, 2].map(line) };
    expect(checkLogPage({ lastId: 1 }, ordered)).toBe(ordered);
  });

  it('fails a page saying hasMore with no line at or after lastId (the cursor cannot move)', () => {
    expect(() => checkLogPage({ lastId: 5 }, { logs: [line(3), line(4)], hasMore: true })).toThrow(
      /lastId 5 says more lines follow but holds only lines up to id 4/,
    );
    expect(() => checkLogPage({ lastId: 0 }, { logs: [], hasMore: true })).toThrow(/holds no line/);
    // Without hasMore, old lines are left to the readers (a server ignoring lastId is not stuck).
    expect(checkLogPage({ lastId: 5, limit: 2 }, { logs: [line(3), line(4)] }).logs).toHaveLength(2);
    expect(checkLogPage({ lastId: 4 }, { logs: [line(3), line(4)], hasMore: true }).logs).toHaveLength(2);
  });
});
