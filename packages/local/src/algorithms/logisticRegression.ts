/**
 * Preset `logistic-regression`: one-vs-all logistic regression on standardized
 * features plus a bias column, stored and applied as ml-logistic-regression's model
 * (so prediction is the library's `predict`). The gradient loop is run here, pass by
 * pass, because the library's `train` runs all its steps in one call and the platform
 * wants a progress line (`epoch=… loss=… accuracy=…`) per pass. Each classifier
 * follows the library's convention: classifier `i` scores "not class i", and the
 * prediction is the class with the lowest score.
 * @module
 */
import LogisticRegression, { type LogisticRegressionModel } from 'ml-logistic-regression';
import { Matrix } from 'ml-matrix';
import {
  DEFAULT_PRESET_EPOCHS,
  DEFAULT_PRESET_LEARNING_RATE,
  DEFAULT_PRESET_STEPS_PER_EPOCH,
} from '../defaults.js';
import { classesOf, type Dataset, PresetInputError, standardization, standardize } from './dataset.js';
import { type Hyperparameters, numberParam } from './hyperparameters.js';
import { checkInitModel, initClasses } from './initModel.js';
import {
  PRESET_MODEL_FORMAT,
  type PresetModelFile,
  type ProgressLog,
  progressLine,
  type TrainingResult,
} from './modelFile.js';
import { accuracy } from './scores.js';

/** Standardized features with a trailing bias column of ones. */
function design(
  x: readonly (readonly number[])[],
  s: { mean: readonly number[]; std: readonly number[] },
): Matrix {
  return new Matrix(standardize(x, s).map((row) => [...row, 1]));
}

/** Class ids predicted for rows, by the library (given a copy: its `load` replaces the classifiers in place). */
function predictIds(model: LogisticRegressionModel, x: Matrix): number[] {
  return LogisticRegression.load({ ...model, classifiers: [...model.classifiers] }).predict(x);
}

/** Predicts labels with a trained logistic-regression model file. */
export function predictLogisticRegression(file: PresetModelFile, x: number[][]): Array<number | string> {
  const classes = file.classes ?? [];
  return predictIds(file.model as LogisticRegressionModel, design(x, file.standardize!)).map(
    (id) => classes[id]!,
  );
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Mean cross-entropy of one classifier's weights `w` on `x` against `t`. */
function crossEntropy(x: Matrix, w: Matrix, t: readonly number[]): number {
  const p = x.mmul(w.transpose()).to1DArray().map(sigmoid);
  const eps = 1e-12;
  return (
    -p.reduce((s, pi, i) => s + (t[i]! * Math.log(pi + eps) + (1 - t[i]!) * Math.log(1 - pi + eps)), 0) /
    x.rows
  );
}

/**
 * Trains `logistic-regression`. Hyperparameters: `epochs`, `stepsPerEpoch`,
 * `learningRate`. With `init` (a warm start, see `initModel.ts`) the passes start from
 * its weights, feature scaling and classes, and an `epoch=0` line reports where they
 * start; without, from zero weights and the data's own scaling.
 */
export function trainLogisticRegression(
  data: Dataset,
  hp: Hyperparameters,
  log: ProgressLog,
  init?: PresetModelFile,
): TrainingResult {
  const epochs = numberParam(hp, 'epochs', DEFAULT_PRESET_EPOCHS, { min: 1, integer: true });
  const steps = numberParam(hp, 'stepsPerEpoch', DEFAULT_PRESET_STEPS_PER_EPOCH, { min: 1, integer: true });
  const learningRate = numberParam(hp, 'learningRate', DEFAULT_PRESET_LEARNING_RATE, { min: 0 });
  if (init) checkInitModel(init, 'logistic-regression', data);
  const classes = init ? initClasses(init, data.y) : classesOf(data.y);
  if (classes.length < 2)
    throw new PresetInputError(`logistic-regression needs at least 2 classes in ${data.label}`);
  const scaling = init?.standardize ?? standardization(data.x);
  const x = design(data.x, scaling);
  const n = x.rows;
  const classId = new Map(classes.map((c, i) => [String(c), i]));
  const ids = data.y.map((v) => classId.get(String(v))!);
  // Targets in the library's convention: 0 for the classifier's own class, 1 for the others.
  const targets = classes.map((_, c) => Matrix.columnVector(ids.map((id) => (id === c ? 0 : 1))));
  const initial = init ? (init.model as LogisticRegressionModel) : undefined;
  let weights = classes.map((_, c) => {
    const given = initial?.classifiers[c]?.weights;
    if (initial && (!given || given[0]?.length !== x.columns)) {
      throw new PresetInputError(
        `the initial model has no weights for class ${classes[c]} over these features`,
      );
    }
    return given ? new Matrix(given) : Matrix.zeros(1, x.columns);
  });
  const xt = x.transpose();
  const stepsBefore = initial?.numSteps ?? 0;

  const snapshot = (): LogisticRegressionModel => ({
    name: 'LogisticRegression',
    numSteps: stepsBefore + epochs * steps,
    learningRate,
    numberClasses: classes.length,
    classifiers: weights.map((w) => ({
      numSteps: stepsBefore + epochs * steps,
      learningRate,
      weights: w.to2DArray(),
    })),
  });
  const report = (epoch: number, loss: number) => {
    const predicted = predictIds(snapshot(), x).map((id) => classes[id]!);
    log(progressLine({ epoch, loss: loss / classes.length, accuracy: accuracy(data.y, predicted) }));
  };

  if (init)
    report(
      0,
      weights.reduce((s, w, c) => s + crossEntropy(x, w, targets[c]!.to1DArray()), 0),
    );
  for (let epoch = 1; epoch <= epochs; epoch++) {
    let loss = 0;
    weights = weights.map((start, c) => {
      let w = start;
      for (let step = 0; step < steps; step++) {
        const p = x.mmul(w.transpose()).to1DArray().map(sigmoid);
        const error = Matrix.columnVector(p).neg().add(targets[c]!);
        w = w.add(
          xt
            .mmul(error)
            .mul(learningRate / n)
            .transpose(),
        );
      }
      loss += crossEntropy(x, w, targets[c]!.to1DArray());
      return w;
    });
    report(epoch, loss);
  }

  const model: LogisticRegressionModel = snapshot();
  const draft: PresetModelFile = {
    format: PRESET_MODEL_FORMAT,
    algorithm: 'logistic-regression',
    features: data.features,
    label: data.label,
    classes,
    standardize: scaling,
    hyperparameters: hp,
    model,
    metrics: {},
  };
  const predictions = predictLogisticRegression(draft, data.x);
  const metrics = { accuracy: accuracy(data.y, predictions), classes: classes.length, rows: n, epochs };
  return { model: { ...draft, metrics }, metrics, predictions };
}
