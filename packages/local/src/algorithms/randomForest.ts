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
import { checkInitModel, initClasses } from './initModel.js';
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

/** The forest JSON of ml-random-forest (the part a warm start extends). */
interface ForestJson {
  readonly nEstimators: number;
  readonly indexes: unknown[];
  readonly estimators: unknown[];
  readonly [key: string]: unknown;
}

/** The base forest inside a model's JSON (a classifier wraps it in `baseModel`). */
function baseForest(model: unknown): ForestJson {
  const json = model as { baseModel?: ForestJson } & ForestJson;
  return json.baseModel ?? json;
}

/** `grown` with `kept`'s trees first: one forest voting (or averaging) over both. */
function joinForests(kept: unknown, grown: unknown): unknown {
  const before = baseForest(kept);
  const after = baseForest(grown);
  const joined: ForestJson = {
    ...after,
    nEstimators: before.nEstimators + after.nEstimators,
    indexes: [...before.indexes, ...after.indexes],
    estimators: [...before.estimators, ...after.estimators],
  };
  const wrapper = grown as { baseModel?: unknown };
  return wrapper.baseModel ? { ...wrapper, baseModel: joined } : joined;
}

/**
 * Trains `random-forest`. Hyperparameters: `trees`, `task`, `seed`. With `init` (a
 * warm start, see `initModel.ts`) its trees are kept and `trees` new ones are grown
 * beside them (seeded after its own), for the same task and classes.
 */
export function trainRandomForest(
  data: Dataset,
  hp: Hyperparameters,
  log: ProgressLog,
  init?: PresetModelFile,
): TrainingResult {
  const trees = numberParam(hp, 'trees', DEFAULT_PRESET_TREES, { min: 1, integer: true });
  if (init) checkInitModel(init, 'random-forest', data);
  const kept = init ? baseForest(init.model) : undefined;
  if (init && (!Array.isArray(kept?.estimators) || !Array.isArray(kept?.indexes))) {
    throw new PresetInputError('the initial model holds no forest');
  }
  const treesBefore = kept?.nEstimators ?? 0;
  const seed = numberParam(hp, 'seed', DEFAULT_PRESET_SEED, { integer: true }) + treesBefore;
  const task = textParam(hp, 'task') ?? init?.task ?? (data.labelIsNumeric ? 'regression' : 'classification');
  if (task !== 'classification' && task !== 'regression') {
    throw new PresetInputError(
      `hyperparameter task must be classification or regression, got ${JSON.stringify(task)}`,
    );
  }
  if (task === 'regression' && !data.labelIsNumeric) {
    throw new PresetInputError(`random-forest regression needs a numeric label; ${data.label} is not`);
  }
  if (init && init.task !== task) {
    throw new PresetInputError(`the initial model is a ${init.task} forest, this training is ${task}`);
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
  const grown = (model: unknown) => (init ? joinForests(init.model, model) : model);
  let draft: PresetModelFile;
  if (task === 'regression') {
    const forest = new RandomForestRegression(options);
    forest.train(data.x, data.y as number[]);
    draft = { ...base, model: grown(forest.toJSON()) };
  } else {
    const classes = init ? initClasses(init, data.y) : classesOf(data.y);
    const classId = new Map(classes.map((c, i) => [String(c), i]));
    const forest = new RandomForestClassifier(options);
    forest.train(
      data.x,
      data.y.map((v) => classId.get(String(v))!),
    );
    draft = { ...base, classes, model: grown(forest.toJSON()) };
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
  metrics.trees = treesBefore + trees;
  metrics.rows = data.x.length;
  log(
    progressLine({
      epoch: 1,
      trees: treesBefore + trees,
      ...(task === 'regression' ? { loss: metrics.mse! } : { accuracy: metrics.accuracy! }),
    }),
  );
  return { model: { ...draft, metrics }, metrics, predictions };
}
