import { describe, expect, it } from 'vitest';
import { openInOrder, SubsystemStack } from '../../src/subsystems/stack.js';

/** A subsystem that logs its close (and fails it when told to). */
function subsystem(name: string, log: string[], failClose = false) {
  return {
    name,
    close: async () => {
      log.push(`close ${name}`);
      if (failClose) throw new Error(`${name} would not close`);
    },
  };
}

describe('the subsystem stack', () => {
  it('closes in reverse order of opening, once, even when a close fails', async () => {
    const log: string[] = [];
    const errors: unknown[] = [];
    const stack = new SubsystemStack((error) => errors.push(error));
    stack.add(subsystem('store', log));
    stack.add(subsystem('s3', log, true));
    stack.add(subsystem('server', log));

    await Promise.all([stack.close(), stack.close()]);
    await stack.close();
    expect(log).toEqual(['close server', 'close s3', 'close store']);
    expect(errors).toEqual([new Error('s3 would not close')]);
  });

  it('a failure half-way closes what was opened, latest first, and rethrows the failure', async () => {
    const log: string[] = [];
    const stack = new SubsystemStack(() => {});
    const failure = new Error('EADDRINUSE');
    const opening = openInOrder(stack, async () => {
      stack.add(subsystem('lock', log));
      stack.add(subsystem('store', log));
      throw failure;
    });
    await expect(opening).rejects.toBe(failure);
    expect(log).toEqual(['close store', 'close lock']);
  });

  it('refuses (and closes) a subsystem opened after the close began', async () => {
    const log: string[] = [];
    const stack = new SubsystemStack(() => {});
    const closing = stack.close();
    expect(() => stack.add(subsystem('late', log))).toThrow(/closing/);
    await closing;
    await expect.poll(() => log).toEqual(['close late']);
  });
});
