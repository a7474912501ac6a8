/**
 * Warm starts of the preset algorithms (`initModel` → `MODELMAKER_INIT_MODEL_DIR`):
 * each algorithm continues from the initial model, measurably, and refuses one it
 * cannot continue from. In process, on the iris fixture.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CsvTable, PresetInputError, parseCsv } from '../../src/algorithms/dataset.js';
import { readInitModel } from '../../src/algorithms/initModel.js';
import type { PresetModelFile } from '../../src/algorithms/modelFile.js';
import { trainPreset } from '../../src/algorithms/train.js';

const IRIS = fileURLToPath(new URL('../../../../test/fixtures/iris.csv', import.meta.url));

let iris: CsvTable;
let root: string;

beforeAll(async () => {
  iris = parseCsv(await readFile(IRIS, 'utf8'));
  root = await mkdtemp(join(tmpdir(), 'mm-warm-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Trains and returns the model and its progress lines. */
function train(
  algorithm: Parameters<typeof trainPreset>[0],
  hp: Record<string, string | number>,
  init?: PresetModelFile,
  table: CsvTable = iris,
) {
  const lines: string[] = [];
  const result = trainPreset(algorithm, table, hp, (line) => lines.push(line), init);
  return { ...result, lines };
}

/** The `key=` value of a progress line. */
function numberIn(line: string | undefined, key: string): number {
  const match = new RegExp(`${key}=([0-9.]+)`).exec(line ?? '');
  if (!match) throw new Error(`no ${key} in ${line}`);
  return Number(match[1]);
}

/** The logistic regression weights of a model, flattened. */
function weightsOf(model: PresetModelFile): number[] {
  const json = model.model as { classifiers: Array<{ weights: number[][] }> };
  return json.classifiers.flatMap((c) => c.weights.flat());
}

describe('warm starts of the preset algorithms', () => {
  it('logistic regression continues where the initial model stopped: 3 + 3 epochs give the weights of 6', () => {
    const hp = { epochs: 3, learningRate: 0.1 };
    const first = train('logistic-regression', hp);
    const continued = train('logistic-regression', hp, first.model);
    const straight = train('logistic-regression', { ...hp, epochs: 6 });

    // Where it starts is where the first training ended (an epoch=0 line says so) …
    expect(continued.lines[0]).toMatch(/^epoch=0 /);
    expect(numberIn(continued.lines[0], 'loss')).toBeCloseTo(numberIn(first.lines.at(-1), 'loss'), 4);
    // … so its first epoch is better than a cold start's first epoch …
    expect(numberIn(continued.lines[1], 'loss')).toBeLessThan(numberIn(first.lines[0], 'loss'));
    // … and it ends exactly where six epochs from scratch end.
    const a = weightsOf(continued.model);
    const b = weightsOf(straight.model);
    expect(a).toHaveLength(b.length);
    for (const [i, w] of a.entries()) expect(w).toBeCloseTo(b[i]!, 9);
    expect(continued.lines.at(-1)?.replace(/^epoch=\d+ /, '')).toBe(
      straight.lines.at(-1)?.replace(/^epoch=\d+ /, ''),
    );
    expect((continued.model.model as { numSteps: number }).numSteps).toBe(
      (straight.model.model as { numSteps: number }).numSteps,
    );
  });

  it('logistic regression keeps the initial model’s classes and scaling when the new data has fewer classes', () => {
    const first = train('logistic-regression', { epochs: 5 });
    const twoClasses: CsvTable = {
      columns: iris.columns,
      rows: iris.rows.filter((r) => r[4] !== 'virginica'),
    };
    const continued = train('logistic-regression', { epochs: 1 }, first.model, twoClasses);
    expect(continued.model.classes).toEqual(first.model.classes);
    expect(continued.model.standardize).toEqual(first.model.standardize);
  });

  it('k-means starts from the initial centroids and keeps their number', () => {
    const first = train('kmeans', { k: 3, seed: 7 });
    const continued = train('kmeans', {}, first.model);
    // Started from converged centroids: nothing moves, one iteration, the same loss.
    expect(continued.metrics.k).toBe(3);
    expect(continued.metrics.iterations).toBeLessThan(first.metrics.iterations!);
    expect(continued.metrics.loss).toBeCloseTo(first.metrics.loss!, 9);
    expect(() => train('kmeans', { k: 4 }, first.model)).toThrow(/k=4 differs from the initial model's 3/);
  });

  it('random forest keeps the initial trees and grows new ones beside them', () => {
    const first = train('random-forest', { trees: 3 });
    const continued = train('random-forest', { trees: 2 }, first.model);
    expect(continued.metrics.trees).toBe(5);
    const forest = (continued.model.model as { baseModel: { nEstimators: number; estimators: unknown[] } })
      .baseModel;
    expect(forest.nEstimators).toBe(5);
    expect(forest.estimators).toHaveLength(5);
    expect(forest.estimators.slice(0, 3)).toEqual(
      (first.model.model as { baseModel: { estimators: unknown[] } }).baseModel.estimators,
    );
    expect(continued.metrics.accuracy).toBeGreaterThan(0.9);
  });

  it('linear regression checks the initial model and says it is not used', () => {
    const numeric: CsvTable = {
      columns: iris.columns.slice(0, 4),
      rows: iris.rows.map((r) => r.slice(0, 4)),
    };
    const first = train('linear-regression', {}, undefined, numeric);
    const again = train('linear-regression', {}, first.model, numeric);
    expect(again.lines[0]).toMatch(/initial model is not used: least squares is solved exactly/);
    expect(again.metrics.mse).toBeCloseTo(first.metrics.mse!, 12);
  });

  it('refuses an initial model of another algorithm, or with other features', () => {
    const kmeans = train('kmeans', { k: 3 });
    expect(() => train('logistic-regression', {}, kmeans.model)).toThrow(PresetInputError);
    expect(() => train('logistic-regression', {}, kmeans.model)).toThrow(
      /trained by kmeans, not logistic-regression/,
    );
    const fewer = train('logistic-regression', { epochs: 1, features: 'sepal_length,sepal_width' });
    expect(() => train('logistic-regression', { epochs: 1 }, fewer.model)).toThrow(
      /features \(sepal_length, sepal_width\) differ from the data's/,
    );
  });

  it('reads model.json from the init model folder, or names what is missing', async () => {
    const first = train('kmeans', { k: 2 });
    const folder = join(root, 'init-a');
    await mkdir(join(folder, 'V0001'), { recursive: true });
    await writeFile(join(folder, 'V0001', 'model.json'), JSON.stringify(first.model));
    const read = await readInitModel(folder);
    expect(read.path).toBe(join(folder, 'V0001', 'model.json'));
    expect(read.model.algorithm).toBe('kmeans');

    const empty = join(root, 'init-b');
    await mkdir(empty);
    await expect(readInitModel(empty)).rejects.toThrow(/holds no model\.json/);
    await writeFile(join(empty, 'model.json'), '{"format":"something else"}');
    await expect(readInitModel(empty)).rejects.toThrow(/not a preset model/);
  });
});
