/**
 * Preset `kmeans`: k-means (ml-kmeans, k-means++ initialization, seeded) of the
 * columns other than the label, one progress line per iteration (`epoch=… loss=…`,
 * the loss being the mean squared distance to the nearest centroid). When the data
 * has a label column, `purity` says how well clusters match it.
 * @module
 */
import { kmeansGenerator } from 'ml-kmeans';
import {
  DEFAULT_PRESET_KMEANS_K,
  DEFAULT_PRESET_KMEANS_MAX_ITERATIONS,
  DEFAULT_PRESET_SEED,
} from '../defaults.js';
import { type Dataset, PresetInputError } from './dataset.js';
import { type Hyperparameters, numberParam } from './hyperparameters.js';
import { checkInitModel } from './initModel.js';
import {
  PRESET_MODEL_FORMAT,
  type PresetModelFile,
  type ProgressLog,
  progressLine,
  type TrainingResult,
} from './modelFile.js';

/** The stored model: the centroids. */
export interface KMeansModel {
  readonly centroids: number[][];
}

const squared = (a: readonly number[], b: readonly number[]) =>
  a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0);

function nearest(centroids: readonly (readonly number[])[], row: readonly number[]): number {
  let best = 0;
  let bestDistance = Number.POSITIVE_INFINITY;
  centroids.forEach((c, i) => {
    const d = squared(c, row);
    if (d < bestDistance) {
      bestDistance = d;
      best = i;
    }
  });
  return best;
}

/** Cluster ids of rows with a trained k-means model file. */
export function predictKMeans(file: PresetModelFile, x: number[][]): number[] {
  const { centroids } = file.model as KMeansModel;
  return x.map((row) => nearest(centroids, row));
}

function purity(clusters: readonly number[], y: ReadonlyArray<number | string>): number {
  const counts = new Map<number, Map<number | string, number>>();
  clusters.forEach((c, i) => {
    const byLabel = counts.get(c) ?? new Map<number | string, number>();
    byLabel.set(y[i]!, (byLabel.get(y[i]!) ?? 0) + 1);
    counts.set(c, byLabel);
  });
  let majority = 0;
  for (const byLabel of counts.values()) majority += Math.max(...byLabel.values());
  return majority / clusters.length;
}

/**
 * Trains `kmeans`. Hyperparameters: `k`, `maxIterations`, `seed`. With `init` (a warm
 * start, see `initModel.ts`) the iterations start from its centroids, and `k` is their
 * number (a different `k` given is an error).
 */
export function trainKMeans(
  data: Dataset,
  hp: Hyperparameters,
  log: ProgressLog,
  init?: PresetModelFile,
): TrainingResult {
  if (init) checkInitModel(init, 'kmeans', data);
  const start = init ? (init.model as KMeansModel).centroids : undefined;
  if (
    start &&
    (!Array.isArray(start) || start.length === 0 || start.some((c) => c.length !== data.features.length))
  ) {
    throw new PresetInputError('the initial model has no centroids over these features');
  }
  const k = numberParam(hp, 'k', start?.length ?? DEFAULT_PRESET_KMEANS_K, { min: 1, integer: true });
  if (start && k !== start.length) {
    throw new PresetInputError(
      `hyperparameter k=${k} differs from the initial model's ${start.length} centroids`,
    );
  }
  const maxIterations = numberParam(hp, 'maxIterations', DEFAULT_PRESET_KMEANS_MAX_ITERATIONS, {
    min: 1,
    integer: true,
  });
  const seed = numberParam(hp, 'seed', DEFAULT_PRESET_SEED, { integer: true });
  if (k > data.x.length) throw new PresetInputError(`k=${k} is more than the ${data.x.length} rows`);
  let centroids: number[][] = [];
  let iteration = 0;
  for (const step of kmeansGenerator(data.x, k, {
    maxIterations,
    seed,
    initialization: start ? start.map((c) => [...c]) : 'kmeans++',
  })) {
    iteration += 1;
    centroids = step.centroids.map((c) => [...c]);
    const loss =
      data.x.reduce((s, row, i) => s + squared(centroids[step.clusters[i]!]!, row), 0) / data.x.length;
    log(progressLine({ epoch: iteration, loss }));
  }
  const draft: PresetModelFile = {
    format: PRESET_MODEL_FORMAT,
    algorithm: 'kmeans',
    features: data.features,
    label: data.label,
    hyperparameters: hp,
    model: { centroids } satisfies KMeansModel,
    metrics: {},
  };
  const predictions = predictKMeans(draft, data.x);
  const inertia = data.x.reduce((s, row, i) => s + squared(centroids[predictions[i]!]!, row), 0);
  const metrics: Record<string, number> = {
    inertia,
    loss: inertia / data.x.length,
    k,
    iterations: iteration,
    rows: data.x.length,
  };
  if (data.y.length > 0) metrics.purity = purity(predictions, data.y);
  return { model: { ...draft, metrics }, metrics, predictions };
}
