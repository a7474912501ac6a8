/**
 * The command line where a new user first trips: `services rm` on a running service,
 * `download` of an address with nothing there (or that fails), `config` on the profile
 * `modelmaker local` wrote, a command with nothing configured, `services info`'s timestamps, and errors that name the
 * flag or spec key the user wrote — for what the SDK checks before uploading and for
 * what the platform refuses in its own (wire) field names.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployed, Model, Predictor } from 'modelmaker';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERIFY_SSL_UNUSED } from '../src/config.js';
import { NO_PLATFORM_MESSAGE } from '../src/context.js';
import {
  cliEnv,
  fixturePath,
  NODE_TRAIN,
  PREDICT_MACHINE,
  runCli,
  startTestPlatform,
  stepsCodeDir,
  type TestPlatform,
  TRAIN_MACHINE,
} from './support.js';

/** The node PREDICT framework of the local catalog. */
const NODE_PREDICT = 500160;

let test: TestPlatform;
let serviceId: number;
let modelVersionId: number;

beforeAll(async () => {
  test = await startTestPlatform();
  // a running service: the tests' predict server, its "model" a tag file
  const code = join(test.dir, 'serve');
  mkdirSync(code);
  copyFileSync(fixturePath('predict-node.mjs'), join(code, 'predict.mjs'));
  const tag = join(test.dir, 'tag.txt');
  writeFileSync(tag, 'rough-edges');
  const bucket = test.platform.s3.bucket;
  await lastValueFrom(test.session.uploadData(tag, `s3://${bucket}/rough/tag.txt`));
  const model = new Model(test.session);
  const registered = await lastValueFrom(
    model.createModel({
      modelName: 'rough',
      modelVersion: '1.0.0',
      modelFramework: NODE_PREDICT,
      modelCodeDir: code,
      modelBootFile: 'predict.mjs',
      modelPath: `s3://${bucket}/rough/`,
    }),
  );
  const predictor = await lastValueFrom(
    model
      .deployPredictor({
        serviceName: 'rough',
        serviceModels: [{ weight: 100, resourceId: PREDICT_MACHINE, instanceCount: 1 }],
      })
      .pipe(deployed()),
  );
  serviceId = predictor.serviceId;
  modelVersionId = registered.versionId;
}, 60_000);

afterAll(async () => {
  await test?.close();
});

describe('services rm', () => {
  it('refuses a RUNNING service, saying how to go on; --force deletes it', async () => {
    const [refused, info] = await Promise.all([
      runCli(['services', 'rm', String(serviceId)], test.env),
      runCli(['services', 'info', String(serviceId)], test.env),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      `error: service ${serviceId} is RUNNING: stop it first (modelmaker services stop ${serviceId}), or give --force to delete it as it is`,
    );
    const still = await firstValueFrom(new Predictor(test.session, serviceId).info());
    expect(still.status).toBe('RUNNING');

    expect(info.code).toBe(0);
    // one timestamp format: local `YYYY-MM-DD hh:mm:ss`, no ISO text beside it
    const times = info.stdout.split('\n').filter((line) => /^\S*At:/.test(line));
    expect(times.length).toBeGreaterThanOrEqual(2);
    for (const line of times) expect(line).toMatch(/^\S+At: +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(info.stdout).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);

    const forced = await runCli(['services', 'rm', '--force', String(serviceId)], test.env);
    expect(forced.code).toBe(0);
    expect(forced.stdout.trim()).toBe(`deleted service ${serviceId}`);
  }, 60_000);
});

describe('download', () => {
  it('of an address with nothing there: exit 1, a clear message, no folder made', async () => {
    const bucket = test.platform.s3.bucket;
    const target = join(test.dir, 'nothing-here');
    const failedTarget = join(test.dir, 'failed');
    const kept = join(test.dir, 'kept');
    mkdirSync(kept);
    const [empty, failed, intoExisting] = await Promise.all([
      runCli(['download', `s3://${bucket}/no-such-prefix/`, target], test.env),
      // a download that fails (no such bucket)
      runCli(['download', 's3://no-such-bucket-here/data/', failedTarget], test.env),
      runCli(['download', `s3://${bucket}/no-such-prefix/`, kept], test.env),
    ]);
    expect(empty.code).toBe(1);
    expect(empty.stderr.trim().split('\n').at(-1)).toBe(
      `error: nothing to download at s3://${bucket}/no-such-prefix/: no object there or below it (${target} was not created)`,
    );
    expect(existsSync(target)).toBe(false);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^error: .*NoSuchBucket/m);
    expect(existsSync(failedTarget)).toBe(false);
    // a folder that was there stays
    expect(intoExisting.code).toBe(1);
    expect(existsSync(kept)).toBe(true);
  }, 60_000);
});

describe('config', () => {
  it("shows the local profile's verify_ssl false for what it is on a plain-http platform", async () => {
    const [text, json] = await Promise.all([
      runCli(['config'], test.env),
      runCli(['config', '--json'], test.env),
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      new RegExp(`^verifySsl: +${VERIFY_SSL_UNUSED.replace(/[()]/g, '\\$&')}$`, 'm'),
    );
    expect(JSON.parse(json.stdout)).toMatchObject({ verifySsl: false, baseUrl: test.platform.baseUrl });
  }, 30_000);

  it('with nothing configured, a command says how to get a platform (exit 2), not just which fields are missing', async () => {
    const home = join(test.dir, 'empty-home');
    mkdirSync(home);
    const env = cliEnv(home, '');
    delete env.MODELMAKER_CONFIG;
    const run = await runCli(['catalog', 'frameworks'], env);
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: ${NO_PLATFORM_MESSAGE}\n`,
    });
  }, 30_000);
});

describe('errors name what the user wrote', () => {
  it('train and services deploy: the flag or spec key, for the SDK checks and the platform refusals alike', async () => {
    const bucket = test.platform.s3.bucket;
    const code = stepsCodeDir(test.dir, 'code');
    const job = (name: string) => [
      'train',
      ...['--name', name, '--framework-type', 'BASIC_FRAMEWORK', '--framework', String(NODE_TRAIN)],
      ...['--code-dir', code, '--boot-file', 'train.mjs', '--inputs', `s3://${bucket}/rough/tag.txt`],
      ...['--output', `s3://${bucket}/out/`, '--instance-type', String(TRAIN_MACHINE)],
      ...['--instance-count', '1', '--volume-size', '1'],
    ];
    const spec = join(test.dir, 'job.json');
    writeFileSync(
      spec,
      JSON.stringify({
        job_name: 'spec',
        framework_type: 'BASIC_FRAMEWORK',
        framework: NODE_TRAIN,
        code_dir: './code',
        boot_file: 'nope.mjs',
        inputs: `s3://${bucket}/rough/tag.txt`,
        output_path: `s3://${bucket}/out/`,
        train_instance_type: TRAIN_MACHINE,
        train_instance_count: 1,
        volume_size: 1,
      }),
    );
    const [framework, bootFile, bucketMissing, resource] = await Promise.all([
      runCli([...job('unknown-framework'), '--framework', '999'], test.env),
      runCli(['train', spec], test.env),
      runCli([...job('no-bucket'), '--output', 's3://no-such-bucket/out/'], test.env),
      runCli(
        ['services', 'deploy', '--name', 'nowhere', '--model-version-id', String(modelVersionId)].concat([
          '--resource',
          '999',
        ]),
        test.env,
      ),
    ]);
    const lastLine = (run: { stderr: string }) => run.stderr.trimEnd().split('\n').at(-1);
    expect([framework.code, lastLine(framework)]).toEqual([
      2,
      'error: flags: invalid parameters: --framework: no TRAIN framework 999',
    ]);
    expect([bootFile.code, lastLine(bootFile)]).toEqual([
      2,
      `error: ${spec}: invalid parameters: boot_file: "nope.mjs" is not in code_dir ${code}`,
    ]);
    expect([bucketMissing.code, lastLine(bucketMissing)]).toEqual([
      2,
      'error: flags: invalid parameters: --output: the bucket "no-such-bucket" does not exist, so the output of s3://no-such-bucket/out/ could not be stored',
    ]);
    expect([resource.code, lastLine(resource)]).toEqual([
      2,
      'error: flags: invalid parameters: --resource: no PREDICT resource 999',
    ]);
    // nothing was created, nothing uploaded for the refused boot file
    const jobs = await runCli(['--json', 'jobs', 'ls'], test.env);
    expect(JSON.parse(jobs.stdout)).toEqual([]);
  }, 60_000);
});
