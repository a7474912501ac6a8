import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LogLine, logs$, sourceFromSession } from 'modelmaker';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixturePath,
  NODE_TRAIN,
  ndjson,
  PREDICT_MACHINE,
  runCli,
  startTestPlatform,
  type TestPlatform,
  TRAIN_MACHINE,
} from './support.js';

let test: TestPlatform;

beforeAll(async () => {
  test = await startTestPlatform();
});

afterAll(async () => {
  await test?.close();
});

describe('modelmaker, train to prediction against a local platform', () => {
  it('uploads data, trains from a spec file, watches as NDJSON, registers a model, deploys it and predicts', async () => {
    const { dir, env } = test;
    const bucket = test.platform.s3.bucket;

    // A data folder that is also the "model": the CSV the job reads, tag.txt the predict server reads.
    const data = join(dir, 'data-folder');
    mkdirSync(data);
    copyFileSync(fixturePath('iris.csv'), join(data, 'iris.csv'));
    writeFileSync(join(data, 'tag.txt'), 'iris-cli');
    const uploaded = await runCli(['upload', data, `s3://${bucket}/datasets/iris/`], env);
    expect(uploaded.stderr).not.toMatch(/error/i);
    expect(uploaded.code).toBe(0);
    expect(uploaded.stdout).toMatch(/2 files sent/);

    // The training code, in a local dir next to the spec, uploaded by `train` with progress lines.
    const project = join(dir, 'project');
    mkdirSync(join(project, 'code'), { recursive: true });
    copyFileSync(fixturePath('train-node.mjs'), join(project, 'code', 'train.mjs'));
    const spec = join(project, 'job.json');
    writeFileSync(
      spec,
      JSON.stringify({
        job_name: 'iris-cli',
        framework_type: 'BASIC_FRAMEWORK',
        framework: NODE_TRAIN,
        code_dir: './code',
        boot_file: 'train.mjs',
        inputs: `s3://${bucket}/datasets/iris/`,
        output_path: `s3://${bucket}/jobs/iris-cli/output/`,
        train_instance_type: TRAIN_MACHINE,
        train_instance_count: 1,
        volumeSize: 1,
        monitors: [{ name: 'loss', regular: 'loss=([0-9.]+)' }],
      }),
    );
    const trained = await runCli(['train', spec], env);
    expect(trained.stderr).toMatch(/upload .*code: 100%/);
    expect(trained.code).toBe(0);
    const created = /created job iris-cli \(id (\d+)\), version (\d+)/.exec(trained.stdout);
    expect(created).not.toBeNull();
    const jobId = Number(created![1]);
    const versionId = Number(created![2]);

    const watched = await runCli(['jobs', 'watch', String(versionId), '--json'], env);
    expect(watched.code).toBe(0);
    const events = ndjson(watched.stdout);
    const types = new Set(events.map((event) => event.type));
    expect([...types]).toEqual(expect.arrayContaining(['status', 'line', 'metric', 'end']));
    expect(events.at(-1)).toEqual({ type: 'end', versionId, status: 'FINISH', exitCode: 0 });
    expect(events.filter((e) => e.type === 'status').at(-1)).toMatchObject({
      status: 'FINISH',
      terminal: true,
    });
    const lineEvents = events.filter((e) => e.type === 'line');
    expect(lineEvents.map((e) => (e.line as LogLine).content)).toContain('epoch=2 loss=0.3333 rows=150');
    // One shape for a log line: the CLI's NDJSON (watch and logs) is the SDK's logs$ event, as JSON.
    const sdkEvents = await lastValueFrom(logs$(sourceFromSession(test.session), versionId).pipe(toArray()));
    const logged = await runCli(['jobs', 'logs', String(versionId), '--json'], env);
    expect(lineEvents).toEqual(JSON.parse(JSON.stringify(sdkEvents)));
    expect(ndjson(logged.stdout)).toEqual(JSON.parse(JSON.stringify(sdkEvents)));
    expect(sdkEvents[0]).toEqual({
      type: 'line',
      line: expect.objectContaining({ id: 0, content: expect.any(String) }),
    });
    expect(events.filter((e) => e.type === 'metric').map((e) => e.value)).toEqual([0.5, 0.3333]);

    // The model: name, kind and serving framework from the finished job; the files and code given.
    const serve = join(dir, 'serve');
    mkdirSync(serve);
    copyFileSync(fixturePath('predict-node.mjs'), join(serve, 'predict.mjs'));
    const model = await runCli(
      [
        '--json',
        'models',
        'create',
        '--from-job',
        String(jobId),
        '--model-version',
        '1.0.0',
        '--path',
        `s3://${bucket}/datasets/iris/`,
        '--code-dir',
        serve,
        '--boot-file',
        'predict.mjs',
      ],
      env,
    );
    expect(model.stderr).toBe('');
    expect(model.code).toBe(0);
    const registered = ndjson(model.stdout).at(-1)!;
    expect(registered).toMatchObject({
      type: 'created',
      name: 'iris-cli',
      version: '1.0.0',
      trainingVersionId: versionId,
    });

    const deployed = await runCli(
      [
        'services',
        'deploy',
        '--name',
        'iris-cli',
        '--model-version-id',
        String(registered.versionId),
        '--resource',
        String(PREDICT_MACHINE),
      ],
      env,
    );
    expect(deployed.code).toBe(0);
    const running = /service (\d+) is RUNNING at (\S+)/.exec(deployed.stdout);
    expect(running).not.toBeNull();

    const request = join(dir, 'request.json');
    writeFileSync(
      request,
      JSON.stringify({
        instances: [
          [1, 2, 3],
          [4, 5, 6],
        ],
      }),
    );
    const answer = await runCli(['predict', running![1]!, '--data', `@${request}`], env);
    expect(answer.code).toBe(0);
    expect(JSON.parse(answer.stdout)).toMatchObject({ predictions: [6, 15], tag: 'iris-cli' });

    const output = join(dir, 'output');
    const downloaded = await runCli(['download', `s3://${bucket}/jobs/iris-cli/output/`, output], env);
    expect(downloaded.code).toBe(0);
    expect(JSON.parse(readFileSync(join(output, 'rank-0.json'), 'utf8'))).toMatchObject({ rows: 150 });

    // Every list command's --json output parses, and shows what was just made.
    const lists = await Promise.all(
      [
        ['catalog', 'machines'],
        ['catalog', 'frameworks', '--env', 'PREDICT'],
        ['catalog', 'algorithms'],
        ['catalog', 'models'],
        ['jobs', 'ls'],
        ['models', 'ls'],
        ['services', 'ls'],
        ['jobs', 'resources', String(versionId)],
      ].map((args) => runCli(['--json', ...args], env)),
    );
    for (const list of lists) {
      expect(list.stderr).toBe('');
      expect(list.code).toBe(0);
      expect(Array.isArray(JSON.parse(list.stdout))).toBe(true);
    }
    const [machines, frameworks, , , jobs, models, services] = lists.map((list) => JSON.parse(list.stdout));
    expect(machines.map((m: { id: number }) => m.id)).toContain(TRAIN_MACHINE);
    expect(frameworks.map((f: { env?: string; name: string }) => f.name)).toContain('node');
    expect(jobs).toEqual([expect.objectContaining({ name: 'iris-cli', status: 'FINISH' })]);
    expect(models).toEqual([expect.objectContaining({ name: 'iris-cli' })]);
    expect(services).toEqual([expect.objectContaining({ name: 'iris-cli', status: 'RUNNING' })]);
  }, 90_000);

  it('shows the effective settings with the password masked, and no S3 secret (it comes from auth-access)', async () => {
    const shown = await runCli(['config', '--json'], test.env);
    expect(shown.code).toBe(0);
    const settings = JSON.parse(shown.stdout);
    expect(settings).toMatchObject({
      username: test.platform.username,
      password: '***',
      baseUrl: test.platform.baseUrl,
      configPath: test.configPath,
    });
    expect(settings).not.toHaveProperty('secretKey');
    expect(shown.stdout).not.toContain(test.platform.password);
    expect(shown.stdout).not.toContain(test.platform.s3.secretAccessKey);
  });
});
