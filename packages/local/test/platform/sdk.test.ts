/**
 * The SDK itself (uploadData, fit, logs$, getTrainOutput, stopTrain, delete) against a
 * real local platform: real HTTP, real S3, real training processes (issue 5's SDK tests).
 * One platform serves every job; the token-expiry test has its own, with 1 s tokens.
 */

import { readFileSync } from 'node:fs';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { Session, TrainParams } from 'modelmaker';
import {
  authAccess,
  deleteTrain,
  deleteTrainVersion,
  fit,
  getTrainOutput,
  getTrainVersion,
  logs$,
  sourceFromSession,
  stopTrain,
  uploadData,
} from 'modelmaker';
import { lastValueFrom, map, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Of } from './helpers.js';
import {
  codeDir,
  fitAll,
  isPlatformNote,
  LOGISTIC_REGRESSION,
  logLines,
  metricValues,
  NODE_TRAIN,
  only,
  POLL,
  PYTHON_TRAIN,
  readAllLogs,
  repoPath,
  type SdkPlatform,
  startSdkPlatform,
  TRAIN_SMALL,
} from './sdkHelpers.js';

const IRIS = repoPath('examples/data/iris.csv');
const QUICKSTART_CODE = repoPath('examples/quickstart/code');
const CUSTOM_CODE = repoPath('examples/custom');
const ACCURACY = { name: 'accuracy', regular: 'accuracy=([0-9.]+)' } as const;
const NOT_FOUND = 4004;
const LINES = 200_000;

const stamp = Date.now();
let env: SdkPlatform;
let session: Session;
let dataUri: string;
const nodeFixture = codeDir([[repoPath('test/fixtures/train-node.mjs'), 'train.mjs']]);
const pythonFixture = codeDir([[repoPath('test/fixtures/train.py'), 'train.py']]);

/** The accuracies printed in log lines, in order. */
const accuracies = (contents: readonly string[]) =>
  contents.flatMap((content) => {
    const match = /accuracy=([0-9.]+)/.exec(content);
    return match ? [Number(match[1])] : [];
  });

/** What every job shares: machine, counts, an output path of its own. */
const common = (name: string) => ({
  jobName: `${name}-${stamp}`,
  trainInstanceType: TRAIN_SMALL,
  trainInstanceCount: 1,
  volumeSize: 1,
  outputPath: `s3://${env.bucket}/sdk-${stamp}/${name}/output/`,
});

/** Deletes the version, checks it is gone (4004), then deletes the job and checks that too. */
async function deleteAndCheck(s: Session, jobId: number, versionId: number): Promise<void> {
  await lastValueFrom(deleteTrainVersion(s, versionId));
  await expect(lastValueFrom(getTrainVersion(s, versionId))).rejects.toMatchObject({
    _tag: 'ApiError',
    errorCode: NOT_FOUND,
  });
  await lastValueFrom(deleteTrain(s, jobId));
  await expect(lastValueFrom(deleteTrain(s, jobId))).rejects.toMatchObject({
    _tag: 'ApiError',
    errorCode: NOT_FOUND,
  });
}

beforeAll(async () => {
  env = await startSdkPlatform();
  session = env.session;
  dataUri = `s3://${env.bucket}/sdk-${stamp}/data/iris.csv`;
  await lastValueFrom(uploadData(session, IRIS, dataUri));
});

afterAll(async () => {
  await env?.close();
  nodeFixture.remove();
  pythonFixture.remove();
});

describe('fit through the SDK, per framework type', () => {
  it('BASIC_FRAMEWORK node: uploads code and data, follows live logs and metrics, reads the output, deletes', async () => {
    const params: TrainParams = {
      ...common('node'),
      frameworkType: 'BASIC_FRAMEWORK',
      framework: NODE_TRAIN,
      codeDir: QUICKSTART_CODE,
      bootFile: 'train.mjs',
      inputs: dataUri,
      hyperparameters: [{ name: 'EPOCHS', value: 5 }],
      monitors: [ACCURACY],
    };
    const events = await fitAll(session, params);

    expect(events.some((e) => e.type === 'upload')).toBe(true);
    const created = only(events, 'created');
    const completed = only(events, 'completed');
    expect(completed.job).toMatchObject({ jobId: created.jobId, versionId: created.versionId });
    expect(completed.job.detail.status).toBe('FINISH');
    expect(completed.job.body.codeUrl).toMatch(new RegExp(`^s3://${env.bucket}/`));
    expect(events.at(-1)?.type).toBe('completed');

    const statuses = events.flatMap((e) => (e.type === 'status' ? [e.status] : []));
    expect(statuses).toContain('TRAINING');
    expect(statuses.at(-1)).toBe('FINISH');

    const lines = logLines(events);
    expect(lines.map((l) => l.id)).toEqual(lines.map((_, i) => i));
    const contents = lines.map((l) => l.content).filter((c) => !isPlatformNote(c));
    expect(contents[0]).toMatch(/^read 150 rows with features /);
    expect(contents.filter((c) => /^epoch=\d+ accuracy=/.test(c))).toHaveLength(5);
    expect(contents).toContain('model written');
    // live: the first line came while the job was still running
    const firstLog = events.findIndex((e) => e.type === 'line');
    const finish = events.findIndex((e) => e.type === 'status' && e.status === 'FINISH');
    expect(firstLog).toBeGreaterThan(-1);
    expect(firstLog).toBeLessThan(finish);

    const values = metricValues(events, 'accuracy');
    expect(values).toEqual(accuracies(contents));
    expect(values.at(-1)).toBeGreaterThan(0.8);

    const output = await lastValueFrom(getTrainOutput(session, created.versionId));
    expect(output.output).toBe(params.outputPath);
    expect(output.files.map((f) => f.key)).toEqual(['model.json']);

    await deleteAndCheck(session, created.jobId, created.versionId);
  });

  it('BASIC_FRAMEWORK python3 (stdlib script): logs with stderr, metrics, output, delete', async () => {
    const params: TrainParams = {
      ...common('python'),
      frameworkType: 'BASIC_FRAMEWORK',
      framework: PYTHON_TRAIN,
      codeDir: pythonFixture.path,
      bootFile: 'train.py',
      inputs: dataUri,
      hyperparameters: [{ name: 'EPOCHS', value: 3 }],
      monitors: [ACCURACY],
    };
    const events = await fitAll(session, params);
    const { job } = only(events, 'completed');
    expect(job.detail.status).toBe('FINISH');

    const lines = logLines(events);
    expect(lines.map((l) => l.id)).toEqual(lines.map((_, i) => i));
    const stdout = lines
      .filter((l) => l.stream !== 'stderr' && !isPlatformNote(l.content))
      .map((l) => l.content);
    expect(stdout).toEqual([
      'epoch=1 loss=0.5000 accuracy=0.60',
      'epoch=2 loss=0.3333 accuracy=0.70',
      'epoch=3 loss=0.2500 accuracy=0.80',
    ]);
    expect(lines.find((l) => l.content === 'python says hello on stderr')).toMatchObject({
      stream: 'stderr',
      instance: 0,
    });
    expect(metricValues(events, 'accuracy')).toEqual([0.6, 0.7, 0.8]);

    const output = await lastValueFrom(getTrainOutput(session, job.versionId));
    expect(output.files.map((f) => f.key)).toEqual(['rank-0.json']);
    expect(output.files[0]!.size).toBeGreaterThan(0);

    await deleteAndCheck(session, job.jobId, job.versionId);
  });

  it('PRESET_ALGORITHM logistic regression on iris: progress lines, metrics, model.json + metrics.json', async () => {
    const params: TrainParams = {
      ...common('preset'),
      frameworkType: 'PRESET_ALGORITHM',
      algorithm: LOGISTIC_REGRESSION,
      inputs: dataUri,
      hyperparameters: [{ name: 'epochs', value: 4 }],
      monitors: [ACCURACY],
    };
    const events = await fitAll(session, params);
    const { job } = only(events, 'completed');
    expect(job.detail.status).toBe('FINISH');

    const contents = logLines(events).map((l) => l.content);
    const progress = contents.filter((c) => /^epoch=\d+ .*accuracy=/.test(c));
    expect(progress).toHaveLength(4);
    const values = metricValues(events, 'accuracy');
    expect(values).toEqual(accuracies(contents));
    expect(values.at(-1)).toBeGreaterThan(0.7);

    const output = await lastValueFrom(getTrainOutput(session, job.versionId));
    expect(output.files.map((f) => f.key).sort()).toEqual(['metrics.json', 'model.json']);

    await deleteAndCheck(session, job.jobId, job.versionId);
  });

  it('CUSTOM: `node` with userCommandArgs runs the uploaded script; logs, metrics, output, delete', async () => {
    const params: TrainParams = {
      ...common('custom'),
      frameworkType: 'CUSTOM',
      userImageUrl: 'node:20-alpine',
      userCommand: 'node',
      userCommandArgs: 'train.mjs --epochs 4 --delay-ms 20',
      codeDir: CUSTOM_CODE,
      inputs: dataUri,
      monitors: [ACCURACY, { name: 'loss', regular: 'loss=([0-9.]+)' }],
    };
    const events = await fitAll(session, params);
    const { job } = only(events, 'completed');
    expect(job.detail.status).toBe('FINISH');
    expect(job.body.codeUrl).toMatch(new RegExp(`^s3://${env.bucket}/.*custom/?$`));

    const contents = logLines(events).map((l) => l.content);
    expect(contents).toContain('training for 4 epochs, learning rate 1');
    expect(contents.filter((c) => /^epoch=\d+ loss=[0-9.]+ accuracy=/.test(c))).toHaveLength(4);
    expect(metricValues(events, 'accuracy')).toEqual(accuracies(contents));
    expect(metricValues(events, 'loss')).toHaveLength(4);

    const output = await lastValueFrom(getTrainOutput(session, job.versionId));
    expect(output.files.map((f) => f.key)).toEqual(['model.json']);

    await deleteAndCheck(session, job.jobId, job.versionId);
  });

  it('stopTrain on a long-running job: fit fails with TrainingFailed STOPPED, then it can be deleted', async () => {
    const params: TrainParams = {
      ...common('stop'),
      frameworkType: 'BASIC_FRAMEWORK',
      framework: NODE_TRAIN,
      codeDir: nodeFixture.path,
      bootFile: 'train.mjs',
      inputs: dataUri,
      hyperparameters: [{ name: 'SLEEP', value: 120_000 }],
    };
    let ids: { jobId: number; versionId: number } | undefined;
    let stopSent = false;
    const started = Date.now();
    const failure = await lastValueFrom(
      fit(session, params, POLL).pipe(
        map((event) => {
          if (event.type === 'created') ids = { jobId: event.jobId, versionId: event.versionId };
          if (event.type === 'line' && event.line.content.startsWith('PIDS ') && !stopSent && ids) {
            stopSent = true;
            stopTrain(session, ids.versionId).subscribe();
          }
          return event;
        }),
        toArray(),
      ),
    ).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(stopSent).toBe(true);
    expect(failure).toMatchObject({ _tag: 'TrainingFailed', status: 'STOPPED', versionId: ids!.versionId });
    expect(Date.now() - started).toBeLessThan(30_000);
    const detail = await lastValueFrom(getTrainVersion(session, ids!.versionId));
    expect(detail.status).toBe('STOPPED');

    await deleteAndCheck(session, ids!.jobId, ids!.versionId);
  });
});

describe('logs$ through the SDK', () => {
  it(`delivers every one of ${LINES} lines once, in order`, async () => {
    const created = only(
      await fitAll(
        session,
        {
          ...common('lines'),
          frameworkType: 'BASIC_FRAMEWORK',
          framework: NODE_TRAIN,
          codeDir: nodeFixture.path,
          bootFile: 'train.mjs',
          inputs: dataUri,
          hyperparameters: [{ name: 'LINES', value: LINES }],
        },
        { wait: false },
      ),
      'created',
    );

    const events = await lastValueFrom(
      logs$(sourceFromSession(session), created.versionId, { ...POLL, limit: 10_000 }).pipe(
        map((event) =>
          event.type === 'line'
            ? { id: event.line.id, content: event.line.content, stream: event.line.stream }
            : { gap: `${event.from}..${event.to}` },
        ),
        toArray(),
      ),
    );
    expect(events.filter((e) => 'gap' in e)).toEqual([]);
    const lines = events as Array<{ id: number; content: string; stream?: string }>;
    // stdout alone: stderr is another pipe, its line may land anywhere between them
    const own = lines.filter((l) => l.stream !== 'stderr' && !isPlatformNote(l.content));

    let badId = -1;
    let badLine = -1;
    for (let i = 0; i < lines.length; i++) {
      if (badId < 0 && lines[i]!.id !== i) badId = i;
      if (badLine < 0 && i < LINES && own[i]?.content !== `line ${i}`) badLine = i;
    }
    expect(badId).toBe(-1);
    expect(badLine).toBe(-1);
    // the fixture goes on after its numbered lines: two epochs, a partial line (and a warning on stderr)
    const rest = own.slice(LINES).map((l) => l.content);
    expect(rest.filter((c) => c.startsWith('epoch='))).toEqual([
      'epoch=1 loss=0.5000 rows=150',
      'epoch=2 loss=0.3333 rows=150',
    ]);
    expect(
      lines.filter((l) => l.stream === 'stderr' && !isPlatformNote(l.content)).map((l) => l.content),
    ).toEqual(['a warning on stderr']);
    expect(rest).toContain('partial last line without newline');

    const detail = await lastValueFrom(getTrainVersion(session, created.versionId));
    expect(detail.status).toBe('FINISH');
    const stored = await readAllLogs(session, created.versionId);
    expect(stored.length).toBe(lines.length);
    expect(stored.at(-1)).toMatchObject({ id: lines.at(-1)!.id, content: lines.at(-1)!.content });

    await deleteAndCheck(session, created.jobId, created.versionId);
  }, 50_000);
});

describe('token expiry during a log stream', () => {
  let short: SdkPlatform;
  let tokenRequests = 0;
  let accessRequests = 0;

  beforeAll(async () => {
    short = await startSdkPlatform(
      { tokenTtlSeconds: 1 },
      {
        tokenRefreshMarginMs: 0,
        fetch: (input, init) => {
          const url = String(input instanceof Request ? input.url : input);
          if (url.endsWith('/v1/auth-token')) tokenRequests++;
          if (url.endsWith('/v1/account/auth-access')) accessRequests++;
          return fetch(input, init);
        },
      },
    );
  });

  it('keeps transferring once its temporary S3 keys expired with the token: new keys come with a new token', async () => {
    const s = short.session;
    const first = `s3://${short.bucket}/sdk-${stamp}/keys/first.csv`;
    await lastValueFrom(uploadData(s, IRIS, first));
    const access = await lastValueFrom(authAccess(s));
    expect(access.s3.ak).not.toBe(short.platform.s3.accessKeyId);
    const before = { token: tokenRequests, access: accessRequests };
    // The token, and the S3 keys handed out with it, expire.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const second = `s3://${short.bucket}/sdk-${stamp}/keys/second.csv`;
    await lastValueFrom(uploadData(s, IRIS, second));
    expect(accessRequests).toBeGreaterThan(before.access);
    expect(tokenRequests).toBeGreaterThan(before.token);
    const platformS3 = s3Of(short.platform);
    try {
      for (const uri of [first, second]) {
        const stored = await platformS3.send(
          new GetObjectCommand({ Bucket: short.bucket, Key: uri.split('/').slice(3).join('/') }),
        );
        expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(readFileSync(IRIS))).toBe(true);
      }
    } finally {
      platformS3.destroy();
    }
  });

  afterAll(async () => {
    await short?.close();
  });

  it('logs$ loses and repeats nothing while 1 s tokens expire under it', async () => {
    const s = short.session;
    const data = `s3://${short.bucket}/sdk-${stamp}/data/iris.csv`;
    await lastValueFrom(uploadData(s, IRIS, data));
    const created = only(
      await fitAll(
        s,
        {
          jobName: `expiry-${stamp}`,
          frameworkType: 'BASIC_FRAMEWORK',
          framework: NODE_TRAIN,
          trainInstanceType: TRAIN_SMALL,
          trainInstanceCount: 1,
          volumeSize: 1,
          outputPath: `s3://${short.bucket}/sdk-${stamp}/expiry/output/`,
          codeDir: QUICKSTART_CODE,
          bootFile: 'train.mjs',
          inputs: data,
          hyperparameters: [{ name: 'EPOCHS', value: 15 }],
        },
        { wait: false },
      ),
      'created',
    );
    const before = tokenRequests;
    const startedAt = Date.now();

    const events = await lastValueFrom(
      logs$(sourceFromSession(s), created.versionId, { ...POLL, waitSeconds: 1 }).pipe(toArray()),
    );
    const elapsed = Date.now() - startedAt;

    expect(events.every((e) => e.type === 'line')).toBe(true);
    const streamed = events.flatMap((e) => (e.type === 'line' ? [e.line] : []));
    expect(streamed.map((l) => l.id)).toEqual(streamed.map((_, i) => i));
    const contents = streamed.map((l) => l.content).filter((c) => !isPlatformNote(c));
    expect(contents.filter((c) => /^epoch=\d+ accuracy=/.test(c))).toHaveLength(15);
    expect(contents.at(-1)).toBe('model written');

    // the stream outlived several tokens: the session had to log in again meanwhile
    expect(elapsed).toBeGreaterThan(2_000);
    expect(tokenRequests - before).toBeGreaterThanOrEqual(2);

    const stored = await readAllLogs(s, created.versionId);
    expect(streamed.map((l) => [l.id, l.content])).toEqual(stored.map((l) => [l.id, l.content]));
  });
});
