/**
 * The README's "Feeds" examples, run as written: every ```` ```ts feeds ```` block is
 * written to a module under `.tmp/` (after a line giving it `session` and `versionId`)
 * and imported; the ```` ```sh feeds ```` block's `modelmaker` command is run as a real
 * process (its port swapped for 0: any free one). One local platform for the file, with
 * a finished job and a running one, both printing `step=i loss=1/i` (monitor `loss`).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type LocalPlatform, startLocalPlatform } from '@modelmaker/local';
import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { filter, firstValueFrom, lastValueFrom, map, type Subscription, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  deleteTrain,
  type FitCreatedEvent,
  fit,
  getTrainVersion,
  lines,
  logs$,
  Session,
  sourceFromSession,
  stopTrain,
  type TrainParams,
  uploadData,
  ValidationError,
  writeConfigFile,
} from '../../src/index.js';

const ROOT = join(import.meta.dirname, '../..');
const CLI_MAIN = join(ROOT, 'packages/cli/src/main.ts');
/** The local platform catalog's node training framework and a training machine. */
const NODE_TRAIN_FRAMEWORK = 500101;
const TRAIN_MACHINE = 500050;
/** Loss values the jobs print: 1/i to four places. */
const loss = (step: number) => Number((1 / step).toFixed(4));

interface Block {
  readonly lang: 'ts' | 'sh';
  readonly code: string;
}

let blocks: Block[];
let dir: string;
let platform: LocalPlatform;
let session: Session;
let finished: { jobId: number; versionId: number };
let running: { jobId: number; versionId: number };

async function startJob(name: string, hyperparameters: Record<string, number>) {
  const code = join(dir, `code-${name}`);
  await mkdir(code, { recursive: true });
  await copyFile(join(ROOT, 'test/fixtures/train-steps.mjs'), join(code, 'train.mjs'));
  const params: TrainParams = {
    jobName: name,
    frameworkType: 'BASIC_FRAMEWORK',
    framework: NODE_TRAIN_FRAMEWORK,
    codeDir: code,
    bootFile: 'train.mjs',
    inputs: `s3://${platform.s3.bucket}/readme-feeds/data/`,
    outputPath: `s3://${platform.s3.bucket}/readme-feeds/${name}/`,
    trainInstanceType: TRAIN_MACHINE,
    trainInstanceCount: 1,
    volumeSize: 1,
    hyperparameters: Object.entries(hyperparameters).map(([key, value]) => ({
      name: key,
      value: String(value),
    })),
    monitors: [{ name: 'loss', regular: 'loss=([0-9.]+)' }],
  };
  const created = await firstValueFrom(
    fit(session, params, { wait: false }).pipe(filter((e): e is FitCreatedEvent => e.type === 'created')),
  );
  return { jobId: created.jobId, versionId: created.versionId };
}

/** The contents of a version's log lines, read through the SDK. */
async function logOf(versionId: number): Promise<string[]> {
  return lastValueFrom(
    logs$(sourceFromSession(session), versionId).pipe(
      lines(),
      map((line) => line.content),
      toArray(),
    ),
  );
}

async function statusOf(versionId: number): Promise<string> {
  return (await lastValueFrom(getTrainVersion(session, versionId))).status;
}

/** Calls `probe` every 50 ms until it returns a value, or fails after `timeoutMs`. */
async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Writes README block `index` as a module that sees `session` and `versionId`, and imports it. */
async function runBlock(index: number, versionId: number): Promise<Record<string, unknown>> {
  (globalThis as { readmeFeeds?: unknown }).readmeFeeds = { session, versionId };
  const file = join(ROOT, '.tmp', 'readme-feeds', `block-${index}-${Date.now()}.ts`);
  const prelude =
    'const { session, versionId } = (globalThis as unknown as { readmeFeeds: { session: import("modelmaker").Session; versionId: number } }).readmeFeeds;\n';
  await writeFile(file, prelude + blocks.filter((b) => b.lang === 'ts')[index]!.code);
  return import(pathToFileURL(file).href);
}

beforeAll(async () => {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  blocks = [...readme.matchAll(/^```(ts|sh) feeds\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1] as 'ts' | 'sh',
    code: m[2]!,
  }));
  await mkdir(join(ROOT, '.tmp', 'readme-feeds'), { recursive: true });
  dir = await mkdtemp(join(tmpdir(), 'modelmaker-readme-feeds-'));
  platform = await startLocalPlatform({ dataDir: join(dir, 'data'), port: 0, onError: () => {} });
  session = new Session({
    configPath: false,
    baseUrl: platform.baseUrl,
    username: platform.username,
    password: platform.password,
    bucket: platform.s3.bucket,
    level: 'error',
  });
  await writeFile(join(dir, 'tiny.csv'), 'x,y\n1,2\n');
  await lastValueFrom(
    uploadData(session, join(dir, 'tiny.csv'), `s3://${platform.s3.bucket}/readme-feeds/data/`),
  );
  [finished, running] = await Promise.all([
    startJob('readme-finished', { STEPS: 5 }),
    startJob('readme-running', { STEPS: 3, SLEEP: 120_000 }),
  ]);
  await waitFor(async () => ((await statusOf(finished.versionId)) === 'FINISH' ? true : undefined));
}, 60_000);

afterAll(async () => {
  for (const job of [running, finished]) {
    if (job === undefined) continue;
    await lastValueFrom(stopTrain(session, job.versionId)).catch(() => {});
    await lastValueFrom(deleteTrain(session, job.jobId)).catch(() => {});
  }
  await platform?.close();
  await rm(dir, { recursive: true, force: true });
  await rm(join(ROOT, '.tmp', 'readme-feeds'), { recursive: true, force: true });
});

describe('README: Feeds', () => {
  it('has one example per bridge: for await, web stream + NDJSON, SSE, OpenTelemetry, Prometheus', () => {
    expect(blocks.map((b) => b.lang)).toEqual(['ts', 'ts', 'ts', 'ts', 'sh']);
    expect(blocks[0]!.code).toContain('toAsyncIterable');
    expect(blocks[1]!.code).toContain('toReadableStream');
    expect(blocks[2]!.code).toContain('toServerSentEvents');
    expect(blocks[3]!.code).toContain('recordTrainingMetrics');
    expect(blocks[4]!.code).toMatch(/^modelmaker feed prometheus/);
  });

  it('for await prints every line of the finished job', async () => {
    const printed: unknown[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(line));
    try {
      await runBlock(0, finished.versionId);
    } finally {
      log.mockRestore();
    }
    // the whole log (the platform's own lines around the job's), in order, once
    expect(printed).toEqual(await logOf(finished.versionId));
    expect(printed.filter((line) => String(line).startsWith('step='))).toEqual(
      [1, 2, 3, 4, 5].map((i) => `step=${i} loss=${(1 / i).toFixed(4)}`),
    );
  });

  it('the NDJSON handler streams the metric values the job printed', async () => {
    const { metricsHandler } = (await runBlock(1, finished.versionId)) as {
      metricsHandler: (request: Request) => Response;
    };
    const response = metricsHandler(new Request('http://feeds.test/metrics.ndjson'));
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const samples = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { name: string; value: number });
    expect(samples.map((s) => [s.name, s.value])).toEqual([1, 2, 3, 4, 5].map((i) => ['loss', loss(i)]));
  });

  it('the SSE handler sends every line with its id, resumes after Last-Event-ID, refuses a foreign id', async () => {
    const { eventsHandler } = (await runBlock(2, finished.versionId)) as {
      eventsHandler: (request: Request) => Response;
    };
    const read = async (headers: Record<string, string>) => {
      const events: EventSourceMessage[] = [];
      const parser = createParser({ onEvent: (event) => events.push(event) });
      const response = eventsHandler(new Request('http://feeds.test/events', { headers }));
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      parser.feed(await response.text());
      return events;
    };
    const count = (await logOf(finished.versionId)).length;
    const all = await read({});
    expect(all.map((e) => [e.id, e.event])).toEqual([
      ...Array.from({ length: count }, (_, id) => [String(id), 'line']),
      [undefined, 'end'],
    ]);
    const resumed = await read({ 'last-event-id': '2' });
    expect(resumed.map((e) => e.id)).toEqual([...all.slice(3).map((e) => e.id)]);
    expect(resumed.map((e) => e.data)).toEqual(all.slice(3).map((e) => e.data));
    expect(() =>
      eventsHandler(new Request('http://feeds.test/events', { headers: { 'last-event-id': 'x' } })),
    ).toThrow(ValidationError);
  });

  it("the OpenTelemetry recording reports the running job's loss with its attributes", async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.DELTA);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ readers: [reader] });
    metrics.setGlobalMeterProvider(provider);
    let recording: Subscription | undefined;
    try {
      ({ recording } = (await runBlock(3, running.versionId)) as { recording: Subscription });
      const point = await waitFor(async () => {
        exporter.reset();
        await reader.forceFlush();
        const found = exporter
          .getMetrics()
          .flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics))
          .find((m) => m.descriptor.name === 'modelmaker.training.metric.loss');
        const last = found?.dataPoints[0];
        return last?.value === loss(3) ? last : undefined;
      });
      expect(point.attributes).toEqual({
        'modelmaker.job.id': running.jobId,
        'modelmaker.job.name': 'readme-running',
        'modelmaker.version.id': running.versionId,
        'modelmaker.metric': 'loss',
      });
    } finally {
      recording?.unsubscribe();
      metrics.disable();
      await provider.shutdown();
    }
  });

  it("the Prometheus command serves the running job's loss for a scrape", async () => {
    const [command, ...args] = blocks[4]!.code.split('#')[0]!.trim().split(/\s+/);
    expect(command).toBe('modelmaker');
    const portAt = args.indexOf('--port');
    if (portAt !== -1) args[portAt + 1] = '0';
    const configPath = join(dir, 'config.json');
    await writeConfigFile(configPath, platform.configProfile());
    const child = spawn(
      process.execPath,
      ['--conditions=modelmaker-source', '--import', 'tsx', CLI_MAIN, ...args],
      {
        cwd: ROOT,
        env: { ...process.env, HOME: dir, MODELMAKER_CONFIG: configPath, MODELMAKER_PASSWORD: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = once(child, 'exit');
    try {
      const url = await waitFor(() => /at (http:\/\/\S+\/metrics)/.exec(stderr)?.[1]);
      const sample = await waitFor(async () => {
        const families = parsePrometheusTextFormat(await (await fetch(url)).text());
        return families
          .find((f) => f.name === 'modelmaker_training_metric_loss')
          ?.metrics.find(
            (m) => m.labels?.version_id === String(running.versionId) && m.value === String(loss(3)),
          );
      });
      expect(sample.labels).toMatchObject({ job_name: 'readme-running', metric: 'loss' });
      child.kill('SIGINT');
      expect((await exited)[0]).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);
});
