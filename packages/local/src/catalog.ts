/**
 * The local platform's catalog: fixed machine specs, the frameworks that really run
 * here (`node` — the running Node.js — and `python3` from the PATH), and the preset
 * algorithms and preset models. Served as is by `GET /v1/resource/{env}`,
 * `/v1/basic-framework/{env}`, `/v1/preset-algorithm` and `/v1/preset-model`.
 *
 * Units: `cpu` in cores, `memory` in **bytes** (the same unit as the resource
 * monitor), `gpu` a count (always 0 here).
 *
 * Ids mean what the seed's examples and the contract use them for. No number is both a machine
 * and a framework; a preset model has its preset algorithm's id, as the contract's
 * `model_framework=500000` ("its preset model") requires:
 *
 * | ids | kind |
 * |---|---|
 * | 500000–500003 | preset algorithms (the seed's `algorithm=500000`) |
 * | 500050, 500051, 500550 | TRAIN machines (the seed's `train_instance_type=500050` / `500550`) |
 * | 500060, 500061 | DEVELOPMENT machines |
 * | 500100 python3, 500101 node | TRAIN frameworks (the seed's `framework=500100` with `boot_file="train.py"`) |
 * | 500150 python3, 500160 node | PREDICT frameworks (the seed's `model_framework=500150` with `model_boot_file="predict.py"`) |
 * | 500151, 500152 | PREDICT machines (the seed's `resourceId=500151`) |
 * | 500000–500003 | preset models (each with its algorithm's id and name) |
 *
 * Names are shared as the contract requires — a TRAIN framework and its PREDICT
 * framework, a preset algorithm and its preset model — so a client maps one to the
 * other by name (as the Python SDK's `create_model` does). Each framework says which
 * boot files it runs (`runs`): a boot file it cannot run is refused at submit.
 * @module
 */

import type { PresetAlgorithmName } from './algorithms/names.js';
import {
  DEFAULT_PRESET_EPOCHS,
  DEFAULT_PRESET_KMEANS_K,
  DEFAULT_PRESET_KMEANS_MAX_ITERATIONS,
  DEFAULT_PRESET_LEARNING_RATE,
  DEFAULT_PRESET_SEED,
  DEFAULT_PRESET_STEPS_PER_EPOCH,
  DEFAULT_PRESET_TREES,
} from './defaults.js';

/** Where a machine spec or framework is used. */
export type CatalogEnv = 'TRAIN' | 'DEVELOPMENT' | 'PREDICT';

const GIB = 1024 ** 3;

/** A machine spec as the wire carries it. */
export interface ResourceSpecEntry {
  readonly id: number;
  readonly name: string;
  /** Cores. */
  readonly cpu: number;
  /** Bytes. */
  readonly memory: number;
  readonly gpu: number;
}

/** A framework: `interpreter` is the program boot files run with (not sent on the wire). */
export interface FrameworkEntry {
  readonly id: number;
  readonly name: 'node' | 'python3';
  readonly env: 'TRAIN' | 'PREDICT';
  readonly description: string;
  /** The program that runs a boot file: `process.execPath` for node, `python3` for python3. */
  readonly interpreter: string;
  /** The boot file extensions it runs, e.g. `['.py']`. */
  readonly runs: readonly string[];
}

/** One documented hyperparameter of a preset algorithm (`value` is its default; `''` when computed). */
export interface HyperparameterDoc {
  readonly name: string;
  readonly value: string | number;
  readonly description: string;
}

/** A preset algorithm: `algorithm` names the implementation in `src/local/algorithms`. */
export interface PresetAlgorithmEntry {
  readonly id: number;
  readonly name: PresetAlgorithmName;
  readonly description: string;
  readonly algorithm: PresetAlgorithmName;
  readonly hyperparameters: readonly HyperparameterDoc[];
}

/** A preset model: served by the built-in predictor from the `model.json` of the algorithm of the same name. */
export interface PresetModelEntry {
  readonly id: number;
  readonly name: PresetAlgorithmName;
  readonly description: string;
  readonly algorithm: PresetAlgorithmName;
}

const spec = (id: number, name: string, cpu: number, memoryGiB: number): ResourceSpecEntry => ({
  id,
  name,
  cpu,
  memory: memoryGiB * GIB,
  gpu: 0,
});

/** Machine specs by environment; ids are unique across environments. */
export const RESOURCE_SPECS: Readonly<Record<CatalogEnv, readonly ResourceSpecEntry[]>> = {
  TRAIN: [
    spec(500050, 'train.small', 1, 2),
    spec(500051, 'train.medium', 2, 4),
    spec(500550, 'train.large', 4, 8),
  ],
  DEVELOPMENT: [spec(500060, 'dev.small', 1, 2), spec(500061, 'dev.medium', 2, 4)],
  PREDICT: [spec(500151, 'predict.small', 1, 1), spec(500152, 'predict.medium', 2, 2)],
};

const NODE = process.execPath;
const PYTHON = 'python3';

const NODE_RUNS = ['.js', '.mjs', '.cjs'] as const;
const PYTHON_RUNS = ['.py'] as const;

/** The frameworks' ids by name (see the module's table). */
export const FRAMEWORK_IDS = {
  trainPython: 500100,
  trainNode: 500101,
  predictPython: 500150,
  predictNode: 500160,
} as const;

/** Every framework (TRAIN and PREDICT). */
export const FRAMEWORKS: readonly FrameworkEntry[] = [
  {
    id: FRAMEWORK_IDS.trainPython,
    name: 'python3',
    env: 'TRAIN',
    description: 'Python 3 from the PATH',
    interpreter: PYTHON,
    runs: PYTHON_RUNS,
  },
  {
    id: FRAMEWORK_IDS.trainNode,
    name: 'node',
    env: 'TRAIN',
    description: `Node.js ${process.version}`,
    interpreter: NODE,
    runs: NODE_RUNS,
  },
  {
    id: FRAMEWORK_IDS.predictPython,
    name: 'python3',
    env: 'PREDICT',
    description: 'Python 3 from the PATH',
    interpreter: PYTHON,
    runs: PYTHON_RUNS,
  },
  {
    id: FRAMEWORK_IDS.predictNode,
    name: 'node',
    env: 'PREDICT',
    description: `Node.js ${process.version}`,
    interpreter: NODE,
    runs: NODE_RUNS,
  },
];

/**
 * Why `framework` cannot run `bootFile`, or `undefined` when it can: a boot file with
 * an extension the framework does not run (`train.mjs` on python3). A file without an
 * extension is left to the interpreter.
 *
 * @example
 * ```ts
 * bootFileProblem(findTrainFramework(500100)!, 'train.mjs') // 'framework 500100 (python3) runs .py files, got "train.mjs"'
 * ```
 */
export function bootFileProblem(framework: FrameworkEntry, bootFile: string): string | undefined {
  const name = bootFile.split('/').at(-1) ?? bootFile;
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const extension = name.slice(dot).toLowerCase();
  if (framework.runs.includes(extension)) return undefined;
  return `framework ${framework.id} (${framework.name}) runs ${framework.runs.join(' ')} files, got ${JSON.stringify(bootFile)}`;
}

const label: HyperparameterDoc = {
  name: 'label',
  value: '',
  description: 'label column; default the last column',
};
const file: HyperparameterDoc = {
  name: 'file',
  value: '',
  description: 'the CSV, relative to the data; default the first .csv found',
};
const features: HyperparameterDoc = {
  name: 'features',
  value: '',
  description: 'comma-separated feature columns; default every column but the label',
};
const seed: HyperparameterDoc = {
  name: 'seed',
  value: DEFAULT_PRESET_SEED,
  description: 'seed of the random choices',
};

/** The preset algorithms. */
export const PRESET_ALGORITHMS: readonly PresetAlgorithmEntry[] = [
  {
    id: 500000,
    name: 'linear-regression',
    algorithm: 'linear-regression',
    description: 'Multivariate least-squares linear regression (ml-regression) on a CSV with a numeric label',
    hyperparameters: [file, label, features],
  },
  {
    id: 500001,
    name: 'logistic-regression',
    algorithm: 'logistic-regression',
    description: 'One-vs-all logistic regression (ml-logistic-regression) on standardized CSV features',
    hyperparameters: [
      file,
      label,
      features,
      { name: 'epochs', value: DEFAULT_PRESET_EPOCHS, description: 'passes, each logged' },
      {
        name: 'stepsPerEpoch',
        value: DEFAULT_PRESET_STEPS_PER_EPOCH,
        description: 'gradient steps per pass',
      },
      { name: 'learningRate', value: DEFAULT_PRESET_LEARNING_RATE, description: 'gradient step size' },
    ],
  },
  {
    id: 500002,
    name: 'kmeans',
    algorithm: 'kmeans',
    description: 'k-means clustering (ml-kmeans) of the CSV columns other than the label',
    hyperparameters: [
      file,
      {
        ...label,
        description:
          'column left out of the clustering (purity is reported against it); default the last column; none for no label',
      },
      features,
      { name: 'k', value: DEFAULT_PRESET_KMEANS_K, description: 'clusters' },
      { name: 'maxIterations', value: DEFAULT_PRESET_KMEANS_MAX_ITERATIONS, description: 'most iterations' },
      seed,
    ],
  },
  {
    id: 500003,
    name: 'random-forest',
    algorithm: 'random-forest',
    description:
      'Random forest (ml-random-forest): classification for a text label, regression for a numeric one',
    hyperparameters: [
      file,
      label,
      features,
      { name: 'trees', value: DEFAULT_PRESET_TREES, description: 'trees in the forest' },
      { name: 'task', value: '', description: 'classification | regression; default by the label column' },
      seed,
    ],
  },
];

/** The preset models, one per preset algorithm, with its id and name (the contract: `model_framework=500000` is its preset model). */
export const PRESET_MODELS: readonly PresetModelEntry[] = PRESET_ALGORITHMS.map((a) => ({
  id: a.id,
  name: a.name,
  algorithm: a.algorithm,
  description: `Serves the model.json written by the ${a.name} preset algorithm`,
}));

// ── lookups ─────────────────────────────────────────────────────────────────

/** The TRAIN framework with this id. */
export function findTrainFramework(id: number): FrameworkEntry | undefined {
  return FRAMEWORKS.find((f) => f.id === id && f.env === 'TRAIN');
}

/** The PREDICT framework with this id. */
export function findPredictFramework(id: number): FrameworkEntry | undefined {
  return FRAMEWORKS.find((f) => f.id === id && f.env === 'PREDICT');
}

/** The preset algorithm with this id. */
export function findPresetAlgorithm(id: number): PresetAlgorithmEntry | undefined {
  return PRESET_ALGORITHMS.find((a) => a.id === id);
}

/** The preset model with this id. */
export function findPresetModel(id: number): PresetModelEntry | undefined {
  return PRESET_MODELS.find((m) => m.id === id);
}

/** The machine spec with this id, in any environment. */
export function resourceSpec(id: number): (ResourceSpecEntry & { readonly env: CatalogEnv }) | undefined {
  for (const env of Object.keys(RESOURCE_SPECS) as CatalogEnv[]) {
    const found = RESOURCE_SPECS[env].find((r) => r.id === id);
    if (found) return { ...found, env };
  }
  return undefined;
}

// ── wire shapes ─────────────────────────────────────────────────────────────

/** `GET /v1/resource/{env}`. */
export function resourceList(env: CatalogEnv): { resources: ResourceSpecEntry[] } {
  return { resources: RESOURCE_SPECS[env].map((r) => ({ ...r })) };
}

/** `GET /v1/basic-framework/{env}` (DEVELOPMENT lists the TRAIN frameworks). */
export function frameworkList(env: CatalogEnv): {
  frameWorks: Array<{ id: number; name: string; description: string }>;
} {
  const wanted = env === 'PREDICT' ? 'PREDICT' : 'TRAIN';
  return {
    frameWorks: FRAMEWORKS.filter((f) => f.env === wanted).map(({ id, name, description }) => ({
      id,
      name,
      description,
    })),
  };
}

/** `GET /v1/preset-algorithm`. */
export function presetAlgorithmList(): {
  presetAlgorithms: Array<{
    id: number;
    name: string;
    description: string;
    hyperparameters: HyperparameterDoc[];
  }>;
} {
  return {
    presetAlgorithms: PRESET_ALGORITHMS.map(({ id, name, description, hyperparameters }) => ({
      id,
      name,
      description,
      hyperparameters: hyperparameters.map((h) => ({ ...h })),
    })),
  };
}

/** `GET /v1/preset-model`. */
export function presetModelList(): {
  presetModels: Array<{ id: number; name: string; description: string }>;
} {
  return { presetModels: PRESET_MODELS.map(({ id, name, description }) => ({ id, name, description })) };
}
