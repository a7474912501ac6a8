import { describe, expect, it } from 'vitest';
import { SharedFlight } from '../../../src/client/kernel/sharedFlight.js';

/** A run that settles when the test says, exposing the signal it was given. */
function controlled() {
  const runs: Array<{ signal: AbortSignal; resolve: (v: string) => void; reject: (e: unknown) => void }> = [];
  const run = (signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      runs.push({ signal, resolve, reject });
    });
  return { runs, run };
}

describe('SharedFlight', () => {
  it('runs once for concurrent joins and hands every waiter the outcome; the next join runs again', async () => {
    const { runs, run } = controlled();
    const flight = new SharedFlight(run);
    const both = Promise.all([flight.join(), flight.join(new AbortController().signal)]);
    expect(runs).toHaveLength(1);
    runs[0]!.resolve('a');
    expect(await both).toEqual(['a', 'a']);
    expect(flight.running).toBe(false);
    const again = flight.join();
    runs[1]!.resolve('b');
    expect(await again).toBe('b');
    expect(flight.runs).toBe(2);
  });

  it('keeps running while one waiter is left, and aborts the run when the last one leaves', async () => {
    const { runs, run } = controlled();
    const flight = new SharedFlight(run);
    const first = new AbortController();
    const second = new AbortController();
    const a = flight.join(first.signal);
    const b = flight.join(second.signal);
    first.abort(new Error('first left'));
    await expect(a).rejects.toThrow('first left');
    expect(runs[0]!.signal.aborted).toBe(false);
    second.abort(new Error('second left'));
    await expect(b).rejects.toThrow('second left');
    expect(runs[0]!.signal.aborted).toBe(true);
    // An abandoned run no longer counts as running: the next join starts a new one.
    expect(flight.running).toBe(false);
    const c = flight.join();
    expect(runs).toHaveLength(2);
    runs[1]!.resolve('c');
    expect(await c).toBe('c');
  });

  it('a waiter without a signal keeps the run alive; an already aborted signal never joins', async () => {
    const { runs, run } = controlled();
    const flight = new SharedFlight(run);
    const leaving = new AbortController();
    const stays = flight.join();
    const left = flight.join(leaving.signal);
    leaving.abort('bye');
    await expect(left).rejects.toBe('bye');
    expect(runs[0]!.signal.aborted).toBe(false);
    await expect(flight.join(AbortSignal.abort('late'))).rejects.toBe('late');
    runs[0]!.resolve('ok');
    expect(await stays).toBe('ok');
  });

  it('passes a failure to every waiter and does not cache it', async () => {
    const { runs, run } = controlled();
    const flight = new SharedFlight(run);
    const both = Promise.allSettled([flight.join(), flight.join()]);
    runs[0]!.reject(new Error('down'));
    expect((await both).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const next = flight.join();
    runs[1]!.resolve('up');
    expect(await next).toBe('up');
  });
});
