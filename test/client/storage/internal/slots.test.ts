import { defer, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Slots } from '../../../../src/client/storage/internal/slots.js';

describe('Slots', () => {
  it('runs at most `count` works at once; the others start in arrival order as works end (complete or fail)', () => {
    const slots = new Slots(2);
    const works = [0, 1, 2, 3].map(() => new Subject<number>());
    const started: number[] = [];
    const seen: number[] = [];
    const errors: unknown[] = [];
    for (const [i, work] of works.entries()) {
      slots
        .run(
          defer(() => {
            started.push(i);
            return work;
          }),
        )
        .subscribe({ next: (value) => seen.push(value), error: (error) => errors.push(error) });
    }
    expect(started).toEqual([0, 1]);
    expect(slots.free).toBe(0);
    works[1]!.next(10);
    works[1]!.complete();
    expect(started).toEqual([0, 1, 2]);
    works[0]!.error(new Error('a failure frees its slot too'));
    expect(started).toEqual([0, 1, 2, 3]);
    expect(seen).toEqual([10]);
    expect(errors).toHaveLength(1);
    works[2]!.complete();
    works[3]!.complete();
    expect(slots.free).toBe(2);
  });

  it('frees the slot of work unsubscribed, and forgets work that was still waiting', () => {
    const slots = new Slots(1);
    let secondStarted = false;
    const first = slots.run(new Subject<void>()).subscribe();
    const second = slots
      .run(
        defer(() => {
          secondStarted = true;
          return new Subject<void>();
        }),
      )
      .subscribe();
    second.unsubscribe(); // waiting: never starts
    first.unsubscribe(); // holding: its slot is free again
    expect(secondStarted).toBe(false);
    expect(slots.free).toBe(1);
  });
});
