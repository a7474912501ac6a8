import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { quote } from 'shell-quote';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/algorithms/dataset.js';
import { loadPredictor } from '../../src/algorithms/predictor.js';
import {
  BUCKET,
  collect,
  type Harness,
  lastStatus,
  linesOf,
  outputKeys,
  params,
  prepareRun,
  readObject,
  startHarness,
  statusesOf,
  trainBody,
  unsubscribeAll,
} from './harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterEach(unsubscribeAll);

afterAll(async () => {
  await harness?.close();
});

describe('runTraining with CUSTOM jobs', () => {
  it('runs command and args on the host when no engine is given, split like a POSIX shell, and logs the image', async () => {
    const body = trainBody({
      type: 'CUSTOM',
      frameworkId: undefined,
      startup: undefined,
      mirrorUrl: 'registry.example/team/train:1.0',
      command: quote([process.execPath]),
      args: `train-node.mjs "two words" 'single $HOME' \${NOT_EXPANDED} *.csv # a comment`,
      parameters: params({ MODE: 'env' }),
    });
    const { run$ } = await prepareRun(harness, body, { containerEngine: null });
    const events = await collect(run$);

    expect(lastStatus(events).status).toBe('FINISH');
    const lines = linesOf(events, 0);
    expect(lines).toContain(
      '[modelmaker] image registry.example/team/train:1.0 recorded; no container engine found: running ' +
        `${process.execPath} on the host`,
    );
    const argv = lines.find((l) => l.startsWith('ARGV '))!;
    expect(JSON.parse(argv.slice(5, argv.indexOf(' CWD ')))).toEqual([
      'two words',
      'single $HOME',
      '$NOT_EXPANDED',
      '*.csv',
    ]);
    expect(await outputKeys(harness.client, body.output)).toEqual(['rank-0.json']);
  });

  it('refuses shell operators in args with STARTING_FAIL, before running anything', async () => {
    const body = trainBody({ type: 'CUSTOM', mirrorUrl: 'img', command: 'node', args: 'train.js | tee log' });
    const events = await collect((await prepareRun(harness, body)).run$);
    expect(statusesOf(events)).toEqual(['DOWNLOAD_DATA', 'STARTING_FAIL']);
    expect(lastStatus(events).reason).toMatch(/shell operator \|/);
  });

  it('reports STARTING_FAIL naming the instance when the command cannot be spawned', async () => {
    const body = trainBody({ type: 'CUSTOM', mirrorUrl: 'img', command: '/no/such/program', args: '--flag' });
    const events = await collect((await prepareRun(harness, body)).run$);
    expect(statusesOf(events)).toEqual(['DOWNLOAD_DATA', 'TRAINING', 'STARTING_FAIL']);
    expect(lastStatus(events).reason).toMatch(/^instance 0 could not start: .*ENOENT/);
  });
});

describe('runTraining with PRESET_ALGORITHM jobs', () => {
  it('trains logistic regression on iris end to end: monitor lines, model.json and metrics.json uploaded, predictions right', async () => {
    const body = trainBody({
      type: 'PRESET_ALGORITHM',
      algorithmId: 500001,
      frameworkId: undefined,
      codeUrl: undefined,
      startup: undefined,
      dataUrl: `s3://${BUCKET}/data/`,
      parameters: params({ epochs: 15, label: 'species' }),
    });
    const { run$ } = await prepareRun(harness, body);
    const events = await collect(run$);

    expect(statusesOf(events), JSON.stringify(linesOf(events))).toEqual([
      'DOWNLOAD_DATA',
      'TRAINING',
      'FINISH',
    ]);
    expect(
      linesOf(events, 0, 'stdout').filter((l) => /^epoch=\d+ loss=[\d.]+ accuracy=[\d.]+$/.test(l)),
    ).toHaveLength(15);
    expect(await outputKeys(harness.client, body.output)).toEqual(['metrics.json', 'model.json']);

    const metrics = JSON.parse(await readObject(harness.client, `${body.output}metrics.json`));
    expect(metrics.accuracy).toBeGreaterThanOrEqual(0.9);
    const predict = loadPredictor(JSON.parse(await readObject(harness.client, `${body.output}model.json`)));
    const iris = parseCsv(
      await readFile(fileURLToPath(new URL('../../../../test/fixtures/iris.csv', import.meta.url)), 'utf8'),
    );
    const { predictions } = predict({ instances: iris.rows.map((r) => r.slice(0, 4)) });
    const accuracy = predictions.filter((p, i) => p === iris.rows[i]![4]).length / predictions.length;
    expect(accuracy).toBe(metrics.accuracy);
  });
});
