import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  anySignal,
  anySignalByListeners,
  type LinkedSignal,
  onAbort,
} from '../../../src/client/kernel/signals.js';

const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

describe('onAbort', () => {
  it('calls the listener with the reason once, and its remover takes the listener off', () => {
    const controller = new AbortController();
    const reasons: unknown[] = [];
    onAbort(controller.signal, (reason) => reasons.push(reason));
    expect(listeners(controller.signal)).toBe(1);
    controller.abort('stop');
    expect(reasons).toEqual(['stop']);
    expect(listeners(controller.signal)).toBe(0);

    const other = new AbortController();
    const removed = onAbort(other.signal, (reason) => reasons.push(reason));
    removed();
    expect(listeners(other.signal)).toBe(0);
    other.abort('late');
    expect(reasons).toEqual(['stop']);
  });

  it('calls the listener at once for a signal already aborted, adding none', () => {
    const reasons: unknown[] = [];
    const signal = AbortSignal.abort('already');
    onAbort(signal, (reason) => reasons.push(reason));
    expect(reasons).toEqual(['already']);
    expect(listeners(signal)).toBe(0);
  });
});

describe.each([
  ['anySignal (AbortSignal.any)', anySignal],
  ['anySignalByListeners (the fallback)', anySignalByListeners],
] as const)('%s', (_name, link: (signals: readonly AbortSignal[]) => LinkedSignal) => {
  it('aborts with the reason of the first linked signal that aborts', () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = link([a.signal, b.signal]);
    expect(linked.signal.aborted).toBe(false);
    b.abort('b went first');
    a.abort('a after');
    expect(linked.signal.aborted).toBe(true);
    expect(linked.signal.reason).toBe('b went first');
    linked.release();
  });

  it('is aborted from the start when a linked signal already is', () => {
    const linked = link([new AbortController().signal, AbortSignal.abort('done')]);
    expect(linked.signal.aborted).toBe(true);
    expect(linked.signal.reason).toBe('done');
  });

  it('leaves no listener on a long-lived signal once released, however many links were made', () => {
    const parent = new AbortController();
    for (let i = 0; i < 100; i++) link([parent.signal, new AbortController().signal]).release();
    // AbortSignal.any registers no listener on its sources; the fallback removes its own.
    expect(listeners(parent.signal)).toBe(0);
    parent.abort();
  });
});

describe('anySignalByListeners', () => {
  it('removes its listeners from every linked signal on the first abort', () => {
    const a = new AbortController();
    const b = new AbortController();
    anySignalByListeners([a.signal, b.signal]);
    expect(listeners(a.signal) + listeners(b.signal)).toBe(2);
    a.abort();
    expect(listeners(b.signal)).toBe(0);
  });
});
