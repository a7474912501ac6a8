/**
 * Model parameters (the seed's `create_model(...)` arguments, in camelCase) validated
 * and turned into a `POST /v1/model` body, before any network call.
 *
 * Decisions where the seed is silent or disagrees with itself:
 * - The seed has two tables per type: one where `model_framework_type`, `model_name`,
 *   `model_path` are optional (the Estimator fills them from the finished training job)
 *   and one where they are required. Here they are required after `defaults` are
 *   merged: a caller with defaults may leave them out, a caller without may not.
 * - `modelVersion` is dot-separated whole numbers (`1.1.3`, `1.1.1.2`), as every example
 *   of the seed and the contract shows.
 * - `modelPath` must be `s3://bucket/key`; `modelCodeDir` is `s3://…` or a local
 *   directory the SDK uploads first.
 * - BASIC_FRAMEWORK needs `modelCodeDir` or `modelGitInfo` (the seed marks the directory
 *   required and git optional, but a git repository is the same code by another road,
 *   as in training). Both together are accepted and both sent, as the Python SDK sends
 *   them. `modelGitInfo` is one object or, as the seed writes it, a list of them
 *   (`model_git_info=[{…}]`); it goes to the wire as given.
 * - A parameter of another type (`modelMirrorUrl` on BASIC_FRAMEWORK, `modelFramework`
 *   on CUSTOM…) is a problem when the user gave it. A *default* that does not apply to
 *   the model's type is dropped silently: the user who overrides the type to CUSTOM did
 *   not write the training job's framework id.
 * - `modelCallSpecs` is free-form but must be JSON data.
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js';
import type { ValidationError } from '../../errors.js';
import type { ModelCreate } from '../models.js';
import { type CodeSource, codeSource, type GitInfo, type WireGitInfo } from './code.js';
import {
  conclude,
  defined,
  forTypes,
  isAbsent,
  oneOf,
  type Problems,
  parameters,
  positiveInteger,
  s3Path,
  text,
  unused,
} from './rules.js';

/** The three kinds of model. */
export const MODEL_FRAMEWORK_TYPES = ['PRESET_MODEL', 'BASIC_FRAMEWORK', 'CUSTOM'] as const;
/** A kind of model. */
export type ModelFrameworkType = (typeof MODEL_FRAMEWORK_TYPES)[number];

/**
 * A model as the user describes it (seed name in brackets). Which fields are required
 * depends on `modelFrameworkType`: see {@link toModelCreate}.
 */
export interface ModelParams {
  /** [model_name] Required unless defaulted. */
  readonly modelName?: string;
  /** [model_version] Dot-separated whole numbers, e.g. `1.1.3`. */
  readonly modelVersion: string;
  /** [model_framework_type] PRESET_MODEL, BASIC_FRAMEWORK or CUSTOM; required unless defaulted. */
  readonly modelFrameworkType?: ModelFrameworkType;
  /** [model_framework] PRESET_MODEL: a preset model id; BASIC_FRAMEWORK: a PREDICT framework id. */
  readonly modelFramework?: number;
  /** [model_path] The model files, `s3://…`; required unless defaulted (to the training output). */
  readonly modelPath?: string;
  /** [model_code_dir] BASIC_FRAMEWORK: the serving code, `s3://…` or a local directory the SDK uploads. */
  readonly modelCodeDir?: string;
  /** [model_git_info] BASIC_FRAMEWORK: the serving code from a git repository; one object or the seed's list. */
  readonly modelGitInfo?: GitInfo | readonly GitInfo[];
  /** [model_boot_file] BASIC_FRAMEWORK (required): e.g. `predict.py`. */
  readonly modelBootFile?: string;
  /** [model_call_specs] Free-form JSON describing how to call the model. */
  readonly modelCallSpecs?: unknown;
  /** [model_mirrorUrl] CUSTOM (required): the serving image. */
  readonly modelMirrorUrl?: string;
  /** [model_description] */
  readonly modelDescription?: string;
}

/** A validated model request: the wire body, and a local code directory still to upload. */
export interface ModelRequest {
  /** The `POST /v1/model` body. Without `codeUrl` while `localCodeDir` is set. */
  readonly body: ModelCreate;
  /** A local `modelCodeDir`: upload it, then send the body with `codeUrl` set to where it went. */
  readonly localCodeDir?: string;
}

const KNOWN: readonly (keyof ModelParams)[] = [
  'modelName',
  'modelVersion',
  'modelFrameworkType',
  'modelFramework',
  'modelPath',
  'modelCodeDir',
  'modelGitInfo',
  'modelBootFile',
  'modelCallSpecs',
  'modelMirrorUrl',
  'modelDescription',
];

/** The types that use each type-specific parameter; the others are used by all. */
const USED_WITH: Partial<Record<keyof ModelParams, readonly ModelFrameworkType[]>> = {
  modelFramework: ['PRESET_MODEL', 'BASIC_FRAMEWORK'],
  modelCodeDir: ['BASIC_FRAMEWORK'],
  modelGitInfo: ['BASIC_FRAMEWORK'],
  modelBootFile: ['BASIC_FRAMEWORK'],
  modelMirrorUrl: ['CUSTOM'],
};

// `1`, `1.1.3`, `1.1.1.2`.
const VERSION = /^\d+(?:\.\d+)*$/;

/** The problem-free value of `value` as JSON data, or `undefined` after reporting it. */
function jsonData(problems: Problems, field: string, value: unknown): unknown {
  if (isAbsent(value)) return undefined;
  let encoded: string | undefined;
  try {
    encoded = JSON.stringify(value);
  } catch {
    encoded = undefined;
  }
  if (encoded === undefined) {
    problems.push({ field, message: 'expected JSON data (objects, arrays, strings, numbers, booleans)' });
    return undefined;
  }
  return value;
}

/**
 * `params` with `defaults` filled in where the user left a field out, and the set of
 * fields that came from `defaults`. A type-specific default is used only when the
 * model's type uses it.
 */
function merge(
  params: Readonly<Record<string, unknown>>,
  defaults: Partial<ModelParams>,
): { readonly merged: Record<string, unknown>; readonly defaulted: ReadonlySet<string> } {
  const merged: Record<string, unknown> = { ...params };
  const defaulted = new Set<string>();
  const type = isAbsent(params.modelFrameworkType) ? defaults.modelFrameworkType : params.modelFrameworkType;
  for (const key of KNOWN) {
    const fallback = defaults[key];
    if (!isAbsent(params[key]) || isAbsent(fallback)) continue;
    const usedWith = USED_WITH[key];
    if (usedWith !== undefined && !(usedWith as readonly unknown[]).includes(type)) continue;
    merged[key] = fallback;
    defaulted.add(key);
  }
  return { merged, defaulted };
}

/**
 * Validates model parameters, with `defaults` filled in first for the fields the user
 * left out (the Estimator passes `modelPath`, `modelName`, `modelFrameworkType`,
 * `modelFramework` derived from the finished training job), and builds the
 * `POST /v1/model` body. Every problem is listed at once, each naming its parameter; a
 * problem with a defaulted value says so. `modelFramework` goes to `presetModelId`
 * (PRESET_MODEL) or `frameworkId` (BASIC_FRAMEWORK).
 *
 * Always: `modelName`, `modelVersion`, `modelFrameworkType`, `modelPath`.
 * PRESET_MODEL: `modelFramework`. BASIC_FRAMEWORK: `modelFramework`, `modelBootFile`,
 * `modelCodeDir` or `modelGitInfo`. CUSTOM: `modelMirrorUrl`.
 *
 * @returns `Right({ body, localCodeDir? })`, or `Left(ValidationError)`.
 * @example
 * ```ts
 * toModelCreate({ modelVersion: '1.0.0' }, { modelName: 'iris', modelFrameworkType: 'PRESET_MODEL',
 *   modelFramework: 500000, modelPath: 's3://bucket/out/V0001/' })
 * ```
 */
export function toModelCreate(
  params: ModelParams,
  defaults: Partial<ModelParams> = {},
): E.Either<ValidationError, ModelRequest> {
  const problems: Problems = [];
  const { merged: p, defaulted } = merge(parameters(problems, params, KNOWN), defaults);

  const name = text(problems, 'modelName', p.modelName, { required: true });
  const version = text(problems, 'modelVersion', p.modelVersion, { required: true });
  if (version !== undefined && !VERSION.test(version)) {
    problems.push({ field: 'modelVersion', message: 'expected dot-separated whole numbers, such as 1.1.3' });
  }
  const type = oneOf(problems, 'modelFrameworkType', p.modelFrameworkType, MODEL_FRAMEWORK_TYPES, {
    required: true,
  });
  const scope = (key: keyof ModelParams, requiredWith: readonly ModelFrameworkType[]) => ({
    typeField: 'modelFrameworkType',
    type,
    usedWith: USED_WITH[key] ?? MODEL_FRAMEWORK_TYPES,
    requiredWith,
  });
  const modelPath = s3Path(problems, 'modelPath', p.modelPath, { required: true });
  const description = text(problems, 'modelDescription', p.modelDescription, { nonEmpty: false });
  const callSpecs = jsonData(problems, 'modelCallSpecs', p.modelCallSpecs);

  const framework = forTypes(
    problems,
    scope('modelFramework', ['PRESET_MODEL', 'BASIC_FRAMEWORK']),
    'modelFramework',
    p.modelFramework,
    (presence) => positiveInteger(problems, 'modelFramework', p.modelFramework, presence),
  );
  const startup = forTypes(
    problems,
    scope('modelBootFile', ['BASIC_FRAMEWORK']),
    'modelBootFile',
    p.modelBootFile,
    (presence) => text(problems, 'modelBootFile', p.modelBootFile, presence),
  );
  const mirrorUrl = forTypes(
    problems,
    scope('modelMirrorUrl', ['CUSTOM']),
    'modelMirrorUrl',
    p.modelMirrorUrl,
    (presence) => text(problems, 'modelMirrorUrl', p.modelMirrorUrl, presence),
  );
  if (mirrorUrl !== undefined && /\s/.test(mirrorUrl)) {
    problems.push({ field: 'modelMirrorUrl', message: 'expected an image reference, without spaces' });
  }
  let code: CodeSource<WireGitInfo | WireGitInfo[]> | undefined;
  if (type === undefined || type === 'BASIC_FRAMEWORK') {
    code = codeSource(
      problems,
      { field: 'modelCodeDir', value: p.modelCodeDir },
      { field: 'modelGitInfo', value: p.modelGitInfo, list: true, withDirectory: true },
      type === 'BASIC_FRAMEWORK' ? { because: 'with modelFrameworkType BASIC_FRAMEWORK' } : undefined,
    );
  } else {
    unused(problems, 'modelCodeDir', p.modelCodeDir, 'modelFrameworkType', ['BASIC_FRAMEWORK']);
    unused(problems, 'modelGitInfo', p.modelGitInfo, 'modelFrameworkType', ['BASIC_FRAMEWORK']);
  }

  const marked = problems.map((problem) => {
    const root = problem.field.split(/[.[]/, 1)[0] ?? problem.field;
    return defaulted.has(root)
      ? { ...problem, message: `${problem.message} (value from the defaults)` }
      : problem;
  });
  return conclude(marked, (): ModelRequest => {
    const body: ModelCreate = defined({
      name: name!,
      type: type!,
      version: version!,
      presetModelId: type === 'PRESET_MODEL' ? framework : undefined,
      frameworkId: type === 'BASIC_FRAMEWORK' ? framework : undefined,
      modelPath: modelPath!,
      codeUrl: code?.codeUrl,
      gitInfo: code?.gitInfo,
      startup,
      callSpecs,
      mirrorUrl,
      description,
    });
    const localCodeDir = code?.localCodeDir;
    return localCodeDir === undefined ? { body } : { body, localCodeDir };
  });
}
