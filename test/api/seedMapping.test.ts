/**
 * The seed-mapping table (docs/seed-mapping.md): one test per row, each named
 * `seed call → TypeScript call`, against ONE embedded local platform — real HTTP,
 * real S3, real training and serving processes. The expensive part (one
 * BASIC_FRAMEWORK training on iris, its model and service, and a model and service
 * made with `Model`) is done once in `beforeAll`; a row that destroys something
 * makes its own cheap victim, so the rows do not depend on each other's order.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  exhaustMap,
  first,
  firstValueFrom,
  lastValueFrom,
  type Observable,
  timeout,
  timer,
  toArray,
} from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedSession, openSession } from '../../packages/local/src/connect.js';
import type { DeployEvent } from '../../src/api/deploy.js';
import { Estimator, type EstimatorParams } from '../../src/api/estimator.js';
import { Model } from '../../src/api/model.js';
import { Predictor } from '../../src/api/predictor.js';
import { writeConfigFile } from '../../src/client/config.js';
import type { Logger } from '../../src/client/logger.js';
import { getModelVersion } from '../../src/client/models.js';
import { getService } from '../../src/client/services.js';
import { Session } from '../../src/client/session.js';
import { uploadData } from '../../src/client/sessionStorage.js';
import type { TrainVersionDetail } from '../../src/codecs/training.js';
import { hasTag } from '../../src/errors.js';
import type { RegisteredModel } from '../../src/streams/createModel.js';
import type { FitEvent } from '../../src/streams/fit.js';

// The lockfile pins AWS SDK versions that support Node 20; hide their notice about later ones.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const examples = (path: string) => fileURLToPath(new URL(`../../examples/${path}`, import.meta.url));
const CODE_DIR = examples('quickstart/code');
const IRIS = examples('data/iris.csv');

/** The local catalog's ids (packages/local/src/catalog.ts): the seed's numbers, distinct across kinds. */
const TRAIN_SMALL = 500050;
const DEV_SMALL = 500060;
const PREDICT_SMALL = 500151;
const NODE_TRAIN = 500101;
const NODE_PREDICT = 500160;
const LINEAR_REGRESSION = 500000;
const LINEAR_REGRESSION_MODEL = 500000;
/** Enough epochs for resource samples (one a second) and metrics; ~2 s of training. */
const EPOCHS = 10;
/** A version that would train for minutes: stopped by the rows that need a live one. */
const LONG_EPOCHS = 3000;
/** Polls fast: the local platform answers in milliseconds. */
const POLL = { floorMs: 50, ceilingMs: 200 } as const;
const SETTLE_MS = 20_000;
const NOT_FOUND = 4004;
const SETUP_MS = 60_000;
const INSTANCES = [
  [5.1, 3.5, 1.4, 0.2],
  [6.0, 2.9, 4.5, 1.5],
  [6.7, 3.0, 5.2, 2.3],
];
const SPECIES = ['setosa', 'versicolor', 'virginica'];

let opened: OpenedSession;
let session: Session;
const stamp = Date.now();
const jobName = `seedmap-${stamp}`;
let bucket: string;
let dataUri: string;
let outputPath: string;
let trainParams: EstimatorParams;
/** The shared training: its estimator, the events of its `fit`, its model and service. */
let estimator: Estimator;
let fitEvents: FitEvent[];
let registered: RegisteredModel;
let deployEvents: DeployEvent[];
let predictor: Predictor;
/** The shared `Model` handle: a model registered and a service deployed through it. */
let model: Model;
let modelRegistered: RegisteredModel;
let modelDeployEvents: DeployEvent[];

beforeAll(async () => {
  opened = await openSession({ useLocal: 'always', level: 40 });
  session = opened.session;
  bucket = await session.bucket();
  dataUri = `s3://${bucket}/${jobName}/data/iris.csv`;
  outputPath = `s3://${bucket}/${jobName}/output/`;
  await lastValueFrom(uploadData(session, IRIS, dataUri));
  trainParams = {
    frameworkType: 'BASIC_FRAMEWORK',
    framework: NODE_TRAIN,
    codeDir: CODE_DIR,
    bootFile: 'train.mjs',
    outputPath,
    hyperparameters: [{ name: 'EPOCHS', value: EPOCHS }],
    monitors: [{ name: 'accuracy', regular: 'accuracy=([0-9.]+)' }],
    trainInstanceType: TRAIN_SMALL,
    trainInstanceCount: 1,
    volumeSize: 1,
  };
  estimator = new Estimator(session, trainParams);
  fitEvents = await lastValueFrom(
    estimator.fit({ inputs: dataUri, jobName, wait: true, logs: true, ...POLL }).pipe(toArray()),
  );
  registered = await firstValueFrom(
    estimator.createModel({ modelVersion: '1.0.0', modelBootFile: 'predict.mjs', modelCodeDir: CODE_DIR }),
  );
  model = new Model(session);
  modelRegistered = await firstValueFrom(
    model.createModel({
      modelName: `basic-model-${stamp}`,
      modelVersion: '1.1.1',
      modelFrameworkType: 'BASIC_FRAMEWORK',
      modelFramework: NODE_PREDICT,
      modelCodeDir: registered.body.codeUrl!,
      modelPath: outputPath,
      modelBootFile: 'predict.mjs',
    }),
  );
  const serviceModels = [{ weight: 100, resourceId: PREDICT_SMALL, instanceCount: 1 }];
  [deployEvents, modelDeployEvents] = await Promise.all([
    lastValueFrom(
      estimator
        .deployPredictor(
          { serviceName: `${jobName}-svc`, serviceType: 'ONLINE_SERVICE', serviceModels },
          POLL,
        )
        .pipe(toArray()),
    ),
    lastValueFrom(
      model
        .deployPredictor(
          { serviceName: `basic-predict-${stamp}`, serviceType: 'ONLINE_SERVICE', serviceModels },
          POLL,
        )
        .pipe(toArray()),
    ),
  ]);
  const running = deployEvents.at(-1);
  if (running?.type !== 'running') throw new Error(`deploy ended with ${JSON.stringify(running)}`);
  predictor = running.predictor;
}, SETUP_MS);

afterAll(async () => {
  await opened?.close();
});

// ── helpers ─────────────────────────────────────────────────────────────────

/** The version's detail once its status is one of `statuses`. */
function versionReaches(versionId: number, statuses: readonly string[]): Promise<TrainVersionDetail> {
  return firstValueFrom(
    timer(0, POLL.floorMs).pipe(
      exhaustMap(() => Estimator.versionInfo(session, versionId)),
      first((detail) => statuses.includes(detail.status)),
      timeout(SETTLE_MS),
    ),
  );
}

/** The error `source` fails with; throws when it succeeds. */
function failureOf(source: Observable<unknown>): Promise<unknown> {
  return firstValueFrom(source).then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

/** Asserts `source` fails with the platform's "not found" (ApiError 4004). */
async function expectNotFound(source: Observable<unknown>): Promise<void> {
  const error = await failureOf(source);
  expect(hasTag(error, 'ApiError'), String(error)).toBe(true);
  expect(error).toMatchObject({ errorCode: NOT_FOUND });
}

/** A version of a new (or existing) job that would train for minutes, created without waiting. */
async function startLong(name: string, on?: Estimator): Promise<Estimator> {
  const long =
    on ??
    new Estimator(session, {
      ...trainParams,
      codeDir: registered.body.codeUrl!, // already uploaded: no upload per version
      hyperparameters: [{ name: 'EPOCHS', value: LONG_EPOCHS }],
    });
  const created = await lastValueFrom(long.fit({ inputs: dataUri, jobName: name, wait: false }));
  expect(created.type).toBe('created');
  return long;
}

/** Stops the estimator's version and waits until it is STOPPED. */
async function stopped(long: Estimator): Promise<TrainVersionDetail> {
  await firstValueFrom(long.stop());
  return versionReaches(long.versionId!, ['STOPPED']);
}

/** Moves the service to `status` (start or stop) unless it is there already. */
async function ensureService(handle: Predictor, status: 'RUNNING' | 'STOPPED'): Promise<void> {
  const detail = await firstValueFrom(handle.info());
  if (detail.status === status) return;
  await firstValueFrom(status === 'RUNNING' ? handle.start() : handle.stop());
  await lastValueFrom(handle.waitUntil(status, POLL));
}

/** A model version registered from the shared training's files (no upload): a cheap victim. */
function registerVictim(handle: Model, name: string, version: string): Promise<RegisteredModel> {
  return firstValueFrom(
    handle.createModel({
      modelName: name,
      modelVersion: version,
      modelFrameworkType: 'BASIC_FRAMEWORK',
      modelFramework: NODE_PREDICT,
      modelCodeDir: registered.body.codeUrl!,
      modelPath: outputPath,
      modelBootFile: 'predict.mjs',
    }),
  );
}

const ids = <T extends { readonly id: number }>(items: readonly T[]) => items.map((item) => item.id);

// ── Session ─────────────────────────────────────────────────────────────────

describe('Session', () => {
  it('Session() with nothing configured → await openSession()', async () => {
    const zeroConfig = await openSession({ configPath: false, level: 40 });
    try {
      expect(zeroConfig.platform?.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await zeroConfig.session.resolved()).baseUrl).toBe(zeroConfig.platform?.baseUrl);
      const { resources } = await firstValueFrom(Estimator.trainMachine(zeroConfig.session));
      expect(ids(resources)).toContain(TRAIN_SMALL);
    } finally {
      await zeroConfig.close();
    }
    await expect(readdir(zeroConfig.platform!.dataDir)).rejects.toThrow();
  });

  it('Session() with ~/.modelmaker/config.json → new Session()', async () => {
    const home = await mkdtemp(join(tmpdir(), 'seedmap-config-'));
    const before = process.env.MODELMAKER_CONFIG;
    try {
      const path = join(home, 'config.json');
      await writeConfigFile(path, opened.platform!.configProfile());
      process.env.MODELMAKER_CONFIG = path;
      const fromFile = new Session({ level: 40 });
      expect((await fromFile.resolved()).configPath).toBe(path);
      const { trainTasks } = await firstValueFrom(Estimator.jobs(fromFile));
      expect(trainTasks.map((job) => job.name)).toContain(jobName);
    } finally {
      if (before === undefined) delete process.env.MODELMAKER_CONFIG;
      else process.env.MODELMAKER_CONFIG = before;
      await rm(home, { recursive: true, force: true });
    }
  });

  it('Session(username=…, password=…, host_base=…, region=…, bucket=…) → new Session({ username, password, hostBase, region, bucket })', async () => {
    const platform = opened.platform!;
    const explicit = new Session({
      username: platform.username,
      password: platform.password,
      hostBase: platform.baseUrl,
      region: 'js01', // not prefixed to an IP address host
      bucket: platform.s3.bucket,
      configPath: false,
      level: 40,
    });
    expect((await explicit.resolved()).baseUrl).toBe(platform.baseUrl);
    expect(await explicit.bucket()).toBe(platform.s3.bucket);
    const { trainTasks } = await firstValueFrom(Estimator.jobs(explicit));
    expect(trainTasks.map((job) => job.name)).toContain(jobName);
  });

  it('Session(username=…, password=…, iam_server="host:port/path") → new Session({ username, password, hostBase })', async () => {
    const platform = opened.platform!;
    const iamServer = platform.baseUrl.replace(/^http:\/\//, ''); // scheme-less, as in the seed
    const legacy = new Session({
      username: platform.username,
      password: platform.password,
      hostBase: iamServer,
      configPath: false,
      level: 40,
    });
    expect((await legacy.resolved()).baseUrl).toBe(platform.baseUrl);
    const { resources } = await firstValueFrom(Estimator.predictMachine(legacy));
    expect(ids(resources)).toContain(PREDICT_SMALL);
    const wrong = new Session({
      username: platform.username,
      password: 'not-it',
      hostBase: iamServer,
      configPath: false,
      level: 40,
    });
    expect(hasTag(await failureOf(Estimator.jobs(wrong)), 'AuthError')).toBe(true);
  });

  it('export MODELMAKER_LEVEL=10 → MODELMAKER_LEVEL=10 (or new Session({ level: 10 }))', async () => {
    const platform = opened.platform!;
    const debug: string[] = [];
    const capture: Logger = { debug: (m) => debug.push(m), info() {}, warn() {}, error() {} };
    const before = process.env.MODELMAKER_LEVEL;
    process.env.MODELMAKER_LEVEL = '10';
    let fromEnv: Session;
    try {
      fromEnv = new Session({
        baseUrl: platform.baseUrl,
        username: platform.username,
        password: platform.password,
        configPath: false,
        logger: capture,
      });
    } finally {
      if (before === undefined) delete process.env.MODELMAKER_LEVEL;
      else process.env.MODELMAKER_LEVEL = before;
    }
    expect(fromEnv.logger.level).toBe(10);
    await firstValueFrom(Estimator.trainMachine(fromEnv));
    expect(debug.some((line) => line.includes('GET') && line.includes('/v1/resource/TRAIN'))).toBe(true);
    expect(debug.join('\n')).not.toContain(platform.password);
    const quiet: string[] = [];
    const errorsOnly = new Session({
      baseUrl: platform.baseUrl,
      username: platform.username,
      password: platform.password,
      configPath: false,
      level: 40,
      logger: { debug: (m) => quiet.push(m), info: (m) => quiet.push(m), warn() {}, error() {} },
    });
    await firstValueFrom(Estimator.trainMachine(errorsOnly));
    expect(quiet).toEqual([]);
  });
});

// ── Estimator: constructor, fit, model, service ─────────────────────────────

describe('Estimator', () => {
  it('Estimator(modelmaker_session=session, framework_type=…, …) → new Estimator(session, { frameworkType, … })', async () => {
    expect(estimator.session).toBe(session);
    const detail = await firstValueFrom(Estimator.versionInfo(session, estimator.versionId!));
    expect(detail).toMatchObject({
      type: 'BASIC_FRAMEWORK',
      frameworkId: NODE_TRAIN,
      startup: 'train.mjs',
      resourceId: TRAIN_SMALL,
      instance: 1,
      volumeSize: 1,
      output: outputPath,
      dataUrl: dataUri,
      parameters: [{ name: 'EPOCHS', value: EPOCHS }],
    });
    expect(detail.codeUrl).toMatch(/^s3:\/\//); // the local codeDir was uploaded first
    // The seed's CUSTOM form, without its required user_image_url: refused before any request.
    const jobsBefore = (await firstValueFrom(Estimator.jobs(session))).trainTasks.length;
    const custom = new Estimator(session, {
      frameworkType: 'CUSTOM',
      userCommand: '/bin/bash',
      userCommandArgs: '/home/test/start.sh',
      outputPath,
      trainInstanceType: TRAIN_SMALL,
      trainInstanceCount: 1,
      volumeSize: 1,
    });
    const error = await failureOf(custom.fit({ inputs: null, jobName: `${jobName}-custom` }));
    expect(hasTag(error, 'ValidationError')).toBe(true);
    expect(error).toMatchObject({ problems: [expect.objectContaining({ field: 'userImageUrl' })] });
    expect((await firstValueFrom(Estimator.jobs(session))).trainTasks.length).toBe(jobsBefore);
  });

  it('custom_estimator.fit(inputs=…, wait=True, logs=True, job_name=…) → estimator.fit({ inputs, jobName, wait: true, logs: true })', () => {
    const kinds = fitEvents.filter((e) => e.type !== 'upload');
    const created = kinds[0];
    expect(created).toMatchObject({
      type: 'created',
      jobId: estimator.jobId,
      versionId: estimator.versionId,
    });
    const statuses = fitEvents.flatMap((e) => (e.type === 'status' ? [e.status] : []));
    expect(statuses).toContain('TRAINING');
    expect(statuses.at(-1)).toBe('FINISH');
    const logLines = fitEvents.flatMap((e) => (e.type === 'line' ? [e.line] : []));
    expect(logLines.map((l) => l.id)).toEqual(logLines.map((_, i) => i));
    expect(logLines.map((l) => l.content)).toContain('model written');
    expect(fitEvents.filter((e) => e.type === 'metric').length).toBeGreaterThanOrEqual(EPOCHS);
    expect(fitEvents.at(-1)).toMatchObject({ type: 'completed', job: { detail: { status: 'FINISH' } } });
  });

  it('custom_estimator.create_model(model_name=…, model_version=…, …) → estimator.createModel({ modelName, modelVersion, … })', async () => {
    expect(estimator.model).toEqual(registered);
    // model_path, model_name and the framework default from the training job.
    expect(registered.body).toMatchObject({
      name: jobName,
      type: 'BASIC_FRAMEWORK',
      version: '1.0.0',
      frameworkId: NODE_PREDICT,
      modelPath: outputPath,
      startup: 'predict.mjs',
    });
    const version = await firstValueFrom(getModelVersion(session, registered.versionId));
    expect(version).toMatchObject({ modelId: registered.modelId, version: '1.0.0', status: 'READY' });
  });

  it('custom_estimator.deploy_predictor(service_name=…, service_type=…, service_models=[…]) → estimator.deployPredictor({ serviceName, serviceType, serviceModels })', async () => {
    expect(deployEvents.map((e) => (e.type === 'status' ? e.status : e.type))).toEqual([
      'created',
      'DEPLOYING',
      'RUNNING',
      'running',
    ]);
    expect(estimator.serviceId).toBe(predictor.serviceId);
    const detail = await firstValueFrom(getService(session, predictor.serviceId));
    // service_models[].modelVersionId left out: the model just registered.
    expect(detail.serviceModels?.[0]).toMatchObject({
      modelVersionId: registered.versionId,
      resourceId: PREDICT_SMALL,
    });
  });
});

// ── Estimator: instance methods ─────────────────────────────────────────────

describe('Estimator instance methods', () => {
  it('custom_estimator.resource() → estimator.resource()', async () => {
    const { samples } = await firstValueFrom(estimator.resource());
    expect(samples.length).toBeGreaterThan(0);
    for (const sample of samples) {
      expect(sample.instance).toBe(0);
      expect(sample.memory).toBeGreaterThan(0);
    }
  });

  it('custom_estimator.info() → estimator.info()', async () => {
    const detail = await firstValueFrom(estimator.info());
    expect(detail).toMatchObject({
      id: estimator.versionId,
      jobId: estimator.jobId,
      status: 'FINISH',
      exitCode: 0,
    });
  });

  it('custom_estimator.metric() → estimator.metric()', async () => {
    const { metrics } = await firstValueFrom(estimator.metric());
    const accuracy = metrics.find((series) => series.name === 'accuracy');
    expect(accuracy?.points).toHaveLength(EPOCHS);
    const values = accuracy!.points.map((p) => p.value);
    expect(values.at(-1)).toBeGreaterThan(values[0]!); // the script's accuracy climbs
  });

  it('custom_estimator.log(log_id=0) → estimator.log(logId)', async () => {
    const all = await firstValueFrom(estimator.log(0));
    expect(all.logs[0]?.id).toBe(0);
    const fromThree = await firstValueFrom(estimator.log(3));
    expect(fromThree.logs.length).toBeGreaterThan(0);
    expect(fromThree.logs.map((l) => l.id)).toEqual(fromThree.logs.map((_, i) => i + 3));
    expect(fromThree.logs).toEqual(all.logs.slice(3, 3 + fromThree.logs.length));
  });

  it('custom_estimator.artifacts() → estimator.artifacts()', async () => {
    const output = await firstValueFrom(estimator.artifacts());
    expect(output.output).toBe(outputPath);
    const modelJson = output.files.find((f) => f.key === 'model.json');
    expect(modelJson?.size).toBeGreaterThan(0);
  });

  it('custom_estimator.stop() → estimator.stop()', async () => {
    const long = await startLong(`${jobName}-stop`);
    await versionReaches(long.versionId!, ['TRAINING']);
    await firstValueFrom(long.stop());
    const detail = await versionReaches(long.versionId!, [
      'STOPPED',
      'FINISH',
      'TRAINING_FAIL',
      'STARTING_FAIL',
    ]);
    expect(detail.status).toBe('STOPPED');
  });

  it('custom_estimator.delete() → estimator.delete()', async () => {
    const long = await startLong(`${jobName}-delete`);
    await stopped(long);
    await firstValueFrom(long.delete());
    await expectNotFound(long.info());
    // The job stays; only the version went.
    const job = await firstValueFrom(Estimator.jobInfo(session, long.jobId!));
    expect(ids(job.versions)).not.toContain(long.versionId);
  });
});

// ── Estimator.attach (beyond the seed) ──────────────────────────────────────

describe('Estimator.attach', () => {
  it('(beyond the seed) a finished version made elsewhere → Estimator.attach(session, versionId).createModel({ modelVersion, … })', async () => {
    // No training parameters: name, kind, serving framework and path come from the platform's detail.
    const attached = Estimator.attach(session, estimator.versionId!);
    const again = await firstValueFrom(
      attached.createModel({
        modelVersion: '2.0.0',
        modelBootFile: 'predict.mjs',
        modelCodeDir: registered.body.codeUrl!, // already uploaded
      }),
    );
    expect(again.body).toMatchObject({
      name: jobName,
      type: 'BASIC_FRAMEWORK',
      version: '2.0.0',
      frameworkId: NODE_PREDICT,
      modelPath: outputPath,
      startup: 'predict.mjs',
    });
    expect(again.modelId).toBe(registered.modelId); // a new version of the same model
    expect(attached.model).toEqual(again);
    const version = await firstValueFrom(getModelVersion(session, again.versionId));
    expect(version).toMatchObject({ modelId: registered.modelId, version: '2.0.0' });
  });

  it('(beyond the seed) a version still running → Estimator.attach(…).createModel() fails with TrainingNotFinished, nothing registered', async () => {
    const long = await startLong(`${jobName}-attach`);
    try {
      const status = (await versionReaches(long.versionId!, ['TRAINING'])).status;
      const before = (await firstValueFrom(model.modelInfo())).models.length;
      const error = await failureOf(
        Estimator.attach(session, long.versionId!).createModel({ modelVersion: '1.0.0' }),
      );
      expect(error).toMatchObject({ _tag: 'TrainingNotFinished', versionId: long.versionId, status });
      expect(String(error)).toContain(`training version ${long.versionId} is TRAINING, not FINISH`);
      expect((await firstValueFrom(model.modelInfo())).models.length).toBe(before);
    } finally {
      await stopped(long);
    }
  });
});

// ── Estimator: class-level listings and deletions ───────────────────────────

describe('Estimator class-level calls', () => {
  it('Estimator.train_machine(session) → Estimator.trainMachine(session)', async () => {
    const { resources } = await firstValueFrom(Estimator.trainMachine(session));
    expect(resources).toContainEqual(
      expect.objectContaining({ id: TRAIN_SMALL, name: 'train.small', cpu: 1 }),
    );
    expect(ids(resources)).not.toContain(PREDICT_SMALL);
  });

  it('Estimator.get_train_instance_types (the seed text’s name) → Estimator.trainMachine(session)', async () => {
    // train_instance_type must be an id of this list: the shared training used one.
    const { resources } = await firstValueFrom(Estimator.trainMachine(session));
    const used = await firstValueFrom(estimator.info());
    expect(ids(resources)).toContain(used.resourceId);
  });

  it('Estimator.development_machine(session) → Estimator.developmentMachine(session)', async () => {
    const { resources } = await firstValueFrom(Estimator.developmentMachine(session));
    expect(resources).toContainEqual(expect.objectContaining({ id: DEV_SMALL, name: 'dev.small' }));
    expect(ids(resources)).not.toContain(TRAIN_SMALL);
  });

  it('Estimator.predict_machine(session) → Estimator.predictMachine(session)', async () => {
    const { resources } = await firstValueFrom(Estimator.predictMachine(session));
    expect(resources).toContainEqual(expect.objectContaining({ id: PREDICT_SMALL, name: 'predict.small' }));
    expect(ids(resources)).not.toContain(TRAIN_SMALL);
  });

  it('Estimator.preset_algorithm(session) → Estimator.presetAlgorithm(session)', async () => {
    const { presetAlgorithms } = await firstValueFrom(Estimator.presetAlgorithm(session));
    expect(presetAlgorithms.map((a) => a.name)).toEqual([
      'linear-regression',
      'logistic-regression',
      'kmeans',
      'random-forest',
    ]);
    expect(presetAlgorithms[0]?.id).toBe(LINEAR_REGRESSION);
  });

  it('Estimator.train_framework(session) → Estimator.trainFramework(session)', async () => {
    const { frameWorks } = await firstValueFrom(Estimator.trainFramework(session));
    expect(frameWorks).toContainEqual(expect.objectContaining({ id: NODE_TRAIN, name: 'node' }));
    expect(ids(frameWorks)).not.toContain(NODE_PREDICT);
  });

  it('Estimator.preset_model(session) → Estimator.presetModel(session)', async () => {
    const { presetModels } = await firstValueFrom(Estimator.presetModel(session));
    expect(presetModels).toContainEqual(
      expect.objectContaining({ id: LINEAR_REGRESSION_MODEL, name: 'linear-regression' }),
    );
    expect(presetModels).toHaveLength(4);
  });

  it('Estimator.predict_framework(session) → Estimator.predictFramework(session)', async () => {
    const { frameWorks } = await firstValueFrom(Estimator.predictFramework(session));
    expect(frameWorks).toContainEqual(expect.objectContaining({ id: NODE_PREDICT, name: 'node' }));
    expect(ids(frameWorks)).not.toContain(NODE_TRAIN);
  });

  it('Estimator.Info(session) → Estimator.jobs(session)', async () => {
    const { trainTasks } = await firstValueFrom(Estimator.jobs(session));
    expect(trainTasks).toContainEqual(
      expect.objectContaining({ id: estimator.jobId, name: jobName, latestVersionId: estimator.versionId }),
    );
  });

  it('Estimator.Info(session, job_id=…) → Estimator.jobInfo(session, jobId)', async () => {
    const job = await firstValueFrom(Estimator.jobInfo(session, estimator.jobId!));
    expect(job).toMatchObject({ id: estimator.jobId, name: jobName, type: 'BASIC_FRAMEWORK' });
    expect(job.versions).toContainEqual(
      expect.objectContaining({ id: estimator.versionId, status: 'FINISH' }),
    );
    await expectNotFound(Estimator.jobInfo(session, 999_999)); // "id需存在，不然报错"
  });

  it('Estimator.version_info(session, version_id=…) → Estimator.versionInfo(session, versionId)', async () => {
    const detail = await firstValueFrom(Estimator.versionInfo(session, estimator.versionId!));
    expect(detail).toMatchObject({ id: estimator.versionId, jobId: estimator.jobId, status: 'FINISH' });
    await expectNotFound(Estimator.versionInfo(session, 999_999));
  });

  it('Estimator.destory_job(session, job_id=…) → Estimator.destroyJob(session, jobId)', async () => {
    const name = `${jobName}-destroy-job`;
    const one = await startLong(name);
    const firstVersion = one.versionId!;
    await stopped(one);
    const second = await startLong(name, one); // fit again: a second version of the same job
    expect(second.jobId).toBe(one.jobId);
    await stopped(second);
    const jobId = second.jobId!;
    expect(ids((await firstValueFrom(Estimator.jobInfo(session, jobId))).versions)).toEqual(
      expect.arrayContaining([firstVersion, second.versionId]),
    );
    await firstValueFrom(Estimator.destroyJob(session, jobId));
    await expectNotFound(Estimator.jobInfo(session, jobId));
    await expectNotFound(Estimator.versionInfo(session, firstVersion));
    await expectNotFound(Estimator.versionInfo(session, second.versionId!));
  });

  it('Estimator.destory_job_version(session, version_id=…) → Estimator.destroyJobVersion(session, versionId)', async () => {
    const long = await startLong(`${jobName}-destroy-version`);
    await stopped(long);
    await firstValueFrom(Estimator.destroyJobVersion(session, long.versionId!));
    await expectNotFound(Estimator.versionInfo(session, long.versionId!));
    const job = await firstValueFrom(Estimator.jobInfo(session, long.jobId!));
    expect(ids(job.versions)).not.toContain(long.versionId);
  });
});

// ── Model ───────────────────────────────────────────────────────────────────

describe('Model', () => {
  it('Model(session) → new Model(session)', async () => {
    const fresh = new Model(session);
    expect(fresh.session).toBe(session);
    // Nothing registered through it yet: the remembered ids are not there.
    expect(hasTag(await failureOf(fresh.getModelId()), 'ValidationError')).toBe(true);
  });

  it('model_instance.create_model(model_name=…, model_version=…, model_framework=…, model_code_dir=…, model_boot_file=…) → model.createModel({ modelName, modelVersion, modelFrameworkType, modelFramework, modelCodeDir, modelPath, modelBootFile })', async () => {
    expect(modelRegistered.body).toMatchObject({
      name: `basic-model-${stamp}`,
      type: 'BASIC_FRAMEWORK',
      version: '1.1.1',
      frameworkId: NODE_PREDICT,
      modelPath: outputPath,
      startup: 'predict.mjs',
    });
    const version = await firstValueFrom(getModelVersion(session, modelRegistered.versionId));
    expect(version).toMatchObject({ modelId: modelRegistered.modelId, status: 'READY' });
  });

  it('model_instance.deploy_predictor(service_name=…, service_type=…, service_models=[…]) → model.deployPredictor({ serviceName, serviceType, serviceModels })', async () => {
    const last = modelDeployEvents.at(-1);
    expect(last?.type).toBe('running');
    const serviceId = modelDeployEvents[0]?.type === 'created' ? modelDeployEvents[0].serviceId : undefined;
    const detail = await firstValueFrom(getService(session, serviceId!));
    expect(detail).toMatchObject({ name: `basic-predict-${stamp}` });
    expect(detail.serviceModels?.[0]?.modelVersionId).toBe(modelRegistered.versionId);
  });

  it('model_instance.preset_model() → model.presetModel()', async () => {
    const { presetModels } = await firstValueFrom(model.presetModel());
    expect(presetModels.map((m) => m.name)).toContain('random-forest');
  });

  it('model_instance.predict_framework() → model.predictFramework()', async () => {
    const { frameWorks } = await firstValueFrom(model.predictFramework());
    expect(ids(frameWorks)).toContain(NODE_PREDICT);
  });

  it('model_instance.predict_machine() → model.predictMachine()', async () => {
    const { resources } = await firstValueFrom(model.predictMachine());
    expect(ids(resources)).toContain(PREDICT_SMALL);
  });

  it('model_instance.model_info() → model.modelInfo()', async () => {
    const { models } = await firstValueFrom(model.modelInfo());
    expect(models).toContainEqual(
      expect.objectContaining({ id: modelRegistered.modelId, name: `basic-model-${stamp}` }),
    );
    expect(ids(models)).toContain(registered.modelId);
  });

  it('model_instance.get_model_info(model_id=…) → model.getModelInfo(modelId)', async () => {
    const detail = await firstValueFrom(model.getModelInfo(modelRegistered.modelId));
    expect(detail).toMatchObject({ id: modelRegistered.modelId, name: `basic-model-${stamp}` });
    expect(detail.versions.map((v) => v.id)).toContain(modelRegistered.versionId);
    await expectNotFound(model.getModelInfo(999_999));
  });

  it('model_instance.get_service_id() → model.getServiceId()', async () => {
    const created = modelDeployEvents[0];
    expect(created?.type).toBe('created');
    expect(await firstValueFrom(model.getServiceId())).toBe(
      created?.type === 'created' ? created.serviceId : -1,
    );
  });

  it('model_instance.get_model_id() → model.getModelId()', async () => {
    expect(await firstValueFrom(model.getModelId())).toBe(modelRegistered.modelId);
  });

  it('model_instance.get_model_version_id() → model.getModelVersionId()', async () => {
    expect(await firstValueFrom(model.getModelVersionId())).toBe(modelRegistered.versionId);
  });

  it('model_instance.destory_model(model_id=…) → model.destroyModel(modelId)', async () => {
    const handle = new Model(session);
    const victim = await registerVictim(handle, `${jobName}-destroy-model`, '1.0.0');
    await firstValueFrom(handle.destroyModel(victim.modelId));
    await expectNotFound(handle.getModelInfo(victim.modelId));
    await expectNotFound(getModelVersion(session, victim.versionId));
  });

  it('model_instance.destory_model_version(model_version_id=…) → model.destroyModelVersion(modelVersionId)', async () => {
    const handle = new Model(session);
    const kept = await registerVictim(handle, `${jobName}-destroy-version`, '1.0.0');
    const gone = await registerVictim(handle, `${jobName}-destroy-version`, '1.0.1');
    expect(gone.modelId).toBe(kept.modelId);
    await firstValueFrom(handle.destroyModelVersion(gone.versionId));
    await expectNotFound(getModelVersion(session, gone.versionId));
    const detail = await firstValueFrom(handle.getModelInfo(kept.modelId));
    expect(detail.versions.map((v) => v.id)).toEqual([kept.versionId]);
  });

  it('model_instance.delete_model(model_version_id=…) → model.deleteModel(modelVersionId?)', async () => {
    const handle = new Model(session);
    const older = await registerVictim(handle, `${jobName}-delete-model`, '1.0.0');
    const second = await registerVictim(handle, `${jobName}-delete-model`, '1.0.1');
    await firstValueFrom(handle.deleteModel()); // no id: the version registered last
    await expectNotFound(getModelVersion(session, second.versionId));
    await firstValueFrom(handle.deleteModel(older.versionId));
    await expectNotFound(getModelVersion(session, older.versionId));
  });

  it('model_instance.delete_service(service_id=…) → model.deleteService(serviceId?)', async () => {
    const handle = new Model(session);
    await registerVictim(handle, `${jobName}-delete-service`, '1.0.0');
    const [created] = await lastValueFrom(
      handle
        .deployPredictor(
          {
            serviceName: `${jobName}-delete-service`,
            serviceModels: [{ weight: 100, resourceId: PREDICT_SMALL, instanceCount: 1 }],
          },
          { wait: false },
        )
        .pipe(toArray()),
    );
    const serviceId = created?.type === 'created' ? created.serviceId : -1;
    await firstValueFrom(getService(session, serviceId));
    await firstValueFrom(handle.deleteService()); // no id: the service deployed last
    await expectNotFound(getService(session, serviceId));
  });
});

// ── Predictor ───────────────────────────────────────────────────────────────

describe('Predictor', () => {
  it('Predictor(session, service_id=…) → new Predictor(session, serviceId)', async () => {
    const handle = new Predictor(session, predictor.serviceId);
    expect(handle.detail).toBeUndefined(); // construction does no I/O
    const detail = await firstValueFrom(handle.info());
    expect(detail.id).toBe(predictor.serviceId);
    await expectNotFound(new Predictor(session, 999_999).info()); // "关联服务id" must exist
  });

  it('predictor_instance.info() → predictor.info()', async () => {
    await ensureService(predictor, 'RUNNING');
    const detail = await firstValueFrom(predictor.info());
    expect(detail).toMatchObject({
      id: predictor.serviceId,
      name: `${jobName}-svc`,
      type: 'ONLINE_SERVICE',
      status: 'RUNNING',
    });
    expect(detail.accessAddress).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(predictor.detail).toEqual(detail);
  });

  it('predictor_instance.info_list() → predictor.infoList()', async () => {
    const { services } = await firstValueFrom(predictor.infoList());
    expect(services).toContainEqual(
      expect.objectContaining({ id: predictor.serviceId, name: `${jobName}-svc`, type: 'ONLINE_SERVICE' }),
    );
    expect(services.map((s) => s.name)).toContain(`basic-predict-${stamp}`);
  });

  it('predict (beyond the seed) → predictor.predict({ instances })', async () => {
    await ensureService(predictor, 'RUNNING');
    const answer = await firstValueFrom(predictor.predict({ instances: INSTANCES }));
    expect(answer).toEqual({ predictions: SPECIES });
  });

  it('predictor_instance.stop() → predictor.stop()', async () => {
    await ensureService(predictor, 'RUNNING');
    await firstValueFrom(predictor.stop());
    const detail = await lastValueFrom(predictor.waitUntil('STOPPED', POLL));
    expect(detail.status).toBe('STOPPED');
    const error = await failureOf(predictor.predict({ instances: INSTANCES }));
    expect(error).toMatchObject({ status: 503 }); // nothing serves a stopped service
  });

  it('predictor_instance.start() → predictor.start()', async () => {
    await ensureService(predictor, 'STOPPED');
    await firstValueFrom(predictor.start());
    const detail = await lastValueFrom(predictor.waitUntil('RUNNING', POLL));
    expect(detail.status).toBe('RUNNING');
    expect(await firstValueFrom(predictor.predict({ instances: INSTANCES }))).toEqual({
      predictions: SPECIES,
    });
  });

  it('predictor_instance.delete() → predictor.delete()', async () => {
    const handle = new Model(session);
    await registerVictim(handle, `${jobName}-predictor-delete`, '1.0.0');
    const [created] = await lastValueFrom(
      handle
        .deployPredictor(
          {
            serviceName: `${jobName}-predictor-delete`,
            serviceModels: [{ weight: 100, resourceId: PREDICT_SMALL, instanceCount: 1 }],
          },
          POLL,
        )
        .pipe(toArray()),
    );
    const victim = new Predictor(session, created?.type === 'created' ? created.serviceId : -1);
    await ensureService(victim, 'STOPPED');
    await firstValueFrom(victim.delete());
    await expectNotFound(victim.info());
    const { services } = await firstValueFrom(predictor.infoList());
    expect(ids(services)).not.toContain(victim.serviceId);
  });
});
