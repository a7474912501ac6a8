/**
 * `model.json`, what a preset algorithm writes and the built-in PRESET_MODEL predictor
 * reads: everything needed to predict (algorithm, feature names, label classes,
 * feature scaling, the library's own model JSON) and the training metrics.
 * @module
 */
import type { Hyperparameters } from './hyperparameters.js';
import type { PresetAlgorithmName } from './names.js';

/** The `format` field of every preset `model.json`. */
export const PRESET_MODEL_FORMAT = 'modelmaker-preset-model/1';

/** The content of a preset `model.json`. */
export interface PresetModelFile {
  readonly format: typeof PRESET_MODEL_FORMAT;
  readonly algorithm: PresetAlgorithmName;
  /** Feature names: the order of an instance given as an array, the keys of one given as an object. */
  readonly features: readonly string[];
  readonly label?: string | undefined;
  /** For classifiers: class id → label value (what predictions answer). */
  readonly classes?: ReadonlyArray<number | string> | undefined;
  /** Feature scaling applied before the library's model, when the algorithm uses one. */
  readonly standardize?: { readonly mean: readonly number[]; readonly std: readonly number[] } | undefined;
  /** Random forest: which kind of forest `model` is. */
  readonly task?: 'classification' | 'regression' | undefined;
  readonly hyperparameters: Hyperparameters;
  /** The mljs model's own JSON (`toJSON()` of the trained object). */
  readonly model: unknown;
  readonly metrics: Readonly<Record<string, number>>;
}

/** What one training gives: the model file, its metrics, and its predictions of the training rows. */
export interface TrainingResult {
  readonly model: PresetModelFile;
  readonly metrics: Readonly<Record<string, number>>;
  readonly predictions: ReadonlyArray<number | string>;
}

/** Receives progress lines (`epoch=3 loss=0.4231 accuracy=0.9300`). */
export type ProgressLog = (line: string) => void;

/** Formats a progress line: `key=value` pairs, numbers to 4 decimals (integers as they are). */
export function progressLine(fields: Readonly<Record<string, number>>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(4)}`)
    .join(' ');
}
