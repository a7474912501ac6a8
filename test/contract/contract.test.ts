/**
 * The contract suite: every endpoint of the table (src/codecs/endpoints.ts) through the
 * SDK, with the shapes the Python SDK's README shows (its parameter names, its examples'
 * values), against whatever platform `MODELMAKER_CONTRACT_CONFIG` names — by default a
 * fresh local platform (the root `npm test` runs it so). It creates only its own objects,
 * named `contract-<stamp>-…`, and removes them at the end, also after a failure.
 *
 * What it asserts holds for any server of the contract: responses decode with the
 * SDK's codecs (a shape that does not is a DecodeError), the ids relate (a job lists its
 * versions, a list holds what was created), a name clash becomes a new version (102009 /
 * 101009), a deleted object is gone, and the suite called every row. It does not depend
 * on how a platform trains: the job is stopped, whatever it was doing, and the service
 * may end RUNNING or FAILED. Extension rows (the service log) must answer or say they are
 * not served (404/405/501), as the SDK degrades. See docs/contract-suite.md.
 */
import { fileURLToPath } from 'node:url';
import {
  authAccess,
  authToken,
  createModelVersion,
  createService,
  deleteDirectory,
  deleteModel,
  deleteService,
  deleteTrain,
  Estimator,
  endpointList,
  getModelVersion,
  getServiceLog,
  getTrainLog,
  type HttpError,
  hasTag,
  isTerminalTrainStatus,
  logInstantOf,
  Model,
  Predictor,
  registerModel,
  type ServiceStatus,
  uploadData,
} from 'modelmaker';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ContractTarget, openContractTarget } from './target.js';

const IRIS = fileURLToPath(new URL('../../examples/data/iris.csv', import.meta.url));
/** How long a stopped job or service gets to settle. */
const SETTLE_MS = 60_000;
const POLL_MS = 200;
/** Answers that say an extension row is not served. */
const UNSERVED = new Set([404, 405, 501]);
/** A CUSTOM model's image: the reserved `.invalid` domain, so nothing is ever pulled. */
const IMAGE = 'registry.invalid/modelmaker-contract:1';

const prefix = `contract-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

let target: ContractTarget;
/** What the suite made, for the clean-up. */
const made: { jobId?: number; modelId?: number; serviceId?: number; dataPrefix?: string } = {};

/** Polls `read` until `done` holds for its value, or fails after {@link SETTLE_MS}. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** A call that must fail because its object is gone: an error, never a value. */
async function gone(call: Promise<unknown>): Promise<void> {
  const error = await call.then(
    (value) => {
      throw new Error(`expected the object to be gone, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  expect(hasTag(error, 'ApiError') || hasTag(error, 'HttpError')).toBe(true);
}

beforeAll(async () => {
  target = await openContractTarget();
});

afterAll(async () => {
  if (target === undefined) return;
  const session = target.session;
  const quietly = (call: Promise<unknown>) => call.catch(() => undefined);
  if (made.serviceId !== undefined) await quietly(lastValueFrom(deleteService(session, made.serviceId)));
  if (made.modelId !== undefined) await quietly(lastValueFrom(deleteModel(session, made.modelId)));
  if (made.jobId !== undefined) await quietly(lastValueFrom(deleteTrain(session, made.jobId)));
  // the data, and whatever a job wrote under the suite's prefix
  if (made.dataPrefix !== undefined) await quietly(lastValueFrom(deleteDirectory(session, made.dataPrefix)));
  await target.close();
});

describe('the contract, through the SDK', () => {
  const state: {
    bucket?: string;
    dataUri?: string;
    trainMachine?: number;
    predictMachine?: number;
    algorithm?: number;
    estimator?: Estimator;
    versions: number[];
    modelVersions: number[];
  } = { versions: [], modelVersions: [] };

  it('auth: POST /v1/auth-token gives a token, GET /v1/account/auth-access the S3 keys and endpoint', async () => {
    const session = target.session;
    const settings = await session.resolved();
    const grant = await firstValueFrom(
      authToken(session, { username: settings.username ?? '', password: settings.password ?? '' }),
    );
    expect(grant.token).toEqual(expect.any(String));
    const access = await firstValueFrom(authAccess(session));
    expect(access.s3).toMatchObject({
      ak: expect.any(String),
      sk: expect.any(String),
      url: expect.any(String),
    });
    state.bucket = await session.bucket();
  });

  it('catalog: machines per environment, frameworks, preset algorithms and models (Estimator.train_machine …)', async () => {
    const session = target.session;
    const train = await firstValueFrom(Estimator.trainMachine(session));
    const development = await firstValueFrom(Estimator.developmentMachine(session));
    const predict = await firstValueFrom(Estimator.predictMachine(session));
    expect(train.resources.length).toBeGreaterThan(0);
    expect(predict.resources.length).toBeGreaterThan(0);
    expect(Array.isArray(development.resources)).toBe(true);
    const trainFrameworks = await firstValueFrom(Estimator.trainFramework(session));
    const predictFrameworks = await firstValueFrom(Estimator.predictFramework(session));
    expect(Array.isArray(trainFrameworks.frameWorks)).toBe(true);
    expect(Array.isArray(predictFrameworks.frameWorks)).toBe(true);
    const algorithms = await firstValueFrom(Estimator.presetAlgorithm(session));
    const models = await firstValueFrom(Estimator.presetModel(session));
    expect(algorithms.presetAlgorithms.length).toBeGreaterThan(0);
    expect(Array.isArray(models.presetModels)).toBe(true);
    state.trainMachine = train.resources[0]!.id;
    state.predictMachine = predict.resources[0]!.id;
    state.algorithm = algorithms.presetAlgorithms[0]!.id;
  });

  it('data: uploads the training data through the S3 keys of auth-access', async () => {
    made.dataPrefix = `s3://${state.bucket}/${prefix}/`;
    state.dataUri = `${made.dataPrefix}data/iris.csv`;
    await lastValueFrom(uploadData(target.session, IRIS, state.dataUri));
  });

  it('training: a PRESET_ALGORITHM job as the README writes it, then a second fit with its name is a new version', async () => {
    const session = target.session;
    // The README's PRESET_ALGORITHM table: algorithm, output_path, framework_type, max_runtime,
    // hyperparameters=[{"name":"name","value":"value"}]; hardware train_instance_type/count, volume_size.
    const estimator = new Estimator(session, {
      frameworkType: 'PRESET_ALGORITHM',
      algorithm: state.algorithm!,
      outputPath: `s3://${state.bucket}/${prefix}/output/`,
      maxRuntime: 24 * 3600,
      hyperparameters: [{ name: 'name', value: 'value' }],
      trainInstanceType: state.trainMachine!,
      trainInstanceCount: 1,
      volumeSize: 1,
    });
    state.estimator = estimator;
    const jobName = `${prefix}-job`;
    for (let run = 0; run < 2; run++) {
      const [created] = await lastValueFrom(
        estimator.fit({ inputs: state.dataUri!, jobName, wait: false }).pipe(toArray()),
      );
      if (created?.type !== 'created') throw new Error(`fit gave ${JSON.stringify(created)}`);
      made.jobId ??= created.jobId;
      expect(created.jobId).toBe(made.jobId);
      state.versions.push(created.versionId);
    }
    expect(state.versions[1]).toBeGreaterThan(state.versions[0]!);
    const jobs = await firstValueFrom(Estimator.jobs(session));
    expect(jobs.trainTasks.filter((job) => job.name === jobName)).toEqual([
      expect.objectContaining({ id: made.jobId }),
    ]);
    const job = await firstValueFrom(Estimator.jobInfo(session, made.jobId!));
    expect(job.versions.map((version) => version.id)).toEqual(expect.arrayContaining(state.versions));
  });

  it("training: the version's detail, log (both cursors), resource and performance monitors, output", async () => {
    const session = target.session;
    const estimator = state.estimator!;
    const info = await firstValueFrom(estimator.info());
    expect(info.status).toEqual(expect.any(String));
    const first = await firstValueFrom(Estimator.versionInfo(session, state.versions[0]!));
    expect(first.status).toEqual(expect.any(String));
    const page = await firstValueFrom(estimator.log(0));
    expect(Array.isArray(page.logs)).toBe(true);
    const instant = page.logs.length > 0 ? logInstantOf(page.logs[0]!) : undefined;
    const after = await firstValueFrom(
      getTrainLog(session, estimator.versionId!, {
        lastTime: instant?.seconds ?? 0,
        lastNan: instant?.nanos ?? 0,
      }),
    );
    expect(Array.isArray(after.logs)).toBe(true);
    if (instant !== undefined) expect(after.logs.map((line) => line.id)).not.toContain(page.logs[0]!.id);
    expect(Array.isArray((await firstValueFrom(estimator.resource())).samples)).toBe(true);
    expect(Array.isArray((await firstValueFrom(estimator.metric())).metrics)).toBe(true);
    const output = await firstValueFrom(estimator.artifacts());
    expect(output.output).toEqual(expect.any(String));
  });

  it('training: stop (POST /v1/train/{versionId}/stop) ends both versions, then one is deleted', async () => {
    const session = target.session;
    const estimator = state.estimator!;
    await firstValueFrom(estimator.stop());
    await firstValueFrom(Estimator.attach(session, state.versions[0]!).stop());
    for (const versionId of state.versions) {
      await until(
        () => firstValueFrom(Estimator.versionInfo(session, versionId)),
        (detail) => isTerminalTrainStatus(detail.status),
        `training version ${versionId}`,
      );
    }
    await firstValueFrom(Estimator.destroyJobVersion(session, state.versions[0]!));
    await gone(firstValueFrom(Estimator.versionInfo(session, state.versions[0]!)));
  });

  it('models: a CUSTOM model as the README writes it, a second with its name is a new version', async () => {
    const session = target.session;
    const model = new Model(session);
    // The README's CUSTOM model table: model_framework_type, model_name, model_version, model_mirrorUrl, model_path.
    const params = {
      modelFrameworkType: 'CUSTOM',
      modelName: `${prefix}-model`,
      modelMirrorUrl: IMAGE,
      modelPath: `${made.dataPrefix}data/`,
    } as const;
    const first = await firstValueFrom(model.createModel({ ...params, modelVersion: '1.1.3' }));
    made.modelId = first.modelId;
    const second = await firstValueFrom(model.createModel({ ...params, modelVersion: '1.1.4' }));
    expect(second.modelId).toBe(first.modelId);
    // the version row directly too, as the Python SDK sends it after 101009
    const third = await firstValueFrom(
      createModelVersion(session, first.modelId, { ...first.body, version: '1.1.5' }),
    );
    state.modelVersions.push(first.versionId, second.versionId, third.versionId);
    const list = await firstValueFrom(model.modelInfo());
    expect(list.models.filter((m) => m.name === params.modelName)).toEqual([
      expect.objectContaining({ id: first.modelId }),
    ]);
    const detail = await firstValueFrom(model.getModelInfo(first.modelId));
    expect(detail.versions.map((v) => v.id)).toEqual(expect.arrayContaining(state.modelVersions));
    const version = await firstValueFrom(getModelVersion(session, second.versionId));
    expect(version).toMatchObject({ id: second.versionId });
    // registerModel (the SDK's create-or-version) on the same name
    const fourth = await firstValueFrom(registerModel(session, { ...first.body, version: '1.1.6' }));
    expect(fourth.id ?? first.modelId).toBe(first.modelId);
    state.modelVersions.push(fourth.versionId);
  });

  it('services: deploy as the README writes service_models, read, list, stop, start, update, log', async () => {
    const session = target.session;
    const { id } = await firstValueFrom(
      createService(session, {
        name: `${prefix}-service`,
        type: 'ONLINE_SERVICE',
        serviceModels: [
          {
            modelVersionId: state.modelVersions[0]!,
            weight: 100,
            resourceId: state.predictMachine!,
            instanceCount: 1,
          },
        ],
      }),
    );
    made.serviceId = id;
    const predictor = new Predictor(session, id);
    const settled = (statuses: readonly ServiceStatus[]) =>
      until(
        () => firstValueFrom(predictor.info()),
        (detail) => statuses.includes(detail.status ?? ''),
        `service ${id}`,
      );
    await settled(['RUNNING', 'FAILED']);
    const list = await firstValueFrom(predictor.infoList());
    expect(list.services.map((s) => s.id)).toContain(id);
    await firstValueFrom(predictor.stop());
    await settled(['STOPPED', 'FAILED']);
    await firstValueFrom(predictor.update({ name: `${prefix}-renamed` }));
    expect((await firstValueFrom(predictor.info())).name).toBe(`${prefix}-renamed`);
    await firstValueFrom(predictor.start());
    await settled(['RUNNING', 'FAILED']);
    await firstValueFrom(predictor.stop());
    await settled(['STOPPED', 'FAILED']);
    // Extension: the service log. Served, or answered as not served.
    const log = await firstValueFrom(getServiceLog(session, id, { lastId: 0 })).catch(
      (error: unknown) => error,
    );
    if (hasTag(log, 'HttpError') || hasTag(log, 'ApiError')) {
      expect(UNSERVED.has((log as HttpError).status)).toBe(true);
    } else {
      expect(Array.isArray((log as { logs: unknown[] }).logs)).toBe(true);
    }
    await firstValueFrom(predictor.delete());
    made.serviceId = undefined;
    await gone(firstValueFrom(predictor.info()));
  });

  it('clean-up through the delete rows: model versions, the model, the job; each gone afterwards', async () => {
    const session = target.session;
    const model = new Model(session);
    await firstValueFrom(model.destroyModelVersion(state.modelVersions[0]!));
    await gone(firstValueFrom(getModelVersion(session, state.modelVersions[0]!)));
    await firstValueFrom(model.destroyModel(made.modelId!));
    await gone(firstValueFrom(model.getModelInfo(made.modelId!)));
    made.modelId = undefined;
    await firstValueFrom(Estimator.destroyJob(session, made.jobId!));
    await gone(firstValueFrom(Estimator.jobInfo(session, made.jobId!)));
    made.jobId = undefined;
  });

  it('called every endpoint of the table', () => {
    const all = endpointList.map((endpoint) => endpoint.name).sort();
    expect([...target.session.called].sort()).toEqual(all);
  });
});
