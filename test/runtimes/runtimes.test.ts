/**
 * The SDK core under Node, Deno and Bun: the smoke script (session → catalog → upload →
 * fit with logs → model → deploy → predict → clean up) runs as a child process of each
 * runtime against one local platform started here by Node, importing a fresh build of
 * `src/` (`tsc -p tsconfig.build.json`, without type checking, into a private directory
 * below `.tmp/`, so the shared `dist/` is left alone). Only loopback traffic.
 *
 * Then the feed bridges under each runtime: `feedsSmoke.ts` reads the log of one finished
 * version with `for await` over `logs$`, breaks out of a second loop after 10 lines, and
 * reads SSE frames from a `ReadableStream`.
 *
 * A missing runtime fails its test (the `deno` and `bun` devDependencies install them:
 * run `npm install`): CI must not pass by skipping.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type LocalPlatform, startLocalPlatform } from '@modelmaker/local';
import { count, filter, firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deleteTrain,
  type FitCompletedEvent,
  fit,
  listModels,
  listObjects,
  listServices,
  listTrain,
  logs$,
  Session,
  sourceFromSession,
  uploadData,
} from '../../src/index.js';
import type { FeedsSmokeSummary } from './feedsSmoke.js';
import type { SmokeSummary } from './smoke.js';

const run = promisify(execFile);

const ROOT = join(import.meta.dirname, '../..');
const SMOKE = join(import.meta.dirname, 'smoke.ts');
const FEEDS_SMOKE = join(import.meta.dirname, 'feedsSmoke.ts');
/** Lines the feeds job prints (beside its two epoch lines and a stderr line). */
const FEEDS_JOB_LINES = 3000;
/** The local platform catalog's node training framework and a training machine. */
const NODE_TRAIN_FRAMEWORK = 500101;
const TRAIN_MACHINE = 500050;
const BIN = join(ROOT, 'node_modules/.bin');
/** A smoke run takes ~5 s; this bounds a hung one. */
const SMOKE_TIMEOUT_MS = 90_000;
/** The build without type checking takes ~15 s, more on a loaded machine. */
const BUILD_TIMEOUT_MS = 120_000;

interface Runtime {
  readonly name: string;
  /** The executable and its arguments before the script. */
  readonly command: () => readonly [string, readonly string[]];
}

/**
 * Deno: only what the run needs — loopback network, env (the script's settings), read
 * (node_modules and the examples), sys `osRelease` (the AWS SDK's user agent) — and the
 * repo's own node_modules (`manual`: never installs, never fetches), no lock file written.
 */
const RUNTIMES: readonly Runtime[] = [
  { name: 'node', command: () => [process.execPath, ['--conditions=modelmaker-source', '--import', 'tsx']] },
  {
    name: 'deno',
    command: () => [
      join(BIN, 'deno'),
      [
        'run',
        '--node-modules-dir=manual',
        '--no-remote',
        '--no-lock',
        '--no-prompt',
        '--allow-net=127.0.0.1',
        '--allow-env',
        '--allow-read',
        '--allow-sys=osRelease',
      ],
    ],
  },
  { name: 'bun', command: () => [join(BIN, 'bun'), ['--no-install', 'run']] },
];

/** Fails with a clear message when the runtime is not installed or does not start. */
async function checkRuntime(runtime: Runtime): Promise<void> {
  if (runtime.name === 'node') return;
  const [file] = runtime.command();
  const hint = `the ${runtime.name} devDependency provides it (its optional platform package): run \`npm install\``;
  if (!existsSync(file)) throw new Error(`${runtime.name} is not installed: ${file} is missing; ${hint}`);
  try {
    await run(file, ['--version'], { timeout: 30_000 });
  } catch (error) {
    throw new Error(`${runtime.name} does not start (${file} --version failed: ${String(error)}); ${hint}`);
  }
}

let platform: LocalPlatform;
let session: Session;
let dataDir: string;
let buildDir: string;

beforeAll(async () => {
  await mkdir(join(ROOT, '.tmp'), { recursive: true });
  // Below the repo, so the build resolves rxjs, ky… from its node_modules like dist/ does.
  buildDir = await mkdtemp(join(ROOT, '.tmp', 'runtimes-build-'));
  dataDir = await mkdtemp(join(tmpdir(), 'modelmaker-runtimes-'));
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const build = run(
    process.execPath,
    [
      tsc,
      '-p',
      'tsconfig.build.json',
      '--outDir',
      buildDir,
      '--noCheck',
      '--composite',
      'false',
      '--incremental',
      'false',
      '--declaration',
      'false',
    ],
    { cwd: ROOT, timeout: BUILD_TIMEOUT_MS },
  );
  platform = await startLocalPlatform({ dataDir, port: 0 });
  session = new Session({
    configPath: false,
    baseUrl: platform.baseUrl,
    username: platform.username,
    password: platform.password,
    bucket: platform.s3.bucket,
    level: 'warn',
  });
  await build;
}, BUILD_TIMEOUT_MS + 30_000);

afterAll(async () => {
  await platform?.close();
  await Promise.all([
    dataDir && rm(dataDir, { recursive: true, force: true }),
    buildDir && rm(buildDir, { recursive: true, force: true }),
  ]);
});

/** Runs a smoke script under `runtime`; its exit code, stderr and last stdout line parsed. */
async function smoke<S = SmokeSummary>(
  runtime: Runtime,
  script = SMOKE,
  extraEnv: Record<string, string> = {},
): Promise<{ code: number; summary: S | undefined; log: string; stderr: string }> {
  const [file, args] = runtime.command();
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    NO_COLOR: '1',
    DENO_NO_UPDATE_CHECK: '1',
    SMOKE_BASE_URL: platform.baseUrl,
    SMOKE_USERNAME: platform.username,
    SMOKE_PASSWORD: platform.password,
    SMOKE_BUCKET: platform.s3.bucket,
    SMOKE_SDK: join(buildDir, 'index.js'),
    ...extraEnv,
  };
  const outcome = await run(file, [...args, script], {
    cwd: ROOT,
    env,
    timeout: SMOKE_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number | string; signal?: string; stdout?: string; stderr?: string }) => ({
      code: typeof error.code === 'number' ? error.code : -1,
      stdout: error.stdout ?? '',
      stderr: `${error.stderr ?? ''}\n(${runtime.name} ended: ${error.signal ?? error.code})`,
    }),
  );
  const last = outcome.stdout.trim().split('\n').at(-1) ?? '';
  let summary: S | undefined;
  try {
    summary = JSON.parse(last) as S;
  } catch {
    summary = undefined;
  }
  const log = `--- ${runtime.name} stdout ---\n${outcome.stdout}\n--- stderr ---\n${outcome.stderr.slice(-4000)}`;
  return { code: outcome.code, summary, log, stderr: outcome.stderr };
}

/** Jobs, models, services and smoke objects left on the platform. */
async function leftovers() {
  const [jobs, models, services, objects] = await Promise.all([
    lastValueFrom(listTrain(session)),
    lastValueFrom(listModels(session)),
    lastValueFrom(listServices(session)),
    lastValueFrom(listObjects(session, `s3://${platform.s3.bucket}/smoke-`).pipe(toArray())),
  ]);
  return {
    jobs: jobs.trainTasks.map((job) => job.id),
    models: models.models.map((model) => model.id),
    services: services.services.map((service) => service.id),
    objects: objects.map((object) => object.key),
  };
}

describe('the SDK core under Node, Deno and Bun against a local platform', () => {
  for (const runtime of RUNTIMES) {
    it(
      `${runtime.name}: session, catalog, upload, fit with logs, deploy, predict, clean up`,
      async () => {
        await checkRuntime(runtime);
        const { code, summary, log, stderr } = await smoke(runtime);
        // the AWS SDK prints nothing of its own (no Node-version notice, no retry chatter), unasked
        expect(stderr, log).not.toMatch(/NodeVersionSupportWarning|non-retryable streaming request/);
        expect(summary, log).toBeDefined();
        expect(summary!.error, log).toBeUndefined();
        expect(summary!.runtime.startsWith(runtime.name), log).toBe(true);
        expect(summary!.catalog.trainMachines, log).toBeGreaterThan(0);
        expect(summary!.catalog.frameworks, log).toBeGreaterThan(0);
        expect(summary!.uploaded, log).toBe(3);
        expect(summary!.lines, log).toBeGreaterThan(0);
        expect(summary!.metrics, log).toBeGreaterThan(0);
        expect(summary!.finalStatus, log).toBe('FINISH');
        expect(summary!.predictions, log).toHaveLength(3);
        expect(
          summary!.predictions!.every((label) => typeof label === 'string'),
          log,
        ).toBe(true);
        expect(summary!.cleaned, log).toHaveLength(4);
        expect(code, log).toBe(0);
        expect(await leftovers()).toEqual({ jobs: [], models: [], services: [], objects: [] });
      },
      SMOKE_TIMEOUT_MS + 30_000,
    );
  }
});

describe('the feed bridges under Node, Deno and Bun', () => {
  let jobId: number | undefined;
  let versionId: number;
  let lines: number;

  beforeAll(async () => {
    // one finished job, printing FEEDS_JOB_LINES numbered lines, read by every runtime
    const code = join(dataDir, 'feeds-code');
    await mkdir(code, { recursive: true });
    await copyFile(join(ROOT, 'test/fixtures/train-node.mjs'), join(code, 'train.mjs'));
    const data = join(dataDir, 'feeds.csv');
    await writeFile(data, 'x,y\n1,2\n');
    const inputs = `s3://${platform.s3.bucket}/feeds-smoke/data/`;
    await lastValueFrom(uploadData(session, data, inputs));
    const completed = await firstValueFrom(
      fit(
        session,
        {
          jobName: 'feeds-smoke',
          frameworkType: 'BASIC_FRAMEWORK',
          framework: NODE_TRAIN_FRAMEWORK,
          codeDir: code,
          bootFile: 'train.mjs',
          inputs,
          outputPath: `s3://${platform.s3.bucket}/feeds-smoke/output/`,
          trainInstanceType: TRAIN_MACHINE,
          trainInstanceCount: 1,
          volumeSize: 1,
          hyperparameters: [{ name: 'LINES', value: String(FEEDS_JOB_LINES) }],
        },
        { logs: false, floorMs: 100 },
      ).pipe(filter((event): event is FitCompletedEvent => event.type === 'completed')),
    );
    jobId = completed.job.jobId;
    versionId = completed.job.versionId;
    lines = await lastValueFrom(logs$(sourceFromSession(session), versionId).pipe(count()));
  }, 60_000);

  afterAll(async () => {
    if (jobId !== undefined) await lastValueFrom(deleteTrain(session, jobId));
  });

  for (const runtime of RUNTIMES) {
    it(
      `${runtime.name}: for await over logs$, break after 10 lines, SSE frames from a ReadableStream`,
      async () => {
        await checkRuntime(runtime);
        expect(lines).toBeGreaterThan(FEEDS_JOB_LINES);
        const { code, summary, log } = await smoke<FeedsSmokeSummary>(runtime, FEEDS_SMOKE, {
          SMOKE_VERSION_ID: String(versionId),
        });
        expect(summary, log).toBeDefined();
        expect(summary!.error, log).toBeUndefined();
        expect(summary!.runtime.startsWith(runtime.name), log).toBe(true);
        expect(summary!.lines, log).toBe(lines);
        expect(summary!.inOrder, log).toBe(true);
        expect(summary!.brokeAfter, log).toBe(10);
        expect(summary!.frames, log).toBe(lines);
        expect(summary!.lastFrameId, log).toBe(String(lines - 1));
        expect(code, log).toBe(0);
      },
      SMOKE_TIMEOUT_MS,
    );
  }
});
