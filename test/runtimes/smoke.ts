/**
 * Runtime smoke run of the SDK core, the same file under Node (tsx), Deno and Bun:
 * session → catalog → upload (storage) → fit with live logs → create model → deploy →
 * predict → clean up, against a platform that is already running (e.g. the local one).
 *
 * Environment:
 * - `SMOKE_BASE_URL`, `SMOKE_USERNAME`, `SMOKE_PASSWORD`, `SMOKE_BUCKET` (required): the platform;
 * - `SMOKE_SDK` (optional): the SDK module to import, a path or URL; default `../../dist/index.js`
 *   (what `npm run build` writes).
 *
 * Progress goes to stderr; the last line on stdout is one JSON summary. Exit 0 only when
 * the run and its clean-up both succeeded.
 *
 *   deno run -A test/runtimes/smoke.ts
 *   bun run test/runtimes/smoke.ts
 *   npx tsx test/runtimes/smoke.ts
 */
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { firstValueFrom, lastValueFrom, share, switchMap, tap } from 'rxjs';
// Types only: erased before any runtime sees them, so the SDK really loads from `SMOKE_SDK`.
import type * as Sdk from '../../src/index.js';

/** What the smoke run saw, printed as the last stdout line. */
export interface SmokeSummary {
  readonly runtime: string;
  readonly ok: boolean;
  /** Catalog sizes: training/serving machines, training frameworks. */
  readonly catalog: {
    readonly trainMachines: number;
    readonly predictMachines: number;
    readonly frameworks: number;
  };
  /** Files the two uploads sent. */
  readonly uploaded: number;
  /** Log lines delivered by `fit` while the job ran. */
  readonly lines: number;
  /** Metric values read from the log (`accuracy`). */
  readonly metrics: number;
  /** Every status `fit` reported, in order; the last is the final one. */
  readonly statuses: readonly string[];
  readonly finalStatus: string | undefined;
  readonly predictions: readonly unknown[] | undefined;
  /** What was deleted at the end. */
  readonly cleaned: readonly string[];
  readonly error?: string | undefined;
  readonly elapsedMs: number;
}

const INSTANCES = [
  [5.1, 3.5, 1.4, 0.2],
  [6.0, 2.9, 4.5, 1.5],
  [6.7, 3.0, 5.2, 2.3],
];

function runtime(): string {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  if (g.Bun) return `bun ${g.Bun.version}`;
  return `node ${process.versions.node}`;
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is required`);
  return value;
}

const started = Date.now();
const say = (text: string) =>
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${text}\n`);
const examples = (path: string) => fileURLToPath(new URL(`../../examples/${path}`, import.meta.url));

async function loadSdk(): Promise<typeof Sdk> {
  const spec = process.env.SMOKE_SDK;
  if (spec === undefined || spec === '') return import(new URL('../../dist/index.js', import.meta.url).href);
  return import(
    /^[a-z][a-z0-9+.-]*:/i.test(spec) && !/^[a-z]:\\/i.test(spec) ? spec : pathToFileURL(spec).href
  );
}

async function main(): Promise<SmokeSummary> {
  const sdk = await loadSdk();
  const session = new sdk.Session({
    configPath: false,
    baseUrl: required('SMOKE_BASE_URL'),
    username: required('SMOKE_USERNAME'),
    password: required('SMOKE_PASSWORD'),
    bucket: required('SMOKE_BUCKET'),
    level: 'warn',
  });
  const seen = {
    catalog: { trainMachines: 0, predictMachines: 0, frameworks: 0 },
    uploaded: 0,
    lines: 0,
    metrics: 0,
    statuses: [] as string[],
    predictions: undefined as readonly unknown[] | undefined,
    cleaned: [] as string[],
  };
  const summary = (ok: boolean, error?: unknown): SmokeSummary => ({
    runtime: runtime(),
    ok,
    ...seen,
    finalStatus: seen.statuses.at(-1),
    ...(error === undefined
      ? {}
      : { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }),
    elapsedMs: Date.now() - started,
  });

  const bucket = await session.bucket();
  const prefix = `s3://${bucket}/smoke-${runtime().split(' ')[0]}-${Date.now()}/`;
  let estimator: Sdk.Estimator | undefined;
  let failure: unknown;
  try {
    say(`${runtime()}: catalog`);
    const [trainMachines, predictMachines, frameworks] = await Promise.all([
      firstValueFrom(sdk.listResources(session, 'TRAIN')),
      firstValueFrom(sdk.listResources(session, 'PREDICT')),
      firstValueFrom(sdk.listFrameworks(session, 'TRAIN')),
    ]);
    seen.catalog = {
      trainMachines: trainMachines.resources.length,
      predictMachines: predictMachines.resources.length,
      frameworks: frameworks.frameWorks.length,
    };
    const node = frameworks.frameWorks.find((framework) => framework.name === 'node');
    if (node === undefined) throw new Error('no training framework named node in the catalog');

    say(`uploading code and data below ${prefix}`);
    for (const [local, uri] of [
      [examples('quickstart/code'), `${prefix}code/`],
      [examples('data/iris.csv'), `${prefix}data/iris.csv`],
    ] as const) {
      await lastValueFrom(
        sdk.uploadData(session, local, uri).pipe(
          tap((event) => {
            if (event.type === 'file') seen.uploaded += 1;
          }),
        ),
      );
    }

    estimator = new sdk.Estimator(session, {
      frameworkType: 'BASIC_FRAMEWORK',
      framework: node.id,
      codeDir: `${prefix}code/`,
      bootFile: 'train.mjs',
      outputPath: `${prefix}output/`,
      hyperparameters: [{ name: 'EPOCHS', value: 5 }],
      monitors: [{ name: 'accuracy', regular: 'accuracy=([0-9.]+)' }],
      trainInstanceType: trainMachines.resources[0]!.id,
      trainInstanceCount: 1,
      volumeSize: 1,
    });
    const trainer = estimator;
    const job$ = trainer
      .fit({ inputs: `${prefix}data/iris.csv`, jobName: `smoke-${Date.now()}`, metrics: 'logs' })
      .pipe(
        tap((event) => {
          if (event.type === 'created') say(`job ${event.jobId}, version ${event.versionId}`);
          if (event.type === 'status') seen.statuses.push(event.status);
          if (event.type === 'status') say(`status ${event.status}`);
          if (event.type === 'line') {
            seen.lines += 1;
            process.stderr.write(`  | ${event.line.content}\n`);
          }
          if (event.type === 'metric') seen.metrics += 1;
        }),
        share(),
      );
    const predictor = await lastValueFrom(
      job$.pipe(
        sdk.trained(),
        switchMap(() =>
          trainer.createModel({
            modelVersion: '1.0.0',
            modelBootFile: 'predict.mjs',
            modelCodeDir: `${prefix}code/`,
          }),
        ),
        tap((model) => say(`model ${model.modelId}, version ${model.versionId}`)),
        switchMap(() =>
          trainer.deployPredictor({
            serviceName: `smoke-${Date.now()}`,
            serviceModels: [{ weight: 100, resourceId: predictMachines.resources[0]!.id, instanceCount: 1 }],
          }),
        ),
        sdk.deployed(),
      ),
    );
    say(`service ${predictor.serviceId} deployed; predicting`);
    const answer = (await firstValueFrom(predictor.predict({ instances: INSTANCES }))) as {
      predictions?: unknown[];
    };
    seen.predictions = answer.predictions;
    say(`predictions ${JSON.stringify(answer.predictions)}`);
  } catch (error) {
    failure = error;
  }

  // Clean up whatever was created, even after a failure; a failed clean-up fails the run.
  const steps: Array<[string, () => Promise<unknown>]> = [];
  const made = estimator;
  if (made?.serviceId !== undefined)
    steps.push([
      `service ${made.serviceId}`,
      () => lastValueFrom(sdk.deleteService(session, made.serviceId!)),
    ]);
  if (made?.model !== undefined)
    steps.push([
      `model ${made.model.modelId}`,
      () => lastValueFrom(sdk.deleteModel(session, made.model!.modelId)),
    ]);
  if (made?.jobId !== undefined)
    steps.push([`job ${made.jobId}`, () => lastValueFrom(sdk.deleteTrain(session, made.jobId!))]);
  steps.push([prefix, () => lastValueFrom(sdk.deleteDirectory(session, prefix))]);
  for (const [what, step] of steps) {
    try {
      await step();
      seen.cleaned.push(what);
      say(`deleted ${what}`);
    } catch (error) {
      failure ??= error;
      say(`could not delete ${what}: ${String(error)}`);
    }
  }
  return failure === undefined ? summary(true) : summary(false, failure);
}

const result = await main().catch(
  (error: unknown): SmokeSummary => ({
    runtime: runtime(),
    ok: false,
    catalog: { trainMachines: 0, predictMachines: 0, frameworks: 0 },
    uploaded: 0,
    lines: 0,
    metrics: 0,
    statuses: [],
    finalStatus: undefined,
    predictions: undefined,
    cleaned: [],
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    elapsedMs: Date.now() - started,
  }),
);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exitCode = result.ok ? 0 : 1;
