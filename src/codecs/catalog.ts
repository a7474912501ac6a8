/**
 * The catalog: machine specs (`resources`), basic frameworks, preset algorithms and
 * preset models. A preset algorithm and the preset model serving it share a `name`;
 * so do a training framework and the predict framework serving its models.
 * @module
 */
import * as t from 'io-ts';
import { Id, optionalFields, StringOrNumber } from './common.js';

/** Where a machine spec or framework is used: training, development, prediction. */
export const Env = t.keyof({ TRAIN: null, DEVELOPMENT: null, PREDICT: null }, 'Env');
/** `'TRAIN' | 'DEVELOPMENT' | 'PREDICT'`. */
export type Env = t.TypeOf<typeof Env>;

/** Path parameters `{env}` of `/v1/resource/{env}` and `/v1/basic-framework/{env}`. */
export const EnvParams = t.type({ env: Env });
/** `{ env }`. */
export type EnvParams = t.TypeOf<typeof EnvParams>;

/** Which pool a job or service runs in: the shared one (default) or the user's own. */
export const ResourcePoolType = t.keyof({ PUBLIC_POOL: null, PERSONAL_POOL: null }, 'ResourcePoolType');
/** `'PUBLIC_POOL' | 'PERSONAL_POOL'`. */
export type ResourcePoolType = t.TypeOf<typeof ResourcePoolType>;

/**
 * A machine spec; `id` is what `train_instance_type` / `resourceId` name. The spec
 * fields' types on a real server are unknown, so `cpu`, `memory` and `gpu` are kept as
 * given (the local platform sends cores, bytes and a GPU count as numbers).
 */
export const ResourceSpec = t.intersection([
  t.type({ id: Id }),
  optionalFields({
    name: t.string,
    cpu: StringOrNumber,
    memory: StringOrNumber,
    gpu: StringOrNumber,
    gpuModel: t.string,
  }),
]);
/** A machine spec. */
export type ResourceSpec = t.TypeOf<typeof ResourceSpec>;

/** `GET /v1/resource/{env}`: `{ resources }`. */
export const ResourceList = t.type({ resources: t.array(ResourceSpec) });
/** `{ resources }`. */
export type ResourceList = t.TypeOf<typeof ResourceList>;

/** `{ id, name }` plus an optional `description`: the part common to catalog entries. */
const catalogEntry = [t.type({ id: Id, name: t.string }), optionalFields({ description: t.string })] as const;

/** A basic framework (e.g. a TensorFlow image) for training or for prediction. */
export const Framework = t.intersection([...catalogEntry]);
/** A basic framework. */
export type Framework = t.TypeOf<typeof Framework>;

/** `GET /v1/basic-framework/{env}`: `{ frameWorks }` (capital W, as the platform spells it). */
export const FrameworkList = t.type({ frameWorks: t.array(Framework) });
/** `{ frameWorks }`. */
export type FrameworkList = t.TypeOf<typeof FrameworkList>;

/** A preset algorithm (PRESET_ALGORITHM training). */
export const PresetAlgorithm = t.intersection([...catalogEntry]);
/** A preset algorithm. */
export type PresetAlgorithm = t.TypeOf<typeof PresetAlgorithm>;

/** `GET /v1/preset-algorithm`: `{ presetAlgorithms }`. */
export const PresetAlgorithmList = t.type({ presetAlgorithms: t.array(PresetAlgorithm) });
/** `{ presetAlgorithms }`. */
export type PresetAlgorithmList = t.TypeOf<typeof PresetAlgorithmList>;

/** A preset model (PRESET_MODEL models), serving the preset algorithm of the same name. */
export const PresetModel = t.intersection([...catalogEntry]);
/** A preset model. */
export type PresetModel = t.TypeOf<typeof PresetModel>;

/** `GET /v1/preset-model`: `{ presetModels }`. */
export const PresetModelList = t.type({ presetModels: t.array(PresetModel) });
/** `{ presetModels }`. */
export type PresetModelList = t.TypeOf<typeof PresetModelList>;
