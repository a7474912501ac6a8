/**
 * `gitInfo` end to end on one local platform and one git server on loopback (`git
 * http-backend` behind basic auth): a BASIC_FRAMEWORK job trains from the cloned code,
 * a BASIC_FRAMEWORK model is served from it (the seed's `model_git_info` list), and
 * the failures end the job STARTING_FAIL (or the service FAILED) with a reason that
 * names the cause — and the password reaches no reason, log line or detail.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Estimator, Model, Session } from 'modelmaker';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORKS } from '../../src/catalog.js';
import {
  closedPort,
  type GitServer,
  type RecordingGit,
  recordingGit,
  startBlackHole,
  startGitServer,
} from '../git/gitServer.js';
import {
  deploy,
  fixture,
  predict,
  serviceLogs,
  serviceModel,
  uploadPredictModel,
  waitForService,
} from '../serving/helpers.js';
import { type Api, isRunning, put, SMALL_MACHINE, startTestPlatform, waitUntil } from './helpers.js';

/** The Python frameworks of the catalog, found by name (ids are the catalog's business). */
const PYTHON_TRAIN = FRAMEWORKS.find((f) => f.env === 'TRAIN' && /python/.test(f.name))!.id;
const PYTHON_PREDICT = FRAMEWORKS.find((f) => f.env === 'PREDICT' && /python/.test(f.name))!.id;

const TRAIN_PY = `import json, os
data = os.environ["MODELMAKER_DATA_DIR"]
out = os.environ["MODELMAKER_OUTPUT_DIR"]
code = os.environ["MODELMAKER_CODE_DIR"]
with open(os.path.join(code, "marker.txt")) as f:
    marker = f.read().strip()
print("loss=20")
with open(os.path.join(out, "result.json"), "w") as f:
    json.dump({"marker": marker, "data": sorted(os.listdir(data)), "cwd": os.getcwd()}, f)
`;

let t: Awaited<ReturnType<typeof startTestPlatform>>;
let api: Api;
let git: GitServer;
let dataUrl: string;
let scratch: string;
let recorder: RecordingGit;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mm-git-platform-'));
  recorder = await recordingGit(scratch);
  [t, git] = await Promise.all([
    startTestPlatform({ git: { program: recorder.program } }),
    startGitServer({
      trainer: { branch: 'main', files: { 'train.py': TRAIN_PY, 'marker.txt': 'cloned from git\n' } },
      predictor: { branch: 'serve', files: { 'predict.py': fixture('predict-python.py') } },
    }),
  ]);
  api = t.api;
  dataUrl = await put(t.s3, t.platform, 'git/data/rows.csv', 'x,y\n1,2\n');
});

afterAll(async () => {
  await Promise.all([t?.close(), git?.close()]);
  await rm(scratch, { recursive: true, force: true });
});

let jobs = 0;
function gitJob(gitInfo: Record<string, unknown>) {
  jobs += 1;
  return {
    name: `git-job-${jobs}`,
    type: 'BASIC_FRAMEWORK',
    frameworkId: PYTHON_TRAIN,
    resourceId: SMALL_MACHINE,
    dataUrl,
    startup: 'train.py',
    output: `s3://${t.platform.s3.bucket}/git/output/${jobs}/`,
    gitInfo,
  };
}

function credentials(overrides: Record<string, unknown> = {}) {
  return {
    username: git.username,
    password: git.password,
    branch: 'main',
    url: git.url('trainer'),
    ...overrides,
  };
}

/** Submits a job and waits for its end; returns the detail and its log lines. */
async function runJob(body: Record<string, unknown>) {
  const created = await api.ok('POST', '/v1/train', body);
  const versionId: number = created.json.versionId;
  const detail = await api.waitForStatus(versionId, ['FINISH', 'STARTING_FAIL', 'TRAINING_FAIL'], 30_000);
  const lines = (await api.allLogs(versionId)).map((l) => l.content);
  return { jobId: created.json.id as number, versionId, detail: detail.json, text: detail.text, lines };
}

/** Every response body the platform gave about a job: its version, the job, the list. */
async function everythingShownAbout(jobId: number, versionId: number): Promise<string> {
  const answers = await Promise.all([
    api.ok('GET', `/v1/train/version/${versionId}`),
    api.ok('GET', `/v1/train/${jobId}`),
    api.ok('GET', '/v1/train'),
    api.ok('GET', `/v1/train/version/${versionId}/log?lastId=0`),
  ]);
  return answers.map((a) => a.text).join('\n');
}

describe('gitInfo on the local platform', () => {
  it('a BASIC_FRAMEWORK job trains from the cloned branch; the password is shown nowhere', async () => {
    const run = await runJob(gitJob(credentials()));
    expect(run.detail.status, run.text).toBe('FINISH');
    expect(
      run.lines.some((l) =>
        /^\[modelmaker\] gitInfo: cloned branch main of http:\/\/127\.0\.0\.1:\d+\/trainer\.git at [0-9a-f]{12} into the code directory$/.test(
          l,
        ),
      ),
    ).toBe(true);
    const output = await t.s3.send(
      new GetObjectCommand({
        Bucket: t.platform.s3.bucket,
        Key: `git/output/${jobs}/result.json`,
      }),
    );
    const result = JSON.parse(await output.Body!.transformToString());
    expect(result.marker).toBe('cloned from git');
    expect(result.data).toEqual(['rows.csv']);
    expect(result.cwd).toMatch(/code$/);

    expect(run.detail.gitInfo).toEqual({ username: git.username, branch: 'main', url: git.url('trainer') });
    const shown = await everythingShownAbout(run.jobId, run.versionId);
    expect(shown).not.toContain(git.password);
    expect(shown).not.toContain(encodeURIComponent(git.password));
    // No git process got the password on its command line.
    expect(await recorder.argv()).toContain('clone');
    expect(await recorder.argv()).not.toContain(git.password);
  });

  it('through the SDK: new Estimator(session, { gitInfo: { username, password, branch, url } }).fit(…)', async () => {
    const session = new Session({
      baseUrl: t.platform.baseUrl,
      username: t.platform.username,
      password: t.platform.password,
      configPath: false,
      level: 40,
    });
    const estimator = new Estimator(session, {
      frameworkType: 'BASIC_FRAMEWORK',
      framework: PYTHON_TRAIN,
      gitInfo: credentials(),
      bootFile: 'train.py',
      outputPath: `s3://${t.platform.s3.bucket}/git/sdk-output/`,
      trainInstanceType: SMALL_MACHINE,
      trainInstanceCount: 1,
      volumeSize: 1,
    });
    const last = await lastValueFrom(
      estimator.fit({ inputs: dataUrl, jobName: 'git-through-sdk', floorMs: 50, ceilingMs: 200 }),
    );
    expect(last).toMatchObject({ type: 'completed', job: { detail: { status: 'FINISH' } } });
    const detail = await firstValueFrom(estimator.info());
    expect(detail.gitInfo).toEqual({ username: git.username, branch: 'main', url: git.url('trainer') });
    expect(JSON.stringify(detail)).not.toContain(git.password);

    // model_git_info=[{…}] as the seed writes it, through Model.createModel.
    const { modelPath } = await uploadPredictModel(t.s3, t.platform, 'git-sdk-model', 'sdk');
    const registered = await lastValueFrom(
      new Model(session).createModel({
        modelName: 'git-sdk-model',
        modelVersion: '1.0.0',
        modelFrameworkType: 'BASIC_FRAMEWORK',
        modelFramework: PYTHON_PREDICT,
        modelGitInfo: [credentials({ branch: 'serve', url: git.url('predictor') })],
        modelPath,
        modelBootFile: 'predict.py',
      }),
    );
    const version = await api.ok('GET', `/v1/model/version/${registered.versionId}`);
    expect(version.json.gitInfo).toEqual([
      { username: git.username, branch: 'serve', url: git.url('predictor') },
    ]);
    expect(version.text).not.toContain(git.password);
  });

  it('a wrong password: STARTING_FAIL saying the credentials were refused, without the password', async () => {
    const wrong = 'definitely-Wrong-pw';
    const run = await runJob(gitJob(credentials({ password: wrong })));
    expect(run.detail.status).toBe('STARTING_FAIL');
    expect(run.detail.reason).toMatch(
      /^gitInfo: cannot clone http:\/\/127\.0\.0\.1:\d+\/trainer\.git \(branch "main"\): the repository refused the credentials/,
    );
    const shown = await everythingShownAbout(run.jobId, run.versionId);
    expect(shown).not.toContain(wrong);
    expect(shown).not.toContain(git.password);
  });

  it('an unknown branch: STARTING_FAIL naming the branch', async () => {
    const run = await runJob(gitJob(credentials({ branch: 'feature/none' })));
    expect(run.detail.status).toBe('STARTING_FAIL');
    expect(run.detail.reason).toContain(
      'there is no branch "feature/none" in the repository (gitInfo.branch)',
    );
  });

  it('an unreachable host: STARTING_FAIL at once, saying it cannot be reached', async () => {
    const run = await runJob(
      gitJob(credentials({ url: `http://127.0.0.1:${await closedPort()}/trainer.git` })),
    );
    expect(run.detail.status).toBe('STARTING_FAIL');
    expect(run.detail.reason).toContain('the repository cannot be reached (gitInfo.url)');
  });

  it('a stop while the repository is being cloned: STOPPED, the clone killed', async () => {
    const hole = await startBlackHole();
    try {
      await recorder.reset();
      const created = await api.ok('POST', '/v1/train', gitJob(credentials({ url: hole.url })));
      const versionId: number = created.json.versionId;
      const [pid] = await waitUntil(async () => {
        const pids = await recorder.pids();
        return pids.length > 0 && pids;
      });
      await api.ok('POST', `/v1/train/${versionId}/stop`, {});
      const stopped = await api.waitForStatus(versionId, ['STOPPED', 'STARTING_FAIL', 'FINISH']);
      expect(stopped.json.status).toBe('STOPPED');
      expect(await waitUntil(() => !isRunning(pid!))).toBe(true);
    } finally {
      await hole.close();
    }
  });

  it('gitInfo without url: a 400 at submit naming gitInfo.url', async () => {
    const { url: _url, ...withoutUrl } = credentials();
    const answer = await api.call('POST', '/v1/train', gitJob(withoutUrl));
    expect(answer.status).toBe(400);
    expect(answer.json.message).toContain('gitInfo.url: required on the local platform');
    expect(answer.text).not.toContain(git.password);
  });

  it('a model from model_git_info (a list, as the seed writes it) is served from the cloned code', async () => {
    const { modelPath } = await uploadPredictModel(t.s3, t.platform, 'git-model', 'git-tag');
    const created = await api.ok('POST', '/v1/model', {
      name: 'git-model',
      type: 'BASIC_FRAMEWORK',
      version: '1.0.0',
      frameworkId: PYTHON_PREDICT,
      modelPath,
      startup: 'predict.py',
      gitInfo: [credentials({ branch: 'serve', url: git.url('predictor') })],
    });
    const detail = await api.ok('GET', `/v1/model/version/${created.json.versionId}`);
    expect(detail.json.gitInfo).toEqual([
      { username: git.username, branch: 'serve', url: git.url('predictor') },
    ]);
    expect(detail.text).not.toContain(git.password);
    expect((await api.ok('GET', `/v1/model/${created.json.id}`)).text).not.toContain(git.password);

    const serviceId = await deploy(api, 'git-service', [serviceModel(created.json.versionId)]);
    const running = await waitForService(api, serviceId, ['RUNNING', 'FAILED'], 30_000);
    expect(running.status, JSON.stringify(running)).toBe('RUNNING');
    const answer = await predict(running.accessAddress, { instances: [[1, 2, 3]] });
    expect(answer.json).toMatchObject({ predictions: [6], tag: 'git-tag', framework: 'python3' });
    const logs = (await serviceLogs(api, serviceId)).map((l) => l.content);
    expect(logs.some((l) => l.includes('gitInfo: cloned branch serve of'))).toBe(true);
    expect(logs.join('\n')).not.toContain(git.password);
  });

  it('a model whose repository refuses the password: the service FAILED with a reason without it', async () => {
    const { modelPath } = await uploadPredictModel(t.s3, t.platform, 'git-model-bad', 'bad');
    const wrong = 'model-Wrong-pw';
    const created = await api.ok('POST', '/v1/model', {
      name: 'git-model-bad',
      type: 'BASIC_FRAMEWORK',
      version: '1.0.0',
      frameworkId: PYTHON_PREDICT,
      modelPath,
      startup: 'predict.py',
      gitInfo: [credentials({ branch: 'serve', url: git.url('predictor'), password: wrong })],
    });
    const serviceId = await deploy(api, 'git-service-bad', [serviceModel(created.json.versionId)]);
    const failed = await waitForService(api, serviceId, ['FAILED', 'RUNNING'], 30_000);
    expect(failed.status).toBe('FAILED');
    expect(failed.reason).toContain('the repository refused the credentials');
    expect(JSON.stringify(failed)).not.toContain(wrong);
    expect((await serviceLogs(api, serviceId)).map((l) => l.content).join('\n')).not.toContain(wrong);
  });
});
