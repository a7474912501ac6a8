import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exponentialDelay, fullJitterDelay } from '../../../src/client/kernel/backoff.js';

const bounds = fc.record({
  baseMs: fc.integer({ min: 1, max: 10_000 }),
  capMs: fc.integer({ min: 1, max: 600_000 }),
});
const retry = fc.integer({ min: 1, max: 200 });
const random = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('exponentialDelay', () => {
  it('doubles from the base per retry up to the cap (the restart delays of a crashed instance)', () => {
    const restart = { baseMs: 200, capMs: 10_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => exponentialDelay(n, restart))).toEqual([
      200, 400, 800, 1600, 3200, 6400, 10_000, 10_000,
    ]);
  });

  it('never exceeds the cap, never shrinks from one retry to the next (fast-check)', () => {
    fc.assert(
      fc.property(bounds, retry, (b, n) => {
        const delay = exponentialDelay(n, b);
        expect(delay).toBeLessThanOrEqual(b.capMs);
        expect(exponentialDelay(n + 1, b)).toBeGreaterThanOrEqual(delay);
      }),
    );
  });
});

describe('fullJitterDelay', () => {
  it('draws in [0, min(cap, base·2^(retry-1)))', () => {
    const policy = { baseMs: 100, capMs: 20_000 };
    expect(fullJitterDelay(1, { ...policy, random: () => 0.999 })).toBe(99);
    expect(fullJitterDelay(3, { ...policy, random: () => 0.5 })).toBe(200);
    expect(fullJitterDelay(20, { ...policy, random: () => 0.5 })).toBe(10_000);
    expect(fullJitterDelay(5, { ...policy, random: () => 0 })).toBe(0);
  });

  it('is a whole number of ms below the exponential ceiling, for any random draw (fast-check)', () => {
    fc.assert(
      fc.property(bounds, retry, random, (b, n, r) => {
        const delay = fullJitterDelay(n, { ...b, random: () => r });
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(exponentialDelay(n, b));
      }),
    );
  });

  it('grows with the draw: the random source alone decides where in the range a wait falls (fast-check)', () => {
    fc.assert(
      fc.property(bounds, retry, random, random, (b, n, r1, r2) => {
        const [low, high] = r1 <= r2 ? [r1, r2] : [r2, r1];
        expect(fullJitterDelay(n, { ...b, random: () => low })).toBeLessThanOrEqual(
          fullJitterDelay(n, { ...b, random: () => high }),
        );
      }),
    );
  });
});
