import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_FRAMEWORK, nodeJob, startTestPlatform } from './helpers.js';

const TRAIN_SCRIPT = `
const fs = require('node:fs');
const path = require('node:path');
const rows = fs.readFileSync(path.join(process.env.MODELMAKER_DATA_DIR, 'data.csv'), 'utf8').trim().split('\\n');
console.log('rows ' + rows.length + ' rank ' + process.env.MODELMAKER_INSTANCE_RANK);
for (let epoch = 1; epoch <= 3; epoch++) console.log('epoch ' + epoch + ' loss=' + (1 / epoch).toFixed(3));
console.error('a warning');
fs.writeFileSync(path.join(process.env.MODELMAKER_OUTPUT_DIR, 'model.txt'), 'weights');
`;

const SLEEP_SCRIPT = `console.log('sleeping'); setInterval(() => {}, 1000);`;

let env: Awaited<ReturnType<typeof startTestPlatform>>;

beforeAll(async () => {
  env = await startTestPlatform();
});

afterAll(async () => {
  await env?.close();
});

describe('training through plain HTTP', () => {
  it('runs a BASIC_FRAMEWORK Node job to FINISH, with logs, a metric, samples and its output', async () => {
    const { api, s3, platform } = env;
    const body = await nodeJob(s3, platform, 'full', TRAIN_SCRIPT, {
      monitors: [{ name: 'loss', regular: 'loss=([0-9.]+)' }],
      parameters: [{ name: 'lr', value: '0.1' }],
    });
    const created = await api.ok('POST', '/v1/train', body);
    expect(created.json).toEqual({ id: expect.any(Number), versionId: expect.any(Number) });
    const { id: jobId, versionId } = created.json;

    const done = await api.waitForStatus(versionId, ['FINISH', 'TRAINING_FAIL', 'STARTING_FAIL']);
    expect(done.json).toMatchObject({
      status: 'FINISH',
      id: versionId,
      jobId,
      name: 'full',
      type: 'BASIC_FRAMEWORK',
      exitCode: 0,
      output: body.output,
      frameworkId: NODE_FRAMEWORK,
      startup: 'train.js',
      parameters: [{ name: 'lr', value: '0.1' }],
      createdAt: expect.stringMatching(/^\d{4}-/),
      startedAt: expect.stringMatching(/^\d{4}-/),
      finishedAt: expect.stringMatching(/^\d{4}-/),
    });

    const logs = await api.allLogs(versionId);
    expect(logs.map((l) => l.id)).toEqual(logs.map((_, i) => i));
    const contents = logs.map((l) => l.content);
    expect(contents).toContain('rows 3 rank 0');
    expect(contents).toContain('epoch 3 loss=0.333');
    expect(logs.find((l) => l.content === 'a warning')).toMatchObject({ stream: 'stderr', instance: 0 });

    const performance = await api.ok('GET', `/v1/train/version/${versionId}/performance-monitor`);
    expect(performance.json.metrics).toEqual([
      {
        name: 'loss',
        points: [
          { time: expect.any(String), value: 1 },
          { time: expect.any(String), value: 0.5 },
          { time: expect.any(String), value: 0.333 },
        ],
      },
    ]);

    const resources = await api.ok('GET', `/v1/train/version/${versionId}/resource-monitor`);
    expect(Array.isArray(resources.json.samples)).toBe(true);

    const output = await api.ok('GET', `/v1/train/version/${versionId}/output`);
    expect(output.json).toEqual({
      output: body.output,
      files: [{ key: 'model.txt', size: 7, lastModified: expect.any(String), etag: expect.any(String) }],
    });

    const job = await api.ok('GET', `/v1/train/${jobId}`);
    expect(job.json).toMatchObject({
      id: jobId,
      name: 'full',
      type: 'BASIC_FRAMEWORK',
      versions: [{ id: versionId, status: 'FINISH' }],
    });
    const list = await api.ok('GET', '/v1/train');
    expect(list.json.trainTasks).toContainEqual(
      expect.objectContaining({ id: jobId, name: 'full', latestVersionId: versionId, status: 'FINISH' }),
    );
  });

  it('answers a name clash with 200 / 102009 and creates nothing; a new version goes through /version', async () => {
    const { api, s3, platform } = env;
    const body = await nodeJob(s3, platform, 'clash', TRAIN_SCRIPT);
    const first = await api.ok('POST', '/v1/train', body);
    const again = await api.call('POST', '/v1/train', body);
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ errorCode: 102009, message: expect.stringContaining('clash') });
    const second = await api.ok('POST', `/v1/train/${first.json.id}/version`, body);
    expect(second.json.id).toBe(first.json.id);
    expect(second.json.versionId).toBeGreaterThan(first.json.versionId);
    await api.waitForStatus(first.json.versionId, ['FINISH']);
    await api.waitForStatus(second.json.versionId, ['FINISH']);
    const job = await api.ok('GET', `/v1/train/${first.json.id}`);
    expect(job.json.versions.map((v: { id: number }) => v.id)).toEqual([
      first.json.versionId,
      second.json.versionId,
    ]);
  });

  it('stops a running version (STOPPING → STOPPED), refuses to delete it while running, then deletes it', async () => {
    const { api, s3, platform } = env;
    const body = await nodeJob(s3, platform, 'sleeper', SLEEP_SCRIPT);
    const { id: jobId, versionId } = (await api.ok('POST', '/v1/train', body)).json;
    await api.waitForStatus(versionId, ['TRAINING']);
    const busy = await api.call('DELETE', `/v1/train/${jobId}`);
    expect(busy.status).toBe(409);
    expect(busy.json.errorCode).toBe(4009);
    expect((await api.call('DELETE', `/v1/train/version/${versionId}`)).json.errorCode).toBe(4009);

    expect((await api.ok('POST', `/v1/train/${versionId}/stop`, {})).json).toEqual({});
    const stopped = await api.waitForStatus(versionId, ['STOPPED']);
    expect(stopped.json.reason).toBeDefined();
    expect((await api.ok('POST', `/v1/train/${versionId}/stop`, {})).json).toEqual({});

    await api.ok('DELETE', `/v1/train/version/${versionId}`);
    expect((await api.call('GET', `/v1/train/version/${versionId}`)).status).toBe(404);
    await api.ok('DELETE', `/v1/train/${jobId}`);
    expect((await api.call('GET', `/v1/train/${jobId}`)).status).toBe(404);
  });

  it('never sends true, false or null in any response body', () => {
    expect(env.api.texts.length).toBeGreaterThan(10);
    for (const text of env.api.texts) expect(text).not.toMatch(/\btrue\b|\bfalse\b|\bnull\b/);
  });
});
