import { describe, expect, it } from 'vitest';
import { ChangeHub } from '../../src/server/changeHub.js';

describe('the change hub', () => {
  it('wakes a waiter the moment its id changes, and only its id', async () => {
    const hub = new ChangeHub();
    const controller = new AbortController();
    const waiting = hub.waitFor(7, 10_000, controller.signal);
    hub.notify([8]);
    expect(hub.size(7)).toBe(1);
    const started = performance.now();
    hub.notify([7]);
    expect(await waiting).toBe('changed');
    expect(performance.now() - started).toBeLessThan(50);
    expect(hub.size()).toBe(0);
  });

  it('gives up after the wait, leaving no waiter behind', async () => {
    const hub = new ChangeHub();
    expect(await hub.waitFor(1, 20, new AbortController().signal)).toBe('timeout');
    expect(hub.size()).toBe(0);
  });

  it('removes the waiter when the caller aborts (a client disconnect)', async () => {
    const hub = new ChangeHub();
    const controller = new AbortController();
    const waiting = hub.waitFor(1, 10_000, controller.signal);
    controller.abort();
    expect(await waiting).toBe('aborted');
    expect(hub.size()).toBe(0);
    expect(await hub.waitFor(1, 10_000, controller.signal)).toBe('aborted');
  });
});
