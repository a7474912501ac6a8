import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  collect,
  eventually,
  type Harness,
  lastStatus,
  linesOf,
  params,
  pidsIn,
  prepareRun,
  processGone,
  startHarness,
  statusesOf,
  trainBody,
  unsubscribeAll,
  watch,
} from './harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.close();
});

afterEach(unsubscribeAll);

describe('runTraining lifecycle', () => {
  it('stop: STOPPING, SIGTERM to the process group, STOPPED; the process and its child are gone', async () => {
    const { run$, stop } = await prepareRun(
      harness,
      trainBody({ parameters: params({ SLEEP: 60_000, CHILD: 1 }) }),
    );
    const run = watch(run$);
    await run.ready;
    const pids = pidsIn(run.events);
    expect(pids).toHaveLength(2);
    stop.abort();
    await run.done;

    expect(statusesOf(run.events)).toEqual(['DOWNLOAD_DATA', 'TRAINING', 'STOPPING', 'STOPPED']);
    expect(lastStatus(run.events).reason).toBe('stopped by the user');
    for (const pid of pids) expect(await eventually(() => processGone(pid))).toBe(true);
  });

  it('stop kills with SIGKILL after the grace period a process that ignores SIGTERM', async () => {
    const { run$, stop } = await prepareRun(
      harness,
      trainBody({ parameters: params({ SLEEP: 60_000, IGNORE_TERM: 1 }) }),
      {
        stopGraceMs: 300,
      },
    );
    const run = watch(run$);
    await run.ready;
    const [pid] = pidsIn(run.events);
    const stoppedAt = Date.now();
    stop.abort();
    await run.done;

    expect(lastStatus(run.events).status).toBe('STOPPED');
    expect(linesOf(run.events)).toContain('ignoring SIGTERM');
    expect(run.completedAt()! - stoppedAt).toBeGreaterThanOrEqual(250);
    expect(await eventually(() => processGone(pid!))).toBe(true);
  });

  it('a stop during the download ends in STOPPED without starting any process', async () => {
    const { run$, stop } = await prepareRun(harness, trainBody());
    stop.abort();
    const events = await collect(run$);
    expect(statusesOf(events)).toEqual(['DOWNLOAD_DATA', 'STOPPING', 'STOPPED']);
  });

  it('enforces maxRuntime: TRAINING_FAIL with reason "maxRuntime exceeded"', async () => {
    const { run$ } = await prepareRun(
      harness,
      trainBody({ maxRuntime: 1, parameters: params({ SLEEP: 60_000 }) }),
      {
        stopGraceMs: 500,
      },
    );
    const started = Date.now();
    const events = await collect(run$);

    expect(statusesOf(events)).toEqual(['DOWNLOAD_DATA', 'TRAINING', 'TRAINING_FAIL']);
    expect(lastStatus(events).reason).toBe('maxRuntime exceeded');
    expect(Date.now() - started).toBeLessThan(10_000);
    for (const pid of pidsIn(events)) expect(await eventually(() => processGone(pid))).toBe(true);
  });

  it('a maxRuntime beyond what a JavaScript timer holds (2,147,484 s) does not end the run: it finishes', async () => {
    const { run$ } = await prepareRun(harness, trainBody({ maxRuntime: 2_147_484 }));
    const events = await collect(run$);

    expect(statusesOf(events)).toEqual(['DOWNLOAD_DATA', 'TRAINING', 'FINISH']);
    expect(linesOf(events).some((line) => line.includes('maxRuntime'))).toBe(false);
  });

  it('unsubscribing kills every instance tree at once and reports nothing more', async () => {
    const { run$ } = await prepareRun(
      harness,
      trainBody({ instance: 2, parameters: params({ SLEEP: 60_000, CHILD: 1 }) }),
    );
    const run = watch(run$, 2);
    await run.ready;
    const pids = pidsIn(run.events);
    expect(pids).toHaveLength(4);
    const seen = run.events.length;
    run.unsubscribe();

    for (const pid of pids) expect(await eventually(() => processGone(pid))).toBe(true);
    expect(run.events.length).toBe(seen);
  });

  it('delivers 200,000 lines printed fast, each once and in order, as they come', async () => {
    const total = 200_000;
    const { run$ } = await prepareRun(harness, trainBody({ parameters: params({ LINES: total }) }));
    let next = 0;
    let outOfOrder = 0;
    let status = '';
    await new Promise<void>((resolve, reject) =>
      run$.subscribe({
        next: (event) => {
          if (event.kind === 'status') status = event.status;
          if (event.kind !== 'log' || !event.content.startsWith('line ')) return;
          if (event.content !== `line ${next}`) outOfOrder += 1;
          next += 1;
        },
        error: reject,
        complete: resolve,
      }),
    );

    expect(status).toBe('FINISH');
    expect(outOfOrder).toBe(0);
    expect(next).toBe(total);
  });

  it('samples CPU (cores) and RSS (bytes) of each instance while it runs', async () => {
    const { run$ } = await prepareRun(harness, trainBody({ parameters: params({ BUSY: 1200 }) }), {
      resourceSampleMs: 200,
    });
    const events = await collect(run$);

    const samples = events.filter((e) => e.kind === 'resource');
    expect(samples.length).toBeGreaterThanOrEqual(3);
    for (const s of samples) {
      expect(s).toMatchObject({ instance: 0 });
      expect(s.memory).toBeGreaterThan(1024 * 1024);
    }
    expect(Math.max(...samples.map((s) => s.cpu))).toBeGreaterThan(0.3);
    const training = events.findIndex((e) => e.kind === 'status' && e.status === 'TRAINING');
    const finish = events.findIndex((e) => e.kind === 'status' && e.status === 'FINISH');
    expect(events.findIndex((e) => e.kind === 'resource')).toBeGreaterThan(training);
    expect(events.findLastIndex((e) => e.kind === 'resource')).toBeLessThan(finish);
  });
});
