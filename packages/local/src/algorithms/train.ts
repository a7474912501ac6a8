/**
 * Trains a preset algorithm by name on a CSV table — the pure part of the training
 * entry, usable in process (tests, benchmarks) as well as from `main.ts`.
 * @module
 */
import { type CsvTable, toDataset } from './dataset.js';
import { type Hyperparameters, textParam } from './hyperparameters.js';
import { trainKMeans } from './kmeans.js';
import { trainLinearRegression } from './linearRegression.js';
import { trainLogisticRegression } from './logisticRegression.js';
import type { PresetModelFile, ProgressLog, TrainingResult } from './modelFile.js';
import type { PresetAlgorithmName } from './names.js';
import { trainRandomForest } from './randomForest.js';

/**
 * Trains `algorithm` on `table` with `hp` (`label` names the label column, default the
 * last; `features` a comma-separated list of feature columns, default all others),
 * reporting progress lines to `log`. `init` is the initial model of a warm start (see
 * `initModel.ts`).
 *
 * @throws PresetInputError for unusable data or hyperparameters.
 */
export function trainPreset(
  algorithm: PresetAlgorithmName,
  table: CsvTable,
  hp: Hyperparameters,
  log: ProgressLog = () => {},
  init?: PresetModelFile,
): TrainingResult {
  const features = textParam(hp, 'features')
    ?.split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  const data = toDataset(table, textParam(hp, 'label'), features);
  switch (algorithm) {
    case 'linear-regression':
      return trainLinearRegression(data, hp, log, init);
    case 'logistic-regression':
      return trainLogisticRegression(data, hp, log, init);
    case 'kmeans':
      return trainKMeans(data, hp, log, init);
    case 'random-forest':
      return trainRandomForest(data, hp, log, init);
  }
}
