/**
 * The seed's `input_files` and `init_model` on one local platform (raw HTTP, as any
 * client sends them): input files land in the job's data dir under their names; the
 * initial model reaches the job as `MODELMAKER_INIT_MODEL_DIR` and the preset
 * algorithms continue from it; what the platform cannot fetch (`docker://…`, a name
 * leaving the data dir) is a 400 at submit naming the field.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORKS, PRESET_ALGORITHMS } from '../../src/catalog.js';
import { type Api, put, SMALL_MACHINE, startTestPlatform } from './helpers.js';

const PYTHON_TRAIN = FRAMEWORKS.find((f) => f.env === 'TRAIN' && /python/.test(f.name))!.id;
const LOGISTIC_REGRESSION = PRESET_ALGORITHMS.find((a) => a.algorithm === 'logistic-regression')!.id;
const IRIS = readFileSync(
  fileURLToPath(new URL('../../../../test/fixtures/iris.csv', import.meta.url)),
  'utf8',
);

/** Lists the data dir and the init model dir (relative paths and contents) into the output. */
const LIST_PY = `import json, os
def tree(root):
    found = {}
    for base, _, files in os.walk(root):
        for name in files:
            path = os.path.join(base, name)
            with open(path) as f:
                found[os.path.relpath(path, root)] = f.read()
    return found
init = os.environ.get("MODELMAKER_INIT_MODEL_DIR")
with open(os.path.join(os.environ["MODELMAKER_OUTPUT_DIR"], "seen.json"), "w") as f:
    json.dump({"data": tree(os.environ["MODELMAKER_DATA_DIR"]), "init": tree(init) if init else None}, f)
`;

let t: Awaited<ReturnType<typeof startTestPlatform>>;
let api: Api;
let bucket: string;

beforeAll(async () => {
  t = await startTestPlatform();
  api = t.api;
  bucket = t.platform.s3.bucket;
  await put(t.s3, t.platform, 'inputs/code/list.py', LIST_PY);
  await put(t.s3, t.platform, 'inputs/data/main.csv', 'a,b\n1,2\n');
  await put(t.s3, t.platform, 'inputs/files/sf.bin', 'sf content');
  await put(t.s3, t.platform, 'inputs/files/words.txt', 'alpha\nbeta\n');
  await put(t.s3, t.platform, 'inputs/folder/one.txt', '1');
  await put(t.s3, t.platform, 'inputs/folder/deep/two.txt', '2');
  await put(t.s3, t.platform, 'inputs/init/weights.txt', 'w');
  await put(t.s3, t.platform, 'iris/iris.csv', IRIS);
});

afterAll(async () => {
  await t?.close();
});

async function readOutput(key: string): Promise<string> {
  const answer = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return answer.Body!.transformToString();
}

let jobs = 0;
function listJob(extra: Record<string, unknown>) {
  jobs += 1;
  return {
    name: `inputs-${jobs}`,
    type: 'BASIC_FRAMEWORK',
    frameworkId: PYTHON_TRAIN,
    resourceId: SMALL_MACHINE,
    codeUrl: `s3://${bucket}/inputs/code/`,
    startup: 'list.py',
    dataUrl: `s3://${bucket}/inputs/data/main.csv`,
    output: `s3://${bucket}/inputs/output/${jobs}/`,
    ...extra,
  };
}

function presetJob(name: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    type: 'PRESET_ALGORITHM',
    algorithmId: LOGISTIC_REGRESSION,
    resourceId: SMALL_MACHINE,
    dataUrl: `s3://${bucket}/iris/iris.csv`,
    output: `s3://${bucket}/presets/${name}/`,
    parameters: [
      { name: 'epochs', value: 3 },
      { name: 'learningRate', value: 0.1 },
    ],
    ...extra,
  };
}

async function run(body: Record<string, unknown>) {
  const created = await api.ok('POST', '/v1/train', body);
  const detail = await api.waitForStatus(
    created.json.versionId,
    ['FINISH', 'STARTING_FAIL', 'TRAINING_FAIL'],
    30_000,
  );
  const lines = (await api.allLogs(created.json.versionId)).map((l) => l.content);
  return { detail: detail.json, text: detail.text, lines };
}

const lossOf = (line: string | undefined) => Number(/loss=([0-9.]+)/.exec(line ?? '')?.[1]);

describe('inputFiles', () => {
  it('land in the data dir under their names: objects as files, a prefix as a folder', async () => {
    const job = run(
      listJob({
        inputFiles: [
          { name: 'sf', path: `s3://${bucket}/inputs/files/sf.bin` },
          { name: 'vocab/words.txt', path: `s3://${bucket}/inputs/files/words.txt` },
          { name: 'extra', path: `s3://${bucket}/inputs/folder` },
        ],
        modeUrl: `s3://${bucket}/inputs/init/`,
      }),
    );
    const { detail, text, lines } = await job;
    expect(detail.status, text).toBe('FINISH');
    const seen = JSON.parse(await readOutput(`inputs/output/${jobs}/seen.json`));
    expect(seen.data).toEqual({
      'main.csv': 'a,b\n1,2\n',
      sf: 'sf content',
      'vocab/words.txt': 'alpha\nbeta\n',
      'extra/one.txt': '1',
      'extra/deep/two.txt': '2',
    });
    // The initial model reaches any job as MODELMAKER_INIT_MODEL_DIR.
    expect(seen.init).toEqual({ 'weights.txt': 'w' });
    expect(lines).toContain(
      `[modelmaker] inputFiles[0] (sf): 1 file(s), 10 B from s3://${bucket}/inputs/files/sf.bin`,
    );
    expect(lines.some((l) => l.startsWith('[modelmaker] inputFiles[2] (extra): 2 file(s)'))).toBe(true);
    expect(lines.some((l) => l.includes('(MODELMAKER_INIT_MODEL_DIR)'))).toBe(true);
  });

  it('one that holds nothing ends the job STARTING_FAIL naming it', async () => {
    const { detail } = await run(
      listJob({ inputFiles: [{ name: 'gone', path: `s3://${bucket}/inputs/none.csv` }] }),
    );
    expect(detail.status).toBe('STARTING_FAIL');
    expect(detail.reason).toBe(`inputFiles[0].path: nothing found at s3://${bucket}/inputs/none.csv`);
  });

  it('a docker:// path (the seed table’s example) or a name leaving the data dir: 400 naming the field', async () => {
    const docker = await api.call(
      'POST',
      '/v1/train',
      listJob({ inputFiles: [{ name: 'sf', path: 'docker://sd' }] }),
    );
    expect(docker.status).toBe(400);
    expect(docker.json.message).toContain('inputFiles[0].path: expected an s3://bucket/key address');
    expect(docker.json.message).toContain('docker:// given');
    const leaving = await api.call(
      'POST',
      '/v1/train',
      listJob({ inputFiles: [{ name: '../x', path: `s3://${bucket}/inputs/files/sf.bin` }] }),
    );
    expect(leaving.status).toBe(400);
    expect(leaving.json.message).toContain('inputFiles[0].name: expected a file name or a relative path');
    expect(
      (await api.ok('GET', '/v1/train')).json.trainTasks.map((j: { name: string }) => j.name),
    ).not.toContain(`inputs-${jobs}`);
  });
});

describe('initModel (modeUrl)', () => {
  it('a preset algorithm continues from the initial model: it starts at the loss the first training ended with', async () => {
    const cold = await run(presetJob('cold'));
    expect(cold.detail.status, cold.text).toBe('FINISH');
    const coldEpochs = cold.lines.filter((l) => l.startsWith('epoch='));
    expect(coldEpochs).toHaveLength(3);

    const warm = await run(presetJob('warm', { modeUrl: `s3://${bucket}/presets/cold/` }));
    expect(warm.detail.status, warm.text).toBe('FINISH');
    expect(warm.lines).toContain('logistic-regression: warm start from the initial model model.json');
    const warmEpochs = warm.lines.filter((l) => l.startsWith('epoch='));
    expect(warmEpochs[0]).toMatch(/^epoch=0 /);
    expect(lossOf(warmEpochs[0])).toBe(lossOf(coldEpochs.at(-1)));
    expect(lossOf(warmEpochs[1])).toBeLessThan(lossOf(coldEpochs[0]));
    expect(lossOf(warmEpochs.at(-1))).toBeLessThan(lossOf(coldEpochs.at(-1)));
  });

  it('an initial model of another kind fails the job with exit 2 and a reason from the algorithm', async () => {
    const { detail, lines } = await run(presetJob('not-a-model', { modeUrl: `s3://${bucket}/inputs/init/` }));
    expect(detail.status).toBe('TRAINING_FAIL');
    expect(detail.exitCode).toBe(2);
    expect(lines.join('\n')).toContain('holds no model.json');
  });

  it('docker://sd (the seed table’s example): a 400 naming modeUrl, nothing created', async () => {
    const answer = await api.call('POST', '/v1/train', presetJob('docker-init', { modeUrl: 'docker://sd' }));
    expect(answer.status).toBe(400);
    expect(answer.json.message).toContain('modeUrl: expected an s3://bucket/key address');
    expect(answer.json.message).toContain('a docker:// image cannot be used as an initial model here');
    expect(
      (await api.ok('GET', '/v1/train')).json.trainTasks.map((j: { name: string }) => j.name),
    ).not.toContain('docker-init');
  });
});
