/**
 * `fit` on a fake platform (msw) through a real Session: validation before any request,
 * the event feed of a job from creation to `completed`, failures, new versions,
 * attaching, and what unsubscribing does (and does not) send.
 */
import { setupServer } from 'msw/node';
import { firstValueFrom, lastValueFrom, type Observable, share } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TrainParams } from '../../src/codecs/params/train.js';
import { hasTag } from '../../src/errors.js';
import { TrainingFailed } from '../../src/streams/failures.js';
import type { FitEvent, FitOptions } from '../../src/streams/fit.js';
import * as training from '../../src/streams/fit.js';
import { trained } from '../../src/streams/trained.js';
import { FAST, FakePlatform, pipelineSession, steps } from './pipelinePlatform.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function platform(): FakePlatform {
  const fake = new FakePlatform();
  server.resetHandlers(...fake.handlers());
  return fake;
}

function params(jobName = 'iris', extra: Partial<TrainParams> = {}): TrainParams {
  return {
    jobName,
    frameworkType: 'PRESET_ALGORITHM',
    algorithm: 500001,
    inputs: 's3://test-bucket/iris.csv',
    outputPath: 's3://test-bucket/out/',
    trainInstanceType: 1,
    trainInstanceCount: 1,
    volumeSize: 1,
    monitors: [{ name: 'loss', regular: 'loss=([0-9.]+)' }],
    ...extra,
  };
}

/** Every event, and the error if the feed failed. */
function run(feed: Observable<FitEvent>): Promise<{ events: FitEvent[]; error?: unknown }> {
  const events: FitEvent[] = [];
  return new Promise((resolve) => {
    feed.subscribe({
      next: (event) => events.push(event),
      error: (error: unknown) => resolve({ events, error }),
      complete: () => resolve({ events }),
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}

const ofType = <T extends FitEvent['type']>(events: FitEvent[], type: T) =>
  events.filter((e): e is Extract<FitEvent, { type: T }> => e.type === type);

describe('fit', () => {
  it('rejects invalid parameters with a ValidationError before any request', async () => {
    const fake = platform();
    const bad = { ...params(), trainInstanceCount: 11, outputPath: 'out/' };
    const { events, error } = await run(training.fit(pipelineSession(), bad, FAST));
    expect(events).toEqual([]);
    expect(hasTag(error, 'ValidationError')).toBe(true);
    expect(String(error)).toMatch(/trainInstanceCount/);
    expect(String(error)).toMatch(/outputPath/);
    expect(fake.seen).toEqual([]);
  });

  it('creates the job and follows it: created first, every status, line and metric, completed last', async () => {
    const fake = platform();
    fake.plan = () =>
      steps(
        { status: 'TRAINING', lines: ['epoch 1 loss=0.9', 'epoch 2 loss=0.5'] },
        { status: 'TRAINING', lines: ['epoch 3 loss=0.3'] },
        { status: 'FINISH', lines: ['saved model.json'] },
      );
    const { events, error } = await run(training.fit(pipelineSession(), params(), FAST));
    expect(error).toBeUndefined();

    const created = events[0];
    expect(created).toMatchObject({ type: 'created', attached: false });
    const { jobId, versionId } = created as Extract<FitEvent, { type: 'created' }>;
    expect(fake.trainBodies()).toEqual([
      {
        name: 'iris',
        type: 'PRESET_ALGORITHM',
        algorithmId: 500001,
        dataUrl: 's3://test-bucket/iris.csv',
        output: 's3://test-bucket/out/',
        resourceId: 1,
        instance: 1,
        volumeSize: 1,
        monitors: [{ name: 'loss', regular: 'loss=([0-9.]+)' }],
      },
    ]);
    expect(ofType(events, 'status').map((e) => e.status)).toEqual(['TRAINING', 'FINISH']);
    expect(ofType(events, 'line').map((e) => e.line.content)).toEqual([
      'epoch 1 loss=0.9',
      'epoch 2 loss=0.5',
      'epoch 3 loss=0.3',
      'saved model.json',
    ]);
    expect(ofType(events, 'metric').map((e) => e.sample.value)).toEqual([0.9, 0.5, 0.3]);
    expect(ofType(events, 'resource')).toEqual([]);
    expect(ofType(events, 'gap')).toEqual([]);

    const completed = events[events.length - 1];
    expect(completed?.type).toBe('completed');
    const job = (completed as Extract<FitEvent, { type: 'completed' }>).job;
    expect(job).toMatchObject({ jobId, versionId, body: { name: 'iris' }, detail: { status: 'FINISH' } });
    expect(ofType(events, 'completed')).toHaveLength(1);
  });

  it('creates a new version when the job name exists (errorCode 102009)', async () => {
    const fake = platform();
    const first = await firstValueFrom(training.fit(pipelineSession(), params(), { ...FAST, wait: false }));
    const second = await firstValueFrom(training.fit(pipelineSession(), params(), { ...FAST, wait: false }));
    expect(first).toMatchObject({ type: 'created' });
    expect(second).toMatchObject({ type: 'created', jobId: (first as { jobId: number }).jobId });
    expect((second as { versionId: number }).versionId).not.toBe((first as { versionId: number }).versionId);
    expect(fake.count('POST', /^\/v1\/train\/\d+\/version$/)).toBe(1);
  });

  it('errors with TrainingFailed after the log is drained: status, reason, exit code, the last lines', async () => {
    const fake = platform();
    const noise = Array.from({ length: 30 }, (_, i) => `step ${i}`);
    fake.plan = () =>
      steps(
        { status: 'TRAINING', lines: noise },
        {
          status: 'TRAINING_FAIL',
          lines: ['Traceback (most recent call last):', 'ValueError: bad label'],
          reason: 'the process exited with code 1',
          exitCode: 1,
        },
      );
    const { events, error } = await run(
      training.fit(pipelineSession(), params(), { ...FAST, failureLogLines: 5 }),
    );
    expect(error).toBeInstanceOf(TrainingFailed);
    const failure = error as TrainingFailed;
    expect(failure._tag).toBe('TrainingFailed');
    expect(failure).toMatchObject({
      status: 'TRAINING_FAIL',
      reason: 'the process exited with code 1',
      exitCode: 1,
    });
    expect(failure.versionId).toBe((events[0] as { versionId: number }).versionId);
    expect(failure.lastLines.map((l) => l.content)).toEqual([
      'step 27',
      'step 28',
      'step 29',
      'Traceback (most recent call last):',
      'ValueError: bad label',
    ]);
    expect(failure.message).toMatch(/TRAINING_FAIL.*ValueError: bad label/);
    // every line was delivered before the error
    expect(ofType(events, 'line')).toHaveLength(32);
    expect(ofType(events, 'completed')).toEqual([]);
  });

  it('a STOPPED job is a TrainingFailed too', async () => {
    const fake = platform();
    fake.plan = () => steps({ status: 'STOPPED', reason: 'stopped by the user' });
    const { error } = await run(training.fit(pipelineSession(), params(), { ...FAST, logs: false }));
    expect(error).toMatchObject({ _tag: 'TrainingFailed', status: 'STOPPED', lastLines: [] });
  });

  it('wait: false emits created and completes; trained() on it errors naming wait', async () => {
    const fake = platform();
    const { events } = await run(training.fit(pipelineSession(), params(), { ...FAST, wait: false }));
    expect(events.map((e) => e.type)).toEqual(['created']);
    expect(fake.count('GET', /^\/v1\/train\/version\//)).toBe(0);
    const failed = await lastValueFrom(
      training.fit(pipelineSession(), params(), { ...FAST, wait: false }).pipe(trained()),
    ).catch((e: unknown) => e);
    expect(failed).toMatchObject({ _tag: 'ValidationError', problems: [{ field: 'wait' }] });
  });

  it('logs: false sends no log request and emits no line', async () => {
    const fake = platform();
    const { events, error } = await run(training.fit(pipelineSession(), params(), { ...FAST, logs: false }));
    expect(error).toBeUndefined();
    expect(ofType(events, 'line')).toEqual([]);
    expect(fake.count('GET', /\/log$/)).toBe(0);
    expect(events[events.length - 1]?.type).toBe('completed');
  });

  it('resources: true adds resource samples; a performance monitor the server lacks is left out with a warning', async () => {
    const fake = platform();
    fake.performanceMonitor = false;
    const warnings: string[] = [];
    const session = pipelineSession({
      logger: { debug: () => {}, info: () => {}, warn: (m: string) => warnings.push(m), error: () => {} },
    });
    const { events, error } = await run(training.fit(session, params(), { ...FAST, resources: true }));
    expect(error).toBeUndefined();
    expect(ofType(events, 'metric')).toEqual([]);
    expect(ofType(events, 'resource').length).toBeGreaterThan(0);
    expect(ofType(events, 'resource')[0]?.sample).toMatchObject({ instance: 0, cpu: 0.5, memory: 1024 });
    expect(warnings.some((w) => /performance monitor.*not available/.test(w))).toBe(true);
    expect(events[events.length - 1]?.type).toBe('completed');
  });

  it("metrics: 'logs' reads the values from the lines with the job's monitors (no performance monitor request)", async () => {
    const fake = platform();
    fake.plan = () =>
      steps({ status: 'TRAINING', lines: ['loss=0.7', 'hello', 'loss=0.2'] }, { status: 'FINISH' });
    const { events } = await run(
      training.fit(pipelineSession(), params(), { ...FAST, logs: false, metrics: 'logs' }),
    );
    expect(ofType(events, 'metric').map((e) => [e.sample.name, e.sample.value, e.sample.lineId])).toEqual([
      ['loss', 0.7, 0],
      ['loss', 0.2, 2],
    ]);
    expect(ofType(events, 'line')).toEqual([]);
    expect(fake.count('GET', /performance-monitor$/)).toBe(0);
  });

  it('a job without monitors polls no performance monitor', async () => {
    const fake = platform();
    const { error } = await run(training.fit(pipelineSession(), params('plain', { monitors: [] }), FAST));
    expect(error).toBeUndefined();
    expect(fake.count('GET', /performance-monitor$/)).toBe(0);
  });

  it('one job per subscription; share() lets a log watcher and trained() use the same job', async () => {
    const fake = platform();
    const run$ = training.fit(pipelineSession(), params(), FAST).pipe(share());
    const printed: string[] = [];
    run$.subscribe((e) => {
      if (e.type === 'line') printed.push(e.line.content);
    });
    const job = await lastValueFrom(run$.pipe(trained()));
    expect(printed).toEqual(['epoch 1 loss=0.5']);
    expect(job.detail.status).toBe('FINISH');
    expect(fake.trainBodies()).toHaveLength(1);
  });

  it('attach follows an existing version without creating one', async () => {
    const fake = platform();
    const created = (await firstValueFrom(
      training.fit(pipelineSession(), params(), { ...FAST, wait: false }),
    )) as {
      jobId: number;
      versionId: number;
    };
    const { events, error } = await run(
      training.fit(pipelineSession(), params(), { ...FAST, attach: created.versionId }),
    );
    expect(error).toBeUndefined();
    expect(events[0]).toEqual({
      type: 'created',
      jobId: created.jobId,
      versionId: created.versionId,
      attached: true,
    });
    expect(fake.count('POST', /^\/v1\/train/)).toBe(1);
    expect(ofType(events, 'line').map((e) => e.line.content)).toEqual(['epoch 1 loss=0.5']);
    expect(events[events.length - 1]).toMatchObject({
      type: 'completed',
      job: { versionId: created.versionId },
    });
  });

  it('attach refuses a version of another job', async () => {
    platform();
    const other = (await firstValueFrom(
      training.fit(pipelineSession(), params('other'), { ...FAST, wait: false }),
    )) as {
      versionId: number;
    };
    const { error } = await run(
      training.fit(pipelineSession(), params('iris'), { ...FAST, attach: other.versionId }),
    );
    expect(error).toMatchObject({ _tag: 'ValidationError', problems: [{ field: 'attach' }] });
  });
});

describe('fit: leaving the watch', () => {
  const forever = () => (n: number) => ({ status: 'TRAINING', lines: [`line ${n}`] });

  async function leaveMidway(options: FitOptions): Promise<{ fake: FakePlatform; after: string[] }> {
    const fake = platform();
    fake.plan = forever;
    const events: FitEvent[] = [];
    const subscription = training.fit(pipelineSession(), params(), { ...FAST, ...options }).subscribe({
      next: (e) => events.push(e),
    });
    await until(() => ofType(events, 'line').length >= 3);
    subscription.unsubscribe();
    const mark = fake.seen.length;
    await sleep(150);
    return { fake, after: fake.seen.slice(mark).map((s) => `${s.method} ${s.path}`) };
  }

  it('unsubscribing mid-fit stops every request and leaves the job running', async () => {
    const { fake, after } = await leaveMidway({ resources: true });
    expect(after).toEqual([]);
    expect(fake.count('POST', /\/stop$/)).toBe(0);
    expect([...fake.versions.values()][0]?.status).toBe('TRAINING');
  });

  it('with stopOnUnsubscribe, unsubscribing sends stop for the version, and nothing else', async () => {
    const { fake, after } = await leaveMidway({ stopOnUnsubscribe: true });
    const versionId = [...fake.versions.keys()][0];
    expect(after).toEqual([`POST /v1/train/${versionId}/stop`]);
    expect(fake.versions.get(versionId!)?.status).toBe('STOPPED');
  });

  it('with stopOnUnsubscribe, a job that finished is not stopped', async () => {
    const fake = platform();
    const job = await lastValueFrom(
      training.fit(pipelineSession(), params(), { ...FAST, stopOnUnsubscribe: true }).pipe(trained()),
    );
    await sleep(50);
    expect(job.detail.status).toBe('FINISH');
    expect(fake.count('POST', /\/stop$/)).toBe(0);
  });
});
