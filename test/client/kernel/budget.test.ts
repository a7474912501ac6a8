import { describe, expect, it } from 'vitest';
import { RetryBudget } from '../../../src/client/kernel/budget.js';
import { HttpError, TimeoutError } from '../../../src/errors.js';

describe('RetryBudget', () => {
  it('pays retries until empty and refills up to capacity', () => {
    const budget = new RetryBudget({ capacity: 12, retryCost: 5, timeoutRetryCost: 10 });
    expect(budget.costOf(new HttpError(503, 'busy'))).toBe(5);
    expect(budget.costOf(new TimeoutError(1))).toBe(10);
    expect(budget.tryAcquire(5)).toBe(true);
    expect(budget.tryAcquire(5)).toBe(true);
    expect(budget.tryAcquire(5)).toBe(false);
    expect(budget.available).toBe(2);
    budget.release(100);
    expect(budget.available).toBe(12);
  });
});
