import { getEventListeners } from 'node:events';
import { lastValueFrom, NEVER, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { abortWith, fromAbortable, untilAborted } from '../../../src/client/kernel/abortable.js';

const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

/** A promise and its resolve/reject. */
function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

describe('untilAborted', () => {
  it('settles like the promise and removes its listener from the signal', async () => {
    const controller = new AbortController();
    const work = deferred<string>();
    const waiting = untilAborted(work.promise, controller.signal);
    expect(listeners(controller.signal)).toBe(1);
    work.resolve('done');
    await expect(waiting).resolves.toBe('done');
    expect(listeners(controller.signal)).toBe(0);

    const failing = deferred<string>();
    const failed = untilAborted(failing.promise, controller.signal);
    failing.reject(new Error('broken'));
    await expect(failed).rejects.toThrow('broken');
    expect(listeners(controller.signal)).toBe(0);
  });

  it('rejects with the reason (or reasonOf) as soon as the signal aborts, the work going on', async () => {
    const controller = new AbortController();
    const work = deferred<string>();
    const waiting = untilAborted(work.promise, controller.signal);
    controller.abort(new Error('user stop'));
    await expect(waiting).rejects.toThrow('user stop');
    work.resolve('still finished');
    await expect(work.promise).resolves.toBe('still finished');

    const custom = untilAborted(deferred<string>().promise, AbortSignal.abort(), () => 'stopped');
    await expect(custom).rejects.toBe('stopped');
  });

  it('handles a rejection of the promise after the abort (no unhandled rejection)', async () => {
    const work = deferred<string>();
    const waiting = untilAborted(work.promise, AbortSignal.abort('gone'));
    await expect(waiting).rejects.toBe('gone');
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    work.reject(new Error('late failure'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });

  it('is the promise itself without a signal', () => {
    const promise = Promise.resolve(1);
    expect(untilAborted(promise, undefined)).toBe(promise);
  });
});

describe('fromAbortable', () => {
  it('emits the result, and does not abort a finished work', async () => {
    let seen: AbortSignal | undefined;
    const value = await lastValueFrom(
      fromAbortable(async (signal) => {
        seen = signal;
        return 42;
      }),
    );
    expect(value).toBe(42);
    expect(seen?.aborted).toBe(false);
  });

  it('aborts the signal of a work in flight on unsubscribe, and runs nothing before subscription', () => {
    const signals: AbortSignal[] = [];
    const work$ = fromAbortable((signal) => {
      signals.push(signal);
      return new Promise<never>(() => undefined);
    });
    expect(signals).toHaveLength(0);
    work$.subscribe().unsubscribe();
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(true);
  });
});

describe('abortWith', () => {
  it("errors with the signal's reason, unsubscribing the source, and leaves no listener", () => {
    const controller = new AbortController();
    const source = new Subject<number>();
    const seen: unknown[] = [];
    source
      .pipe(abortWith(controller.signal))
      .subscribe({ next: (v) => seen.push(v), error: (e) => seen.push(e) });
    source.next(1);
    controller.abort('stop');
    expect(seen).toEqual([1, 'stop']);
    expect(source.observed).toBe(false);
    expect(listeners(controller.signal)).toBe(0);
  });

  it('removes its listener when the subscriber unsubscribes first', () => {
    const controller = new AbortController();
    const subscription = NEVER.pipe(abortWith(controller.signal)).subscribe();
    expect(listeners(controller.signal)).toBe(1);
    subscription.unsubscribe();
    expect(listeners(controller.signal)).toBe(0);
  });

  it('errors at once for a signal already aborted, never subscribing the source', () => {
    const source = new Subject<number>();
    const seen: unknown[] = [];
    source.pipe(abortWith(AbortSignal.abort('early'))).subscribe({ error: (e) => seen.push(e) });
    expect(seen).toEqual(['early']);
    expect(source.observed).toBe(false);
  });
});
