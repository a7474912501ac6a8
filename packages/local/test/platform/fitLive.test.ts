/**
 * What a user of `fit` sees of a job on the real local platform, with the SDK's default
 * polling: the status reaches `TRAINING` before the program's first line, metrics come
 * with their lines (not in a batch at the end), the terminal status comes after every
 * line and metric, and a program that throws fails with its own error in the message.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FitEvent, Session, TrainParams } from 'modelmaker';
import { fit, hasTag, uploadData } from 'modelmaker';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isPlatformNote,
  NODE_TRAIN,
  PYTHON_TRAIN,
  repoPath,
  type SdkPlatform,
  startSdkPlatform,
  TRAIN_SMALL,
} from './sdkHelpers.js';

/** Time between two epochs of the ticking program, ms: long enough for a read to land between them. */
const EPOCH_MS = 400;
const EPOCHS = 5;

const TICKING = `
for (let epoch = 1; epoch <= ${EPOCHS}; epoch++) {
  console.log(\`epoch=\${epoch} accuracy=\${(0.5 + epoch / 20).toFixed(2)}\`);
  await new Promise((resolve) => setTimeout(resolve, ${EPOCH_MS}));
}
`;
const THROWING_NODE = `console.log('loading');\nthrow new Error('boom');\n`;
const THROWING_PYTHON = `print('loading')\nraise ValueError('bad label: 7')\n`;

let env: SdkPlatform;
let session: Session;
let dataUri: string;
const dirs: string[] = [];
const stamp = Date.now();

/** A code directory holding one boot file. */
function code(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mm-fit-live-'));
  dirs.push(dir);
  writeFileSync(join(dir, name), text);
  return dir;
}

function params(name: string, framework: number, bootFile: string, text: string): TrainParams {
  return {
    jobName: `${name}-${stamp}`,
    frameworkType: 'BASIC_FRAMEWORK',
    framework,
    codeDir: code(bootFile, text),
    bootFile,
    inputs: dataUri,
    outputPath: `s3://${env.bucket}/fit-live-${stamp}/${name}/`,
    trainInstanceType: TRAIN_SMALL,
    trainInstanceCount: 1,
    volumeSize: 1,
    monitors: [{ name: 'accuracy', regular: 'accuracy=([0-9.]+)' }],
  };
}

beforeAll(async () => {
  env = await startSdkPlatform();
  session = env.session;
  dataUri = `s3://${env.bucket}/fit-live-${stamp}/data/iris.csv`;
  await lastValueFrom(uploadData(session, repoPath('examples/data/iris.csv'), dataUri));
});

afterAll(async () => {
  await env?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('fit on the local platform, default polling', () => {
  it('TRAINING comes before the first program line; each metric comes with its line; FINISH after all', async () => {
    const events: FitEvent[] = await lastValueFrom(
      fit(session, params('ticking', NODE_TRAIN, 'train.mjs', TICKING)).pipe(toArray()),
    );
    const at = (test: (e: FitEvent) => boolean) => events.findIndex(test);
    const programLines = events.flatMap((e, i) =>
      e.type === 'line' && !isPlatformNote(e.line.content) ? [{ index: i }] : [],
    );
    expect(programLines).toHaveLength(EPOCHS);
    const training = at((e) => e.type === 'status' && e.status === 'TRAINING');
    expect(training).toBeGreaterThan(-1);
    expect(training).toBeLessThan(programLines[0]!.index);

    // each value arrives before the line printed two epochs after the one it was read from
    const metrics = events.flatMap((e, i) =>
      e.type === 'metric' ? [{ index: i, value: e.sample.value }] : [],
    );
    expect(metrics.map((m) => m.value)).toEqual([0.55, 0.6, 0.65, 0.7, 0.75]);
    for (const [n, metric] of metrics.entries()) {
      const later = programLines[n + 2];
      if (later) expect(metric.index, `metric ${n + 1} came late`).toBeLessThan(later.index);
    }

    const finish = at((e) => e.type === 'status' && e.status === 'FINISH');
    const lastOther = events.findLastIndex((e) => e.type === 'line' || e.type === 'metric');
    expect(finish).toBeGreaterThan(lastOther);
    expect(events.at(-1)?.type).toBe('completed');
  }, 30_000);

  it.each([
    ['node', NODE_TRAIN, 'train.mjs', THROWING_NODE, 'Error: boom'],
    ['python', PYTHON_TRAIN, 'train.py', THROWING_PYTHON, 'ValueError: bad label: 7'],
  ])(
    'a %s program that throws fails with its own error in the message',
    async (name, framework, boot, text, said) => {
      const failure = await lastValueFrom(
        fit(session, params(`throws-${name}`, framework, boot, text)),
      ).catch((error: unknown) => error);
      expect(hasTag(failure, 'TrainingFailed')).toBe(true);
      const { versionId } = failure as { versionId: number };
      expect((failure as Error).message).toBe(
        `training version ${versionId} ended TRAINING_FAIL: instance 0 exited with code 1; the program's error: ${said}`,
      );
      expect(failure).toMatchObject({ programError: said, exitCode: 1 });
    },
    30_000,
  );

  it('wait: false with a local codeDir: upload events, then created, the last event', async () => {
    const events = await lastValueFrom(
      fit(session, params('no-wait', NODE_TRAIN, 'train.mjs', TICKING), { wait: false }).pipe(toArray()),
    );
    const types = [...new Set(events.map((e) => e.type))];
    expect(types).toEqual(['upload', 'created']);
    expect(events.at(-1)).toMatchObject({ type: 'created', attached: false });
    const created = await lastValueFrom(
      fit(session, params('no-wait', NODE_TRAIN, 'train.mjs', TICKING), { wait: false }),
    );
    expect(created.type).toBe('created');
  });
});
