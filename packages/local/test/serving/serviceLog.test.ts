import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ServiceLogWriter } from '../../src/serving/serviceLog.js';
import { openStore, type Store } from '../../src/store/store.js';

let store: Store;

beforeEach(() => {
  store = openStore(':memory:');
});

afterEach(() => {
  store.close();
});

const contents = (serviceId: number) => store.serviceLogs.page(serviceId, 0, 1000).map((l) => l.content);

describe('the service log writer on a failing database', () => {
  it('fails only the logging of the service whose lines cannot be written (SQLITE_FULL), says why, and recovers', async () => {
    const faults: Array<[number, string]> = [];
    let recovered = 0;
    const stored: number[][] = [];
    const writer = new ServiceLogWriter(store, {
      onStored: (ids) => stored.push([...ids]),
      onFault: (id, reason) => faults.push([id, reason]),
      onRecovered: () => recovered++,
    });
    const failing = store.services.create('failing', [])!;
    const other = store.services.create('other', [])!;
    writer.line(other, 0, 'stdout', 'written before the disk filled');
    writer.flush();
    // A real SQLITE_FULL: the database may not grow by another page.
    store.db.pragma(`max_page_count = ${store.db.pragma('page_count', { simple: true }) as number}`);
    for (let i = 0; i < 200; i++) writer.line(failing, 0, 'stdout', `${i} ${'x'.repeat(2000)}`);
    // The write runs at the end of the turn: it must not throw there (that would end the process).
    await new Promise((resolve) => setImmediate(resolve));
    const reason = `disk full while writing logs of service ${failing} (SQLITE_FULL)`;
    expect(faults).toEqual([[failing, reason]]);
    expect(writer.failure(failing)).toBe(reason);
    // Still failing: counted, told once.
    writer.line(failing, 0, 'stdout', `${'y'.repeat(4000)}`);
    writer.flush();
    expect(faults).toHaveLength(1);
    expect(contents(failing)).toEqual([]);

    // Space again: the next line is written after a note of what was lost, and why.
    store.db.pragma('max_page_count = 1073741823');
    writer.line(failing, 0, 'stdout', 'after the disk was freed');
    writer.line(other, 0, 'stdout', 'and after');
    writer.flush();
    expect(contents(failing)).toEqual([
      `[modelmaker] 201 log line(s) were lost: ${reason}`,
      'after the disk was freed',
    ]);
    expect(contents(other)).toEqual(['written before the disk filled', 'and after']);
    expect(recovered).toBe(1);
    expect(writer.failure(failing)).toBeUndefined();
    expect(stored.at(-1)).toEqual([failing, other]);
    writer.close();
  });

  it('keeps the other services of a failed batch: only the one that cannot be written loses lines', () => {
    const faults: number[] = [];
    const writer = new ServiceLogWriter(store, { onFault: (id) => faults.push(id) });
    const small = store.services.create('small', [])!;
    const big = store.services.create('big', [])!;
    writer.line(small, 0, 'stdout', 'warm-up');
    writer.line(big, 0, 'stdout', 'warm-up');
    writer.flush();
    // Room for a short line, not for a page of long ones.
    store.db.pragma(`max_page_count = ${store.db.pragma('page_count', { simple: true }) as number}`);
    writer.line(small, 0, 'stdout', 'short');
    for (let i = 0; i < 100; i++) writer.line(big, 0, 'stdout', 'z'.repeat(4000));
    writer.flush();
    expect(faults).toEqual([big]);
    expect(contents(small)).toEqual(['warm-up', 'short']);
    writer.close();
  });
});
