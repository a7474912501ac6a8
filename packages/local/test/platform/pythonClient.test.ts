/**
 * The local platform as the original Python SDK meets it: its REST layer raises on any
 * non-2xx status before it reads the body (`rest.py`), and reads `errorCode` only from
 * 2xx bodies (`api_client.py`: 1002/1003 → log in again and retry; 102009/101009 → the
 * caller creates a new version: `estimator.py` sends `POST /v1/train/{jobId}/version`,
 * `model.py` `POST /v1/model/{modelId}/version/`). `PythonLikeClient` below follows those
 * rules to the letter over raw HTTP; then the same recoveries through this SDK.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  DEFAULT_CONFIG_RELATIVE_PATH,
  Estimator,
  fit,
  getTrainPerformanceMonitor,
  listModels,
  listObjects,
  listTrain,
  Model,
  Session,
  uploadData,
  writeConfigFile,
} from 'modelmaker';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeJob, s3Of } from './helpers.js';
import {
  codeDir,
  NODE_TRAIN,
  POLL,
  repoPath,
  type SdkPlatform,
  startSdkPlatform,
  TRAIN_SMALL,
} from './sdkHelpers.js';

const run = promisify(execFile);
const PYTHON_SESSION = repoPath('packages/local/test/platform/fixtures/python_session.py');
const TOKEN_REFUSED = new Set([1002, 1003]);
const NAME_TAKEN = new Set([102009, 101009]);

/** A create body: its name, and the rest as the Python SDK builds it. */
type Named = { readonly name: string } & Readonly<Record<string, unknown>>;

/** What the Python SDK raises when the status is not 2xx (`rest.py`'s ApiException). */
class ApiException extends Error {
  constructor(readonly status: number) {
    super(`(${status}) the Python SDK raises before reading the body`);
  }
}

/** The Python SDK's request rules, over raw HTTP. */
class PythonLikeClient {
  token = '';
  logins = 0;

  constructor(
    readonly baseUrl: string,
    readonly username: string,
    readonly password: string,
  ) {}

  async login(): Promise<void> {
    this.logins += 1;
    const data = await this.#send('POST', '/v1/auth-token', {
      username: this.username,
      password: this.password,
    });
    this.token = String(data.token);
  }

  /** `api_client.call_api`: 1002/1003 → log in again and send once more; 102009/101009 → returned to the caller. */
  // biome-ignore lint/suspicious/noExplicitAny: the Python SDK reads arbitrary JSON fields
  async call(method: string, path: string, body?: unknown): Promise<any> {
    let data = await this.#send(method, path, body);
    if (TOKEN_REFUSED.has(data.errorCode)) {
      await this.login();
      data = await this.#send(method, path, body);
    }
    if (data.errorCode !== undefined && !NAME_TAKEN.has(data.errorCode)) {
      throw new Error(`Api call error! ${JSON.stringify(data)}`);
    }
    return data;
  }

  /** `rest.py`: a non-2xx status raises before the body is looked at. */
  // biome-ignore lint/suspicious/noExplicitAny: as above
  async #send(method: string, path: string, body?: unknown): Promise<any> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Auth-Token': this.token },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status < 200 || response.status > 299) throw new ApiException(response.status);
    return response.json();
  }

  /** `estimator.py`'s `_TrainingJob.start_new`. */
  async startTraining(body: Named): Promise<{ id: number; versionId: number }> {
    const data = await this.call('POST', '/v1/train', body);
    if (data.errorCode === 102009) {
      const list = await this.call('GET', '/v1/train');
      const job = list.trainTasks.find((item: { name: string }) => item.name === body.name);
      return this.call('POST', `/v1/train/${job.id}/version`, body);
    }
    return data;
  }

  /** `model.py`'s `create_modelmaker_model`. */
  async createModel(body: Named): Promise<{ id?: number; versionId: number }> {
    const data = await this.call('POST', '/v1/model', body);
    if (data.errorCode === 101009) {
      const list = await this.call('GET', '/v1/model');
      const model = list.models.find((item: { name: string }) => item.name === body.name);
      return this.call('POST', `/v1/model/${model.id}/version/`, body);
    }
    return data;
  }
}

const stamp = Date.now();
let env: SdkPlatform;
let python: PythonLikeClient;

beforeAll(async () => {
  env = await startSdkPlatform();
  python = new PythonLikeClient(env.platform.baseUrl, env.platform.username, env.platform.password);
  await python.login();
});

afterAll(async () => {
  await env?.close();
});

describe('the Python SDK over raw HTTP', () => {
  it('two trainings with one job name: 200 + 102009, then POST /v1/train/{jobId}/version → one job, two versions', async () => {
    const s3 = s3Of(env.platform);
    const name = `py-clash-${stamp}`;
    const made = await nodeJob(
      s3,
      env.platform,
      name,
      `const hp = JSON.parse(process.env.MODELMAKER_HYPERPARAMETERS);
       console.log('lr*2=' + hp.lr * 2 + ' ' + typeof hp.lr + ' MM_HP_LR=' + process.env.MM_HP_LR);`,
    );
    s3.destroy();
    // The body as the Python SDK builds it: absent parameters as None (null), values with their JSON type.
    const body: Named = {
      ...made,
      name,
      instance: 1,
      volumeSize: 1,
      resourcePoolType: 'PUBLIC_POOL',
      customResource: null,
      maxRuntime: null,
      description: null,
      codeVersion: null,
      gitInfo: null,
      startupType: null,
      inputFiles: null,
      monitors: null,
      parameters: [{ name: 'lr', value: 0.01 }],
    };
    const first = await python.startTraining(body);
    const second = await python.startTraining(body);
    expect(second.id).toBe(first.id);
    expect(second.versionId).toBeGreaterThan(first.versionId);
    const job = await python.call('GET', `/v1/train/${first.id}`);
    expect(job.versions.map((v: { id: number }) => v.id)).toEqual([first.versionId, second.versionId]);
    const jobs = (await python.call('GET', '/v1/train')).trainTasks.filter(
      (t: { name: string }) => t.name === name,
    );
    expect(jobs).toHaveLength(1);

    // The hyperparameter kept its JSON type: the job computes with it.
    for (let status = ''; status !== 'FINISH'; ) {
      status = (await python.call('GET', `/v1/train/version/${first.versionId}`)).status;
      expect(['STARTING', 'DOWNLOAD_DATA', 'TRAINING', 'FINISH']).toContain(status);
      await new Promise((resolve) => setTimeout(resolve, POLL.floorMs));
    }
    const log = await python.call('GET', `/v1/train/version/${first.versionId}/log?lastId=0`);
    expect(log.logs.map((l: { content: string }) => l.content)).toContain('lr*2=0.02 number MM_HP_LR=0.01');
  });

  it('two models with one name: 200 + 101009, then POST /v1/model/{modelId}/version/ → one model, two versions', async () => {
    const name = `py-model-${stamp}`;
    const body = { name, type: 'CUSTOM', version: '1.0.0', mirrorUrl: 'registry.example/serve:1' };
    const first = await python.createModel(body);
    const second = await python.createModel({ ...body, version: '1.0.1' });
    expect(second.versionId).toBeGreaterThan(first.versionId);
    const model = await python.call('GET', `/v1/model/${first.id}`);
    expect(model.versions.map((v: { id: number }) => v.id)).toEqual([first.versionId, second.versionId]);
    const models = (await python.call('GET', '/v1/model')).models.filter(
      (m: { name: string }) => m.name === name,
    );
    expect(models).toHaveLength(1);
  });

  it('a refused token (200 + 1002) makes it log in again and retry, and the call succeeds', async () => {
    python.token = 'expired-or-made-up';
    const logins = python.logins;
    const list = await python.call('GET', '/v1/train');
    expect(Array.isArray(list.trainTasks)).toBe(true);
    expect(python.logins).toBe(logins + 1);
  });

  it('other errors keep their real status, which the Python SDK raises on', async () => {
    await expect(python.call('GET', '/v1/train/version/999999')).rejects.toMatchObject({ status: 404 });
    await expect(python.call('POST', '/v1/train', { name: 'x' })).rejects.toMatchObject({ status: 400 });
  });
});

describe('the same recoveries through this SDK', () => {
  it('two fits with one job name → one job, two versions', async () => {
    const code = codeDir([[repoPath('test/fixtures/train-node.mjs'), 'train.mjs']]);
    try {
      const dataUri = `s3://${env.bucket}/py-${stamp}/data/iris.csv`;
      await lastValueFrom(uploadData(env.session, repoPath('examples/data/iris.csv'), dataUri));
      const jobName = `sdk-clash-${stamp}`;
      const estimator = new Estimator(env.session, {
        frameworkType: 'BASIC_FRAMEWORK',
        framework: NODE_TRAIN,
        codeDir: code.path,
        bootFile: 'train.mjs',
        outputPath: `s3://${env.bucket}/py-${stamp}/output/`,
        trainInstanceType: TRAIN_SMALL,
        trainInstanceCount: 1,
        volumeSize: 1,
      });
      const versions: number[] = [];
      let jobId: number | undefined;
      for (let run = 0; run < 2; run++) {
        const events = await lastValueFrom(
          estimator.fit({ inputs: dataUri, jobName, wait: false, ...POLL }).pipe(toArray()),
        );
        const created = events.find((e) => e.type === 'created');
        expect(created).toBeDefined();
        if (created?.type !== 'created') return;
        jobId ??= created.jobId;
        expect(created.jobId).toBe(jobId);
        versions.push(created.versionId);
      }
      expect(versions[1]).toBeGreaterThan(versions[0]!);
      const jobs = (await lastValueFrom(listTrain(env.session))).trainTasks.filter((t) => t.name === jobName);
      expect(jobs).toEqual([expect.objectContaining({ id: jobId, latestVersionId: versions[1] })]);
    } finally {
      code.remove();
    }
  });

  it('two createModel with one model name → one model, two versions', async () => {
    const model = new Model(env.session);
    const modelName = `sdk-model-${stamp}`;
    const modelPath = `s3://${env.bucket}/py-${stamp}/model/`;
    await lastValueFrom(uploadData(env.session, repoPath('examples/data/iris.csv'), `${modelPath}iris.csv`));
    const params = {
      modelName,
      modelFrameworkType: 'CUSTOM',
      modelMirrorUrl: 'registry.example/serve:1',
      modelPath,
    } as const;
    const first = await lastValueFrom(model.createModel({ ...params, modelVersion: '1.0.0' }));
    const second = await lastValueFrom(model.createModel({ ...params, modelVersion: '1.0.1' }));
    expect(second.modelId).toBe(first.modelId);
    expect(second.versionId).toBeGreaterThan(first.versionId);
    const named = (await lastValueFrom(listModels(env.session))).models.filter((m) => m.name === modelName);
    expect(named).toHaveLength(1);
  });
});

describe("the seed's monitor example", () => {
  it('monitors=[{name: Loss, regular: loss=\\d+, sample: loss=20}] gives metric points through the platform and the SDK', async () => {
    const script = `console.log('loss=20'); console.log('epoch 2 loss=13'); console.log('done');`;
    const code = codeDir([]);
    writeFileSync(join(code.path, 'train.js'), script);
    try {
      const dataUri = `s3://${env.bucket}/py-${stamp}/monitor-data/iris.csv`;
      await lastValueFrom(uploadData(env.session, repoPath('examples/data/iris.csv'), dataUri));
      const seed = { name: 'Loss', regular: String.raw`loss=\d+`, sample: 'loss=20' };
      const events = await lastValueFrom(
        fit(
          env.session,
          {
            jobName: `seed-monitor-${stamp}`,
            frameworkType: 'BASIC_FRAMEWORK',
            framework: NODE_TRAIN,
            codeDir: code.path,
            bootFile: 'train.js',
            inputs: dataUri,
            outputPath: `s3://${env.bucket}/py-${stamp}/monitor-output/`,
            trainInstanceType: TRAIN_SMALL,
            trainInstanceCount: 1,
            volumeSize: 1,
            monitors: [seed],
          },
          POLL,
        ).pipe(toArray()),
      );
      const completed = events.find((e) => e.type === 'completed');
      if (completed?.type !== 'completed') throw new Error('the job did not complete');
      // the platform's performance monitor, read by fit and afterwards
      const values = events.flatMap((e) => (e.type === 'metric' ? [e.sample.value] : []));
      expect(values).toEqual([20, 13]);
      const monitor = await lastValueFrom(getTrainPerformanceMonitor(env.session, completed.job.versionId));
      expect(monitor.metrics).toEqual([
        {
          name: 'Loss',
          points: [expect.objectContaining({ value: 20 }), expect.objectContaining({ value: 13 })],
        },
      ]);
    } finally {
      code.remove();
    }
  });
});

describe("a config file made from the Python package's template", () => {
  it('works: its placeholder access_Key / access_Key_Secret are ignored, S3 keys come from auth-access', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm-template-'));
    try {
      const configPath = join(dir, 'config.json');
      writeFileSync(
        configPath,
        JSON.stringify({
          iam_config: {
            username: env.platform.username,
            password: env.platform.password,
            host_base: env.platform.baseUrl,
            region: 'js01',
            verify_ssl: true,
            s3_protocol: 'http',
            bucket: env.bucket,
            access_Key: 'ak',
            access_Key_Secret: 'sk',
          },
        }),
        { mode: 0o600 },
      );
      const session = new Session({ configPath, level: 40 });
      const target = `s3://${env.bucket}/py-${stamp}/template/iris.csv`;
      await lastValueFrom(uploadData(session, repoPath('examples/data/iris.csv'), target));
      const listed = await lastValueFrom(
        listObjects(session, `s3://${env.bucket}/py-${stamp}/template/`).pipe(toArray()),
      );
      expect(listed.map((o) => o.key)).toEqual([`py-${stamp}/template/iris.csv`]);
      // the keys auth-access handed out, not the template's placeholders
      const used = await session.s3Access().get();
      expect(used.accessKeyId).not.toBe('ak');
      expect(used.secretAccessKey).not.toBe('sk');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the config file the local platform writes is the one the Python SDK reads', () => {
  it('~/.modelmaker/config.json with iam_config: read as session.py reads it, it reaches the platform', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mm-python-home-'));
    try {
      // Where `modelmaker local --write-config` writes by default, and what it writes.
      expect(DEFAULT_CONFIG_RELATIVE_PATH).toBe('.modelmaker/config.json');
      const configPath = join(home, DEFAULT_CONFIG_RELATIVE_PATH);
      await writeConfigFile(configPath, env.platform.configProfile());
      const childEnv: NodeJS.ProcessEnv = { ...process.env, HOME: home };
      delete childEnv.MODELMAKER_CONFIG;
      const { stdout } = await run('python3', [PYTHON_SESSION], { env: childEnv });
      const seen = JSON.parse(stdout);
      expect(seen).toMatchObject({
        configFile: configPath,
        iamServer: env.platform.baseUrl,
        bucket: env.platform.s3.bucket,
        s3: { url: env.platform.s3.endpoint, hasKeys: true },
        refreshed: true,
      });
      expect(Array.isArray(seen.trainTasks)).toBe(true);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
