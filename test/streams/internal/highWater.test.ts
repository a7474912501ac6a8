import { describe, expect, it } from 'vitest';
import { compareKeys, freshSince } from '../../../src/streams/internal/highWater.js';

const key = (p: { k: number | string }) => p.k;

describe('freshSince', () => {
  it('with no mark, everything is fresh and the mark is the highest key with its count', () => {
    const items = [{ k: 1 }, { k: 2 }, { k: 2 }];
    expect(freshSince(items, undefined, key)).toEqual({ fresh: items, mark: { key: 2, count: 2 } });
  });

  it('keeps only the items past the mark, equal keys beyond those already seen included', () => {
    const items = [{ k: 1 }, { k: 2 }, { k: 2 }, { k: 2 }, { k: 3 }];
    const { fresh, mark } = freshSince(items, { key: 2, count: 2 }, key);
    expect(fresh).toEqual([{ k: 2 }, { k: 3 }]);
    expect(fresh[0]).toBe(items[3]);
    expect(mark).toEqual({ key: 3, count: 1 });
  });

  it('keeps the mark when nothing new came, or when the series went back in time', () => {
    expect(freshSince([], { key: 5, count: 1 }, key)).toEqual({ fresh: [], mark: { key: 5, count: 1 } });
    expect(freshSince([{ k: 1 }], { key: 5, count: 1 }, key)).toEqual({
      fresh: [],
      mark: { key: 5, count: 1 },
    });
  });

  it('orders ISO timestamps and epoch numbers as instants', () => {
    expect(compareKeys('2024-01-01T00:00:01Z', '2024-01-01T00:00:00.500Z')).toBeGreaterThan(0);
    expect(compareKeys(Date.parse('2024-01-01T00:00:00Z'), '2024-01-01T00:00:00Z')).toBe(0);
    expect(compareKeys('b', 'a')).toBeGreaterThan(0);
  });
});
