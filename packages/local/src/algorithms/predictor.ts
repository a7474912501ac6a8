/**
 * The built-in PRESET_MODEL predictor: a function from a request body to a response
 * body, built from a preset `model.json`.
 *
 * Input: `{ "instances": [...] }`, each instance either an array of feature values in
 * the model's `features` order, or an object keyed by feature name (extra keys are
 * ignored). Values are numbers or numeric strings.
 * Output: `{ "predictions": [...] }`, one per instance: the class label (as it appeared
 * in the training CSV) for classifiers, a number for regressions, the cluster index
 * (0-based) for k-means.
 * @module
 */
import { ModelMakerError } from 'modelmaker';
import { predictKMeans } from './kmeans.js';
import { predictLinearRegression } from './linearRegression.js';
import { predictLogisticRegression } from './logisticRegression.js';
import { PRESET_MODEL_FORMAT, type PresetModelFile } from './modelFile.js';
import { isPresetAlgorithmName } from './names.js';
import { predictRandomForest } from './randomForest.js';

/** A prediction request the model cannot answer; `message` names the field (`instances[2].petal_width`). */
export class PredictInputError extends ModelMakerError {
  readonly _tag = 'PredictInputError' as const;
  override readonly name = 'PredictInputError';
  constructor(message: string) {
    super(message, { reason: 'input' });
  }
}

/** A `model.json` that is not a preset model this version can load. */
export class PresetModelError extends ModelMakerError {
  readonly _tag = 'PresetModelError' as const;
  override readonly name = 'PresetModelError';
  constructor(message: string, cause?: unknown) {
    super(message, { reason: 'model', cause });
  }
}

/** The predictor: a request body in, a response body out. */
export type PresetPredictor = (input: unknown) => { predictions: Array<number | string> };

function checkModel(json: unknown): PresetModelFile {
  const file = json as Partial<PresetModelFile> | null;
  if (typeof file !== 'object' || file === null || file.format !== PRESET_MODEL_FORMAT) {
    throw new PresetModelError(`not a preset model.json (format must be ${PRESET_MODEL_FORMAT})`);
  }
  if (typeof file.algorithm !== 'string' || !isPresetAlgorithmName(file.algorithm)) {
    throw new PresetModelError(`unknown preset algorithm ${JSON.stringify(file.algorithm)}`);
  }
  if (!Array.isArray(file.features) || !file.features.every((f) => typeof f === 'string')) {
    throw new PresetModelError('model.json has no features list');
  }
  return file as PresetModelFile;
}

function toValue(value: unknown, where: string): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : Number.NaN;
  if (!Number.isFinite(n))
    throw new PredictInputError(`${where}: expected a number, got ${JSON.stringify(value)}`);
  return n;
}

function toRows(input: unknown, features: readonly string[]): number[][] {
  const instances = (input as { instances?: unknown } | null)?.instances;
  if (!Array.isArray(instances)) throw new PredictInputError('instances: expected an array of instances');
  return instances.map((instance, i) => {
    if (Array.isArray(instance)) {
      if (instance.length !== features.length) {
        throw new PredictInputError(
          `instances[${i}]: expected ${features.length} values (${features.join(', ')}), got ${instance.length}`,
        );
      }
      return instance.map((v, j) => toValue(v, `instances[${i}][${j}]`));
    }
    if (typeof instance === 'object' && instance !== null) {
      const record = instance as Record<string, unknown>;
      return features.map((f) => {
        if (!(f in record)) throw new PredictInputError(`instances[${i}].${f}: missing`);
        return toValue(record[f], `instances[${i}].${f}`);
      });
    }
    throw new PredictInputError(`instances[${i}]: expected an array or an object`);
  });
}

/**
 * Loads a preset `model.json` (parsed) into a predictor.
 *
 * @throws PresetModelError when the file is not a loadable preset model. The predictor
 *   throws PredictInputError for a request it cannot read.
 * @example
 * ```ts
 * const predict = loadPredictor(JSON.parse(await readFile('model.json', 'utf8')));
 * predict({ instances: [[5.1, 3.5, 1.4, 0.2]] }) // { predictions: ['setosa'] }
 * ```
 */
export function loadPredictor(modelJson: unknown): PresetPredictor {
  const file = checkModel(modelJson);
  const predictRows = (() => {
    switch (file.algorithm) {
      case 'linear-regression':
        return (x: number[][]) => predictLinearRegression(file, x);
      case 'logistic-regression':
        return (x: number[][]) => predictLogisticRegression(file, x);
      case 'kmeans':
        return (x: number[][]) => predictKMeans(file, x);
      case 'random-forest':
        return (x: number[][]) => predictRandomForest(file, x);
    }
  })();
  try {
    // Fail at load, not at the first request, when the stored model is broken.
    if (file.features.length > 0) predictRows([file.features.map(() => 0)]);
  } catch (cause) {
    throw new PresetModelError(
      `model.json of ${file.algorithm} cannot be loaded: ${(cause as Error).message}`,
      cause,
    );
  }
  return (input) => {
    const rows = toRows(input, file.features);
    return { predictions: rows.length === 0 ? [] : predictRows(rows) };
  };
}
