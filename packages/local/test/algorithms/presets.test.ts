import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { applyMonitors, compileMonitors } from 'modelmaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/algorithms/dataset.js';
import { presetTrainingCommand } from '../../src/algorithms/entry.js';
import { PRESET_ALGORITHM_NAMES, type PresetAlgorithmName } from '../../src/algorithms/names.js';
import { loadPredictor } from '../../src/algorithms/predictor.js';
import { trainPreset } from '../../src/algorithms/train.js';

const IRIS = fileURLToPath(new URL('../../../../test/fixtures/iris.csv', import.meta.url));
const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];

let irisText: string;
let root: string;

beforeAll(async () => {
  irisText = await readFile(IRIS, 'utf8');
  root = await mkdtemp(join(tmpdir(), 'mm-presets-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function monitorValues(lines: readonly string[], name: string, regular: string): number[] {
  const compiled = compileMonitors([{ name, regular }]);
  if (E.isLeft(compiled)) throw compiled.left;
  return lines.flatMap((line) => applyMonitors(compiled.right, line).map((m) => m.value));
}

/** Runs a command to its end, collecting its output. */
function run(command: string, args: readonly string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, [...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('preset algorithms', () => {
  it('logistic regression on iris reaches 0.9 accuracy and logs one monitor-parseable line per epoch', () => {
    const lines: string[] = [];
    const result = trainPreset('logistic-regression', parseCsv(irisText), { epochs: '30' }, (l) =>
      lines.push(l),
    );

    expect(result.metrics.accuracy).toBeGreaterThanOrEqual(0.9);
    const losses = monitorValues(lines, 'loss', 'loss=([0-9.]+)');
    const accuracies = monitorValues(lines, 'accuracy', 'accuracy=([0-9.]+)');
    expect(losses).toHaveLength(30);
    expect(accuracies).toHaveLength(30);
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);
    expect(lines[0]).toMatch(/^epoch=1 loss=\d+\.\d{4} accuracy=\d\.\d{4}$/);
  });

  it('loadPredictor reproduces the training predictions from model.json, for array and object instances', () => {
    const table = parseCsv(irisText);
    const result = trainPreset('logistic-regression', table, {});
    const predict = loadPredictor(JSON.parse(JSON.stringify(result.model)));

    const asArrays = table.rows.map((row) => row.slice(0, 4).map(Number));
    const asObjects = asArrays.map((row) => Object.fromEntries(FEATURES.map((f, i) => [f, row[i]])));
    expect(predict({ instances: asArrays }).predictions).toEqual(result.predictions);
    expect(predict({ instances: asObjects }).predictions).toEqual(result.predictions);
    expect(predict({ instances: [[5.1, 3.5, 1.4, 0.2]] }).predictions).toEqual(['setosa']);
  });

  it.each<[PresetAlgorithmName, Record<string, string>]>([
    ['linear-regression', { label: 'petal_width', features: 'sepal_length,sepal_width,petal_length' }],
    ['logistic-regression', { epochs: '5' }],
    ['kmeans', { k: '3' }],
    ['random-forest', { trees: '5' }],
    ['random-forest', { trees: '5', label: 'petal_width', features: 'petal_length,sepal_length' }],
  ])('%s with %j writes a model.json whose predictor gives the training predictions', (algorithm, hp) => {
    const table = parseCsv(irisText);
    const result = trainPreset(algorithm, table, hp);
    const file = JSON.parse(JSON.stringify(result.model));
    expect(file).toMatchObject({ format: 'modelmaker-preset-model/1', algorithm });
    const rows = table.rows.map((row) => Object.fromEntries(table.columns.map((c, i) => [c, row[i]])));
    expect(loadPredictor(file)({ instances: rows }).predictions).toEqual(result.predictions);
  });

  it('k-means reports a purity against the label column, left out of the features', () => {
    const result = trainPreset('kmeans', parseCsv(irisText), {});
    expect(result.model.features).toEqual(FEATURES);
    expect(result.metrics.purity).toBeGreaterThan(0.8);
  });

  it('refuses unusable input with a message naming the column or hyperparameter', () => {
    const table = parseCsv(irisText);
    expect(() => trainPreset('linear-regression', table, {})).toThrow(/numeric label/);
    expect(() => trainPreset('logistic-regression', table, { label: 'colour' })).toThrow(
      /label column "colour"/,
    );
    expect(() => trainPreset('logistic-regression', table, { epochs: 'many' })).toThrow(
      /hyperparameter epochs/,
    );
    expect(() => trainPreset('logistic-regression', parseCsv('a,b\n1,x\n2,y\n'), { label: 'a' })).toThrow(
      /feature b/,
    );
  });

  it('the predictor refuses a malformed request with the path of the problem', () => {
    const predict = loadPredictor(
      JSON.parse(JSON.stringify(trainPreset('kmeans', parseCsv(irisText), {}).model)),
    );
    expect(() => predict({})).toThrow(/instances: expected an array/);
    expect(() => predict({ instances: [[1, 2, 3]] })).toThrow(/instances\[0\]: expected 4 values/);
    expect(() => predict({ instances: [{ sepal_length: 1 }] })).toThrow(
      /instances\[0\]\.sepal_width: missing/,
    );
    expect(() => predict({ instances: [[1, 2, 'x', 4]] })).toThrow(/instances\[0\]\[2\]: expected a number/);
    expect(() => loadPredictor({ format: 'other' })).toThrow(/not a preset model/);
  });

  it('parses quoted CSV fields and CRLF line ends', () => {
    const table = parseCsv('x,"the, label"\r\n1,"a ""quoted"" value"\r\n\r\n2,b\r\n');
    expect(table.columns).toEqual(['x', 'the, label']);
    expect(table.rows).toEqual([
      ['1', 'a "quoted" value'],
      ['2', 'b'],
    ]);
  });

  it('the training entry runs as a child process and writes model.json and metrics.json', async () => {
    const data = join(root, 'entry', 'data');
    const output = join(root, 'entry', 'output');
    await mkdir(join(data, 'nested'), { recursive: true });
    await cp(IRIS, join(data, 'nested', 'iris.csv'));
    const { command, args } = await presetTrainingCommand('logistic-regression');
    const result = await run(command, args, {
      MODELMAKER_DATA_DIR: data,
      MODELMAKER_OUTPUT_DIR: output,
      MODELMAKER_HYPERPARAMETERS: JSON.stringify({ epochs: 20 }),
      MODELMAKER_INSTANCE_RANK: '0',
    });

    expect(result.code, result.stderr).toBe(0);
    expect(
      monitorValues(result.stdout.split('\n'), 'accuracy', '^epoch=\\d+ .*accuracy=([0-9.]+)'),
    ).toHaveLength(20);
    const model = JSON.parse(await readFile(join(output, 'model.json'), 'utf8'));
    const metrics = JSON.parse(await readFile(join(output, 'metrics.json'), 'utf8'));
    expect(metrics).toMatchObject({ algorithm: 'logistic-regression', epochs: 20 });
    expect(metrics.accuracy).toBeGreaterThanOrEqual(0.9);
    const table = parseCsv(irisText);
    const predictions = loadPredictor(model)({ instances: table.rows.map((r) => r.slice(0, 4)) }).predictions;
    const right = predictions.filter((p, i) => p === table.rows[i]![4]).length / predictions.length;
    expect(right).toBe(metrics.accuracy);
  });

  it('the training entry exits 2 with a clear message for unusable input', async () => {
    const data = join(root, 'bad', 'data');
    await mkdir(data, { recursive: true });
    await cp(IRIS, join(data, 'iris.csv'));
    const { command, args } = await presetTrainingCommand('linear-regression');
    const result = await run(command, args, {
      MODELMAKER_DATA_DIR: data,
      MODELMAKER_OUTPUT_DIR: join(root, 'bad', 'output'),
      MODELMAKER_HYPERPARAMETERS: '{}',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: linear-regression needs a numeric label');
  });

  it('names every preset algorithm once', () => {
    expect(new Set(PRESET_ALGORITHM_NAMES).size).toBe(4);
  });
});
