/**
 * Preset `linear-regression`: least squares with an intercept (ml-regression's
 * MultivariateLinearRegression) on the raw features; the label must be numeric.
 * Closed form, so it logs one progress line.
 * @module
 */
import { MultivariateLinearRegression, type MultivariateLinearRegressionModel } from 'ml-regression';
import { type Dataset, PresetInputError } from './dataset.js';
import type { Hyperparameters } from './hyperparameters.js';
import { checkInitModel } from './initModel.js';
import {
  PRESET_MODEL_FORMAT,
  type PresetModelFile,
  type ProgressLog,
  progressLine,
  type TrainingResult,
} from './modelFile.js';
import { meanSquaredError, r2 } from './scores.js';

/** Predicts with a trained linear-regression model file. */
export function predictLinearRegression(file: PresetModelFile, x: number[][]): number[] {
  const model = MultivariateLinearRegression.load(file.model as MultivariateLinearRegressionModel);
  return model.predict(x).map((row) => row[0]!);
}

/**
 * Trains `linear-regression`. An `init` (a warm start, see `initModel.ts`) is checked
 * (same features and label) but not started from: least squares is solved exactly, so
 * the result is the same from anywhere; a log line says so.
 */
export function trainLinearRegression(
  data: Dataset,
  hp: Hyperparameters,
  log: ProgressLog,
  init?: PresetModelFile,
): TrainingResult {
  if (!data.labelIsNumeric)
    throw new PresetInputError(`linear-regression needs a numeric label; ${data.label} is not`);
  if (init) {
    checkInitModel(init, 'linear-regression', data);
    log(
      'linear-regression: the initial model is not used: least squares is solved exactly, so training does not depend on where it starts',
    );
  }
  const y = data.y as number[];
  const regression = new MultivariateLinearRegression(
    data.x,
    y.map((v) => [v]),
    { intercept: true, statistics: false },
  );
  const draft: PresetModelFile = {
    format: PRESET_MODEL_FORMAT,
    algorithm: 'linear-regression',
    features: data.features,
    label: data.label,
    hyperparameters: hp,
    model: regression.toJSON(),
    metrics: {},
  };
  const predictions = predictLinearRegression(draft, data.x);
  const mse = meanSquaredError(y, predictions);
  const metrics = { mse, rmse: Math.sqrt(mse), r2: r2(y, predictions), rows: y.length };
  log(progressLine({ epoch: 1, loss: mse, r2: metrics.r2 }));
  return { model: { ...draft, metrics }, metrics, predictions };
}
