/**
 * Preset `random-forest` (ml-random-forest, seeded, bagged): a classifier when the
 * label is text (or `task=classification`), a regression forest when it is numeric
 * (or `task=regression`). One progress line once the forest is grown.
 * @module
 */
import { RandomForestClassifier, RandomForestRegression } from 'ml-random-forest';
import { DEFAULT_PRESET_SEED, DEFAULT_PRESET_TREES } from '../defaults.js';
import { classesOf, type Dataset, PresetInputError } from './dataset.js';
import { type Hyperparameters, numberParam, textParam } from './hyperparameters.js';
import {
  PRESET_MODEL_FORMAT,
  type PresetModelFile,
  type ProgressLog,
  progressLine,
  type TrainingResult,
} from './modelFile.js';
import { accuracy, meanSquaredError, r2 } from './scores.js';

type ClassifierModel = Parameters<typeof RandomForestClassifier.load>[0];
type RegressionModel = Parameters<typeof RandomForestRegression.load>[0];

/** Predicts with a trained random-forest model file: labels for a classifier, numbers for a regression. */
export function predictRandomForest(file: PresetModelFile, x: number[][]): Array<number | string> {
  if (file.task === 'regression') {
    return RandomForestRegression.load(file.model as RegressionModel).predict(x);
  }
  const classes = file.classes ?? [];
  return RandomForestClassifier.load(file.model as ClassifierModel)
    .predict(x)
    .map((id) => classes[id]!);
}

/** Trains `random-forest`. Hyperparameters: `trees`, `task`, `seed`. */
export function trainRandomForest(data: Dataset, hp: Hyperparameters, log: ProgressLog): TrainingResult {
  const trees = numberParam(hp, 'trees', DEFAULT_PRESET_TREES, { min: 1, integer: true });
  const seed = numberParam(hp, 'seed', DEFAULT_PRESET_SEED, { integer: true });
  const task = textParam(hp, 'task') ?? (data.labelIsNumeric ? 'regression' : 'classification');
  if (task !== 'classification' && task !== 'regression') {
    throw new PresetInputError(
      `hyperparameter task must be classification or regression, got ${JSON.stringify(task)}`,
    );
  }
  if (task === 'regression' && !data.labelIsNumeric) {
    throw new PresetInputError(`random-forest regression needs a numeric label; ${data.label} is not`);
  }
  const options = { nEstimators: trees, seed, useSampleBagging: true, noOOB: true };
  const base = {
    format: PRESET_MODEL_FORMAT,
    algorithm: 'random-forest',
    features: data.features,
    label: data.label,
    task,
    hyperparameters: hp,
    metrics: {},
  } as const;
  let draft: PresetModelFile;
  if (task === 'regression') {
    const forest = new RandomForestRegression(options);
    forest.train(data.x, data.y as number[]);
    draft = { ...base, model: forest.toJSON() };
  } else {
    const classes = classesOf(data.y);
    const forest = new RandomForestClassifier(options);
    forest.train(
      data.x,
      data.y.map((v) => classes.indexOf(v)),
    );
    draft = { ...base, classes, model: forest.toJSON() };
  }
  // The forest's JSON holds class instances; a round trip makes model.json what is stored.
  draft = JSON.parse(JSON.stringify(draft)) as PresetModelFile;
  const predictions = predictRandomForest(draft, data.x);
  const metrics: Record<string, number> =
    task === 'regression'
      ? (() => {
          const mse = meanSquaredError(data.y as number[], predictions as number[]);
          return { mse, rmse: Math.sqrt(mse), r2: r2(data.y as number[], predictions as number[]) };
        })()
      : { accuracy: accuracy(data.y, predictions) };
  metrics.trees = trees;
  metrics.rows = data.x.length;
  log(
    progressLine({
      epoch: 1,
      trees,
      ...(task === 'regression' ? { loss: metrics.mse! } : { accuracy: metrics.accuracy! }),
    }),
  );
  return { model: { ...draft, metrics }, metrics, predictions };
}
