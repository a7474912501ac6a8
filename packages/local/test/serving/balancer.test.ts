import { describe, expect, it } from 'vitest';
import { Balancer } from '../../src/serving/balancer.js';

const target = (name: string, ready = true) => ({ name, ready });

function counts<T extends { name: string }>(picks: Array<T | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pick of picks) if (pick) out[pick.name] = (out[pick.name] ?? 0) + 1;
  return out;
}

describe('Balancer', () => {
  it('gives each model exactly its weight in every window of sum(weights) picks, interleaved', () => {
    const table = new Balancer([
      { weight: 80, targets: [target('a')] },
      { weight: 20, targets: [target('b')] },
    ]);
    for (let window = 0; window < 10; window++) {
      expect(counts(Array.from({ length: 100 }, () => table.pick()))).toEqual({ a: 80, b: 20 });
    }
    const small = new Balancer([
      { weight: 3, targets: [target('a')] },
      { weight: 1, targets: [target('b')] },
    ]);
    // Smooth: no burst of the heavier model longer than its share requires.
    expect(Array.from({ length: 8 }, () => small.pick()!.name).join('')).toBe('aaba' + 'aaba');
  });

  it('round-robins over a model’s ready instances and skips the others', () => {
    const down = target('a2', false);
    const table = new Balancer([{ weight: 1, targets: [target('a1'), down, target('a3')] }]);
    expect(Array.from({ length: 4 }, () => table.pick()!.name)).toEqual(['a1', 'a3', 'a1', 'a3']);
    down.ready = true;
    expect(counts(Array.from({ length: 6 }, () => table.pick()))).toEqual({ a1: 2, a2: 2, a3: 2 });
  });

  it('gives a model without a ready instance’s share to the others, and none to weight 0', () => {
    const b = target('b', false);
    const table = new Balancer([
      { weight: 50, targets: [target('a')] },
      { weight: 50, targets: [b] },
      { weight: 0, targets: [target('c')] },
    ]);
    expect(counts(Array.from({ length: 10 }, () => table.pick()))).toEqual({ a: 10 });
    b.ready = true;
    expect(counts(Array.from({ length: 10 }, () => table.pick()))).toEqual({ a: 5, b: 5 });
    expect(table.hasReady()).toBe(true);
  });

  it('skips excluded targets (tried already) and answers undefined when nothing is left', () => {
    const a = target('a');
    const b = target('b');
    const table = new Balancer([{ weight: 1, targets: [a, b] }]);
    expect(table.pick(new Set([a]))).toBe(b);
    expect(table.pick(new Set([a, b]))).toBeUndefined();
    expect(new Balancer([{ weight: 1, targets: [target('x', false)] }]).pick()).toBeUndefined();
    expect(new Balancer([]).hasReady()).toBe(false);
  });
});
