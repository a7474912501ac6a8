/**
 * Models and their versions: the create body, list and detail views. A model has a
 * unique `name`; each `create_model` with an existing name adds a version.
 * @module
 */
import * as t from 'io-ts';
import {
  Id,
  IdFromString,
  NonEmptyString,
  oneOrMany,
  openEnum,
  optionalFields,
  S3Uri,
  strict,
  Timestamp,
  withDefault,
} from './common.js';
import { GitInfo, GitInfoView } from './training.js';

/** How a model is served: a preset model, a basic (predict) framework with user code, or a user image. */
export const ModelType = t.keyof({ PRESET_MODEL: null, BASIC_FRAMEWORK: null, CUSTOM: null }, 'ModelType');
/** `'PRESET_MODEL' | 'BASIC_FRAMEWORK' | 'CUSTOM'`. */
export type ModelType = t.TypeOf<typeof ModelType>;

/** The model kinds, as an open string for responses. */
export const OpenModelType = openEnum('ModelType', ['PRESET_MODEL', 'BASIC_FRAMEWORK', 'CUSTOM'] as const);
/** A model kind (open). */
export type OpenModelType = t.TypeOf<typeof OpenModelType>;

/**
 * The body of `POST /v1/model` and `POST /v1/model/{modelId}/version/`, and what the
 * local platform validates them with. `name`, `type` and `version` (e.g. `'1.1.3'`)
 * are required on the wire (the SDK fills name and type from the estimator when the
 * user leaves them out); per-type rules (`presetModelId` for PRESET_MODEL,
 * `frameworkId`/`codeUrl`/`startup` for BASIC_FRAMEWORK, `mirrorUrl` for CUSTOM) are
 * parameter validation's job. `gitInfo` accepts one object or a list of them (the
 * seed documents a list) and is kept as given. `callSpecs` is free-form JSON.
 * `null` optional fields count as absent; unknown fields are stripped.
 */
export const ModelCreate = strict(
  t.intersection([
    t.type({ name: NonEmptyString, type: ModelType, version: NonEmptyString }),
    optionalFields({
      presetModelId: Id,
      frameworkId: Id,
      modelPath: S3Uri,
      codeUrl: S3Uri,
      gitInfo: oneOrMany(GitInfo),
      startup: t.string,
      callSpecs: t.unknown,
      mirrorUrl: t.string,
      description: t.string,
    }),
  ]),
  'ModelCreate',
);
/** The body that creates a model or model version. */
export type ModelCreate = t.TypeOf<typeof ModelCreate>;

/** `{ id, versionId }`: the model and its first version. */
export const ModelCreated = t.type({ id: Id, versionId: Id });
/** `{ id, versionId }`. */
export type ModelCreated = t.TypeOf<typeof ModelCreated>;

/** `{ versionId, id? }`: a version added to an existing model (`id` is the model's, when sent). */
export const ModelVersionCreated = t.intersection([t.type({ versionId: Id }), optionalFields({ id: Id })]);
/** `{ versionId, id? }`. */
export type ModelVersionCreated = t.TypeOf<typeof ModelVersionCreated>;

/** A model in `GET /v1/model`: `{ id, name }` plus extension kind, description, time and latest version. */
export const ModelSummary = t.intersection([
  t.type({ id: Id, name: t.string }),
  optionalFields({ type: OpenModelType, description: t.string, createdAt: Timestamp, latestVersionId: Id }),
]);
/** A model in the model list. */
export type ModelSummary = t.TypeOf<typeof ModelSummary>;

/** `GET /v1/model`: `{ models }`. */
export const ModelList = t.type({ models: t.array(ModelSummary) });
/** `{ models }`. */
export type ModelList = t.TypeOf<typeof ModelList>;

/**
 * `GET /v1/model/version/{versionId}`. A real server's shape is unknown, so every
 * field is optional: identity, the ModelCreate fields it was made with (leniently:
 * plain strings), `status` (open text: the platform may build images) and times.
 */
export const ModelVersionDetail = optionalFields({
  id: Id,
  modelId: Id,
  name: t.string,
  version: t.string,
  type: OpenModelType,
  status: t.string,
  presetModelId: Id,
  frameworkId: Id,
  modelPath: t.string,
  codeUrl: t.string,
  gitInfo: oneOrMany(GitInfoView),
  startup: t.string,
  callSpecs: t.unknown,
  mirrorUrl: t.string,
  description: t.string,
  createdAt: Timestamp,
});
/** A model version's detail. */
export type ModelVersionDetail = t.TypeOf<typeof ModelVersionDetail>;

/**
 * `GET /v1/model/{modelId}`: "model detail with versions". Every field optional;
 * `versions` (each a {@link ModelVersionDetail}) decodes to `[]` when absent.
 */
export const ModelDetail = t.intersection([
  t.type({ versions: withDefault(t.array(ModelVersionDetail), () => []) }),
  optionalFields({
    id: Id,
    name: t.string,
    type: OpenModelType,
    description: t.string,
    createdAt: Timestamp,
  }),
]);
/** A model with its versions. */
export type ModelDetail = t.TypeOf<typeof ModelDetail>;

/** `{modelId}` in a path. */
export const ModelIdParams = t.type({ modelId: IdFromString });
/** `{ modelId }`. */
export type ModelIdParams = t.TypeOf<typeof ModelIdParams>;

/** `{versionId}` in a model path. */
export const ModelVersionIdParams = t.type({ versionId: IdFromString });
/** `{ versionId }`. */
export type ModelVersionIdParams = t.TypeOf<typeof ModelVersionIdParams>;
